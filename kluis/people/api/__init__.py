"""The people app's API resources, registered with kluis.api (see kluis/api/registry.py)."""

from kluis.api.declared import declare
from kluis.api.exceptions import answer_as_stale
from kluis.api.registry import register
from kluis.people.api.changes import ChangeViewSet
from kluis.people.api.custom_fields import CUSTOM_FIELDS
from kluis.people.api.departments import DEPARTMENTS
from kluis.people.api.employees import EMPLOYEES
from kluis.people.api.employments import EMPLOYMENTS
from kluis.people.api.teams import TEAMS
from kluis.people.api.wage_components import WAGE_COMPONENTS
from kluis.people.api.wages import WAGES
from kluis.people.services import StaleVersionError

LIST_CREATE = {"get": "list", "post": "create"}
EDIT_ALL = {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}

# A save refused because someone changed the object since it was read: 412.
answer_as_stale(StaleVersionError)

declare(EMPLOYEES)
declare(DEPARTMENTS)
declare(EMPLOYMENTS)
declare(TEAMS)
declare(WAGES)
declare(WAGE_COMPONENTS)
declare(CUSTOM_FIELDS)
register(
    "changes",
    ChangeViewSet,
    name="changes",
    collection={"get": "list"},
    item_name="change",
    lookup="change_pk",
    item={"get": "retrieve"},
)
