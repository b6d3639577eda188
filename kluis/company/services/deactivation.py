"""Deactivating a member ends their access to the company at once: they no longer work in
it (TenantMiddleware shows only active memberships), every signed-in session of theirs
ends (in every company: a session belongs to the person, not to one company, so their
work elsewhere only needs a new sign-in), and the OAuth access and refresh tokens issued
to them for apps they connected for this company are revoked. Reactivating gives the
membership back (roles kept); tokens stay revoked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.access.models import RoleAssignment
from kluis.audit.services import record
from kluis.identity.models import User
from kluis.identity.sessions import end_all_sessions
from kluis.integrations.events import emit
from kluis.integrations.models import OAuthConnection
from kluis.tenancy.models import Membership

PERMISSION = "tenancy.manage_members"


def _check(actor: Actor, membership: Membership) -> None:
    if not actor.is_system:
        if actor.tenant is None or actor.tenant.pk != membership.tenant_id:
            raise PermissionDenied(_("Not a member of this company."))
        authorize(actor, PERMISSION)


def _revoke_oauth_tokens(membership: Membership) -> int:
    """Revoke the tokens of the apps the member connected for this company."""
    from oauth2_provider.models import (
        get_access_token_model,
        get_grant_model,
        get_refresh_token_model,
    )

    revoked = 0
    applications = OAuthConnection.objects.for_tenant(membership.tenant_id).filter(
        user_id=membership.user_id
    )
    for application_id in applications.values_list("application_id", flat=True):
        lookup = {"application_id": application_id, "user_id": membership.user_id}
        revoked += (
            get_refresh_token_model()
            .objects.filter(revoked__isnull=True, **lookup)
            .update(revoked=timezone.now())
        )
        revoked += get_access_token_model().objects.filter(**lookup).delete()[0]
        get_grant_model().objects.filter(**lookup).delete()
    return revoked


def deactivate_member(actor: Actor, membership: Membership) -> Membership:
    _check(actor, membership)
    if actor.membership is not None and actor.membership.pk == membership.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    with transaction.atomic():
        locked = (
            Membership.objects.for_tenant(membership.tenant_id)
            .select_for_update()
            .select_related("user", "tenant")
            .get(pk=membership.pk)
        )
        if not locked.is_active:
            raise ValidationError(_("This member is already deactivated."))
        owners = RoleAssignment.objects.for_tenant(locked.tenant_id).filter(
            role__builtin_key="owner", membership__is_active=True
        )
        if (
            owners.filter(membership=locked).exists()
            and not owners.exclude(membership=locked).exists()
        ):
            raise ValidationError(_("The company's last owner cannot be deactivated."))
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        user = locked.user
        assert isinstance(user, User)
        sessions = end_all_sessions(user)
        tokens = _revoke_oauth_tokens(locked)
        record(
            actor,
            "membership.deactivated",
            tenant=locked.tenant,
            target=locked,
            changes={
                "is_active": {"old": True, "new": False},
                "sessions_ended": sessions,
                "oauth_tokens_revoked": tokens,
            },
        )
        emit("member.deactivated", tenant=locked.tenant, target=locked)
    membership.is_active = False
    return membership


def reactivate_member(actor: Actor, membership: Membership) -> Membership:
    _check(actor, membership)
    with transaction.atomic():
        locked = (
            Membership.objects.for_tenant(membership.tenant_id)
            .select_for_update()
            .select_related("tenant")
            .get(pk=membership.pk)
        )
        if locked.is_active:
            raise ValidationError(_("This member is already active."))
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        record(
            actor,
            "membership.reactivated",
            tenant=locked.tenant,
            target=locked,
            changes={"is_active": {"old": False, "new": True}},
        )
        emit("member.reactivated", tenant=locked.tenant, target=locked)
    membership.is_active = True
    return membership
