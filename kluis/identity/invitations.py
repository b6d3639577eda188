"""Invitations (issue 13): HR invites a member of the company by e-mail; the link lets
that one person set their first password (or sign in through the company's single
sign-on, when it has one), once, until it expires.

- The token is 256 random bits, derived from a random `nonce` with the secret key; the
  database keeps its SHA-256 and the nonce, never the token, so neither a copy of the
  database nor the task queue (which carries only the invitation's id) opens a link.
- A link works once and for `settings.INVITATION_DAYS` (KLUIS_INVITATION_DAYS, default 7).
  Sending again (resend) revokes every earlier pending link of the member; HR can revoke.
- Accepting sets the password of the invited member's user and nothing else; a user who
  already has a password keeps it (the link only closes). Every step is an audit event of
  the company (invitation.sent, invitation.resent, invitation.revoked,
  invitation.accepted). Unknown tokens count as failures of the address that sent them
  (kluis/identity/brute_force.py), so guessing is throttled like password guessing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.identity import languages
from kluis.identity.languages import speaking_to
from kluis.identity.models import Invitation, User
from kluis.identity.sso.models import IdentityProvider
from kluis.tenancy.models import Membership, Tenant

DEFAULT_DAYS = 7
PERMISSION = "tenancy.manage_members"
_SALT = "kluis.identity.invitation"

# Told, inside the transaction that accepts it (a first password, or a first single sign-on),
# that an invitation was accepted: kluis.people puts it in the inboxes of those who invite.
AcceptedListener = Callable[[Invitation], None]
_ACCEPTED: list[AcceptedListener] = []


def on_accepted(listener: AcceptedListener) -> None:
    if listener not in _ACCEPTED:
        _ACCEPTED.append(listener)


def _tell_accepted(invitation: Invitation) -> None:
    for listener in _ACCEPTED:
        listener(invitation)


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "INVITATION_DAYS", DEFAULT_DAYS)))


def token_of(invitation: Invitation) -> str:
    """The link's token, derived from the stored nonce with the secret key."""
    return salted_hmac(_SALT, invitation.nonce, algorithm="sha256").hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_login(user: User) -> bool:
    """Whether the person can sign in: a password, or an identity at their company's
    single sign-on provider (linked at their first SSO sign-in)."""
    return user.has_usable_password() or SocialAccount.objects.filter(user=user).exists()


def sso_provider_for(invitation: Invitation) -> IdentityProvider | None:
    """The company's enabled single sign-on, offered on the invitation page."""
    return (
        IdentityProvider.objects.for_tenant(invitation.membership.tenant_id)
        .filter(enabled=True)
        .select_related("tenant")
        .first()
    )


def fulfilled_by_sso(user: User, tenant: Tenant, ip: str = "") -> int:
    """The person signed in through the company's single sign-on for the first time (the
    account is now linked): their open invitation links of that company close, as if
    accepted (`invitation.accepted`, method "single sign-on"). How many closed."""
    now = timezone.now()
    with transaction.atomic():
        pending = list(
            Invitation.objects.for_tenant(tenant)
            .select_for_update()
            .filter(
                membership__user=user,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            )
            .select_related("membership__tenant")
        )
        for invitation in pending:
            invitation.accepted_at = now
            invitation.save(update_fields=["accepted_at"])
            _audit(
                Actor.for_member(invitation.membership, ip=ip),
                "invitation.accepted",
                invitation,
                email=user.email,
                method="single sign-on",
            )
            _tell_accepted(invitation)
    return len(pending)


def _authorize(actor: Actor, membership: Membership) -> None:
    if actor.tenant is None or actor.tenant.pk != membership.tenant_id:
        raise PermissionDenied(_("Not a member of this company."))
    authorize(actor, PERMISSION)


def _audit(actor: Actor, action: str, invitation: Invitation, **changes: object) -> None:
    record(
        actor,
        action,
        tenant=invitation.membership.tenant,
        target=invitation.membership,
        changes={"invitation": invitation.pk, **changes},
    )


