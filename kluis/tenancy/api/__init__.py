"""The tenancy app's API resources, registered with kluis.api."""

from kluis.api.registry import register
from kluis.tenancy.api.memberships import MembershipViewSet

register(
    "memberships",
    MembershipViewSet,
    name="memberships",
    collection={"get": "list"},
    item_name="membership",
    lookup="membership_pk",
    item={"get": "retrieve"},
)
