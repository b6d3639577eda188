"""Who a release note concerns, in terms of kluis/access: an audience is a set of
permissions (with the least scope that counts); a person belongs to it when one of their
roles in the current company grants one of them. Custom roles count by what they grant,
not by their name. `operator` is the platform's operators (kluis.access.operators), in no company.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kluis.access.authorization import grants_of
from kluis.access.operators import is_operator
from kluis.access.permissions import SCOPE_RANK, Scope
from kluis.releases.fragments import AUDIENCES

if TYPE_CHECKING:
    from kluis.access.actor import Actor

# audience -> {permission: the least scope that puts a person in it}
RULES: dict[str, dict[str, Scope]] = {
    # what people do for themselves: their own profile, their own leave
    "employee": {"people.edit": Scope.SELF, "timeoff.request": Scope.SELF},
    # what managers do for their team
    "manager": {"timeoff.approve": Scope.TEAM, "people.view": Scope.TEAM},
    # keeping everyone's HR file and leave
    "hr": {"people.edit": Scope.COMPANY, "timeoff.manage": Scope.COMPANY},
    # the company's set-up: roles, sign-in, single sign-on
    "owner": {
        "access.manage_roles": Scope.COMPANY,
        "identity.manage_signin": Scope.COMPANY,
        "identity.manage_sso": Scope.COMPANY,
    },
    "auditor": {"audit.view_all": Scope.COMPANY},  # the whole log (HR reads part of it)
    # API keys and webhooks for other systems
    "integrator": {
        "integrations.manage": Scope.COMPANY,
        "integrations.manage_webhooks": Scope.COMPANY,
    },
}
assert set(RULES) | {"everyone", "operator"} == set(AUDIENCES)


def audiences_of(actor: Actor | None, user: object) -> frozenset[str]:
    """The audiences of a signed-in person acting in their current company (`actor` None:
    in no company)."""
    found = {"everyone"}
    if is_operator(user):
        found.add("operator")
    if actor is not None and actor.membership is not None:
        grants = grants_of(actor)
        for audience, rule in RULES.items():
            for permission, least in rule.items():
                scope = grants.get(permission)
                if scope is not None and SCOPE_RANK[Scope(scope)] >= SCOPE_RANK[least]:
                    found.add(audience)
                    break
    return frozenset(found)
