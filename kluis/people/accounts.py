"""An employee's account as HR sees it: whether the person can sign in, and how.

One state per account, in this order of precedence:
- DEACTIVATED: a membership of the company that was deactivated (no access);
- ACTIVE: a membership whose user has a password or a single sign-on identity (with or
  without a second factor: `mfa` says whether an authenticator app or passkey is set up);
- INVITED: a membership with an open invitation link, not used yet;
- NONE: no membership (no login at all), or one that was never activated and has no open
  link (an invitation that expired or was revoked).

The same states serve the HR profile's Account panel, the People list's Account filter and
badge, and the logins without an HR file (an external auditor, a consultant) that the list
shows under the table. Reads only: every change goes through the owning app's services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.models import Role, RoleAssignment
from kluis.identity.invitations import has_login
from kluis.identity.models import Invitation
from kluis.people.models import Employee
from kluis.people.services.invitations import with_login_state
from kluis.tenancy.models import Membership

NONE, INVITED, ACTIVE, DEACTIVATED = "none", "invited", "active", "deactivated"
MFA_MISSING = "mfa_missing"  # a filter, not a state: active without a second factor
STATE_LABELS = {
    NONE: _("No login"),
    INVITED: _("Invited"),
    ACTIVE: _("Can sign in"),
    DEACTIVATED: _("Login deactivated"),
}
FILTER_CHOICES = [
    (NONE, _("No login")),
    (INVITED, _("Invited")),
    (ACTIVE, _("Can sign in")),
    (MFA_MISSING, _("Can sign in, no two-factor")),
    (DEACTIVATED, _("Login deactivated")),
]
# The factors that make two-factor authentication "on" (recovery codes only back them up).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
FACTOR_LABELS = {
    Authenticator.Type.TOTP: _("Authenticator app"),
    Authenticator.Type.WEBAUTHN: _("Passkey"),
}


def _second_factor(user_ref: str) -> Exists:
    return Exists(Authenticator.objects.filter(user_id=OuterRef(user_ref), type__in=SECOND_FACTORS))


def with_account_state(employees: QuerySet[Employee]) -> QuerySet[Employee]:
    """Annotate what `state_of_row` reads: the login annotations of the invitations service
    plus `account_active` (the membership is active) and `account_mfa`."""
    return with_login_state(employees).annotate(
        account_active=ExpressionWrapper(
            Q(membership__is_active=True), output_field=BooleanField()
        ),
        account_mfa=_second_factor("membership__user_id"),
    )


def members_with_state(members: QuerySet[Membership]) -> QuerySet[Membership]:
    """The same annotations on memberships (logins without an HR file)."""
    open_invitation = Invitation.objects.filter(
        membership_id=OuterRef("pk"),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    unusable = Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    usable = (Q(user__password__isnull=False) & ~unusable) | Exists(
        SocialAccount.objects.filter(user_id=OuterRef("user_id"))
    )
    return members.annotate(
        login_password_set=ExpressionWrapper(usable, output_field=BooleanField()),
        login_invited=Exists(open_invitation),
        account_active=ExpressionWrapper(Q(is_active=True), output_field=BooleanField()),
        account_mfa=_second_factor("user_id"),
    )


def state_of_row(row: Any, *, has_membership: bool = True) -> str:
    """The state from the annotations of `with_account_state` / `members_with_state`."""
    if not has_membership:
        return NONE
    if not row.account_active:
        return DEACTIVATED
    if row.login_password_set:
        return ACTIVE
    return INVITED if row.login_invited else NONE


def filter_by_state(queryset: QuerySet[Any], value: str, prefix: str = "") -> QuerySet[Any]:
    """Narrow annotated rows to one FILTER_CHOICES value; `prefix` is "membership__" for
    employees (whose login is their membership), "" for memberships."""
    has_membership = Q(**{f"{prefix}isnull": False}) if prefix else Q()
    working = has_membership & Q(account_active=True)
    if value == NONE:
        no_login = working & Q(login_password_set=False, login_invited=False)
        if prefix:
            no_login |= Q(**{f"{prefix[:-2]}__isnull": True})
        return queryset.filter(no_login)
    if value == INVITED:
        return queryset.filter(working & Q(login_password_set=False, login_invited=True))
    if value == ACTIVE:
        return queryset.filter(working & Q(login_password_set=True))
    if value == MFA_MISSING:
        return queryset.filter(working & Q(login_password_set=True, account_mfa=False))
    if value == DEACTIVATED:
        return queryset.filter(has_membership & Q(account_active=False))
    return queryset


def with_role(actor: Actor, queryset: QuerySet[Any], role: Role, member_ref: str) -> QuerySet[Any]:
    """Rows whose membership (`member_ref`: "membership_id" or "pk") holds the role."""
    held = RoleAssignment.objects.for_actor(actor).filter(
        membership_id=OuterRef(member_ref), role=role
    )
    return queryset.filter(Exists(held))


@dataclass
class Account:
    """What the profile's Account panel shows."""

    state: str
    membership: Membership | None = None
    invitation: Invitation | None = None  # the open link, when INVITED
    last_sign_in: Any = None
    factors: list[Any] = field(default_factory=list)  # labels of the second factors
    roles: list[RoleAssignment] = field(default_factory=list)

    @property
    def label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def mfa_on(self) -> bool:
        return bool(self.factors)


def account_of(membership: Membership | None) -> Account:
    """The account of a membership (None: an employee without a login)."""
    if membership is None:
        return Account(NONE)
    user = membership.user
    kinds = set(
        Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).values_list(
            "type", flat=True
        )
    )
    roles = list(
        RoleAssignment.objects.for_tenant(membership.tenant_id)
        .filter(membership=membership)
        .select_related("role")
        .order_by("role__name")
    )
    account = Account(
        NONE,
        membership=membership,
        last_sign_in=user.last_login,
        factors=[FACTOR_LABELS[k] for k in SECOND_FACTORS if k in kinds],
        roles=roles,
    )
    if not membership.is_active:
        account.state = DEACTIVATED
    elif has_login(user):
        account.state = ACTIVE
    else:
        account.invitation = (
            Invitation.objects.for_tenant(membership.tenant_id)
            .filter(
                membership=membership,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("-created_at")
            .first()
        )
        account.state = INVITED if account.invitation else NONE
    return account


def logins_without_file(
    actor: Actor, *, state: str = "", role: Role | None = None, search: str = "", limit: int = 100
) -> list[Membership]:
    """The company's logins that have no HR file (an external auditor, a consultant), for
    the People list: they are reached through the Members page of a login, not a profile.
    Only for viewers who see every member; narrowed by the list's account, role and search."""
    if not can_for(actor, "tenancy.view_members"):
        return []
    members = members_with_state(
        Membership.objects.for_actor(actor).filter(employee__isnull=True).select_related("user")
    )
    if state and state != "member":
        members = filter_by_state(members, state)
    if role is not None:
        members = with_role(actor, members, role, "pk")
    for word in search.split():
        members = members.filter(
            Q(user__email__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
        )
    rows = list(members.order_by("user__last_name", "user__first_name", "pk")[:limit])
    for row in rows:
        row.account_state = state_of_row(row)  # type: ignore[attr-defined]
    return rows
