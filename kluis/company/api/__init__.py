"""The company app's API resources (members and roles), registered with kluis.api."""

from kluis.api.registry import register, register_route
from kluis.company.api.memberships import MembershipViewSet
from kluis.company.api.role_grants import RoleGrantViewSet
from kluis.company.api.roles import RoleViewSet

register(
    "roles",
    RoleViewSet,
    name="roles",
    collection={"get": "list"},
    item_name="role",
    lookup="role_pk",
    item={"get": "retrieve"},
)
register(
    "memberships",
    MembershipViewSet,
    name="memberships",
    collection={"get": "list"},
    item_name="membership",
    lookup="membership_pk",
    item={"get": "retrieve"},
)
register_route(
    "memberships/<id:membership_pk>/roles/",
    RoleGrantViewSet,
    name="membership-roles",
    actions={"post": "create"},
)
