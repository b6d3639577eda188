"""The access app's API resources, registered with kluis.api."""

from kluis.access.api.roles import RoleViewSet
from kluis.api.registry import register

register(
    "roles",
    RoleViewSet,
    name="roles",
    collection={"get": "list"},
    item_name="role",
    lookup="role_pk",
    item={"get": "retrieve"},
)