def invite(actor: Actor, membership: Membership, origin: str) -> Invitation:
    """E-mail the member a new link (revoking any earlier one): `invitation.sent`, or
    `invitation.resent` when an earlier one was pending. `origin` is the site's address
    (scheme and host) the link starts with."""
    _authorize(actor, membership)
    if not membership.is_active:
        raise ValidationError(_("A deactivated member cannot be invited."))
    if has_login(membership.user):
        raise ValidationError(
            _("%(email)s can already sign in.") % {"email": membership.user.email}
        )
    now = timezone.now()
    languages.remember_if_unknown(membership.user)  # never signed in: the inviter's
    with transaction.atomic():
        earlier = _pending(membership, now)
        resent = earlier.exists()
        earlier.update(revoked_at=now)
        nonce = secrets.token_urlsafe(32)
        invitation = Invitation(
            tenant_id=membership.tenant_id,
            membership=membership,
            nonce=nonce,
            invited_by=actor.label[:254],
            created_at=now,
            expires_at=now + lifetime(),
        )
        invitation.token_hash = _hash(token_of(invitation))
        invitation.save()
        _audit(
            actor,
            "invitation.resent" if resent else "invitation.sent",
            invitation,
            email=membership.user.email,
            expires_at=invitation.expires_at.isoformat(),
        )
        invitation_id = invitation.pk
        transaction.on_commit(lambda: send_invitation.enqueue(invitation_id, origin))
    return invitation


def _pending(membership: Membership, now: dt.datetime) -> QuerySet[Invitation]:
    return Invitation.objects.for_tenant(membership.tenant).filter(
        membership=membership, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )


def revoke(actor: Actor, invitation: Invitation) -> None:
    """Close a pending link; an accepted, expired or revoked one is left as it is."""
    _authorize(actor, invitation.membership)
    now = timezone.now()
    with transaction.atomic():
        closed = (
            Invitation.objects.for_tenant(invitation.membership.tenant)
            .filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True)
            .update(revoked_at=now)
        )
        if not closed:
            raise ValidationError(_("This invitation was already used or revoked."))
        _audit(actor, "invitation.revoked", invitation, email=invitation.membership.user.email)


def pending_invitations(
    tenant: Tenant, membership_ids: list[int] | None = None
) -> list[Invitation]:
    """The company's open links (of these members), newest first."""
    rows = (
        Invitation.objects.for_tenant(tenant)
        .filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("membership__user")
    )
    if membership_ids is not None:
        rows = rows.filter(membership_id__in=membership_ids)
    return list(rows)


# --- the invitee's side ---------------------------------------------------------------


def find(token: str) -> Invitation | None:
    """The invitation a token opens (pending or not); None for a token no one was sent."""
    if not token or len(token) > 128:
        return None
    return (
        Invitation.objects.filter(token_hash=_hash(token))
        .select_related("membership__user", "membership__tenant")
        .first()
    )


def usable(invitation: Invitation | None, now: dt.datetime | None = None) -> bool:
    if invitation is None or not invitation.is_pending(now or timezone.now()):
        return False
    membership = invitation.membership
    return membership.is_active and membership.tenant.is_active and membership.user.is_active


def accept(token: str, password: str, *, ip: str | None = None) -> User:
    """Set the invited user's first password and close the link. ValidationError (and no
    change) for a link that is unknown, used, expired or revoked, or a password the
    validators refuse."""
    with transaction.atomic():
        invitation = find(token)
        if invitation is not None:
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not usable(invitation):
            raise ValidationError(_("This invitation link is not valid any more."))
        assert invitation is not None  # for mypy: usable() is False for None
        membership = invitation.membership
        user = User.objects.select_for_update().get(pk=membership.user_id)
        if has_login(user):
            raise ValidationError(_("You can already sign in: use your password."))
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        now = timezone.now()
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        Invitation.objects.filter(
            membership__user=user, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        _audit(
            Actor.for_member(membership, ip=ip or ""),
            "invitation.accepted",
            invitation,
            email=user.email,
        )
        _tell_accepted(invitation)
    return user


# --- the e-mail -------------------------------------------------------------------------


@task()
def send_invitation(invitation_id: int, origin: str) -> int:
    """E-mail the link (built here, from the nonce: the queue never holds the token)."""
    invitation = (
        Invitation.objects.select_related("membership__user", "membership__tenant")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not usable(invitation):
        return 0  # revoked or resent before the worker got to it
    user, company = invitation.membership.user, invitation.membership.tenant
    link = origin.rstrip("/") + reverse("identity:invitation", args=[token_of(invitation)])
    with speaking_to(user):
        subject = _("You are invited to %(company)s on Kluis") % {"company": company.name}
        body = _(
            "Hello %(name)s,\n\n%(company)s invites you to Kluis, where you can see and "
            "keep your own HR details up to date.\n\nChoose your password here: "
            "%(link)s\n\nThe link works once and until %(expires)s. If you did not expect "
            "this e-mail, you can ignore it."
        ) % {
            "name": user.first_name or user.email,
            "company": company.name,
            "link": link,
            "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        }
    return send_mail(subject, body, None, [user.email])
