"""Each member's choice, per kind of notice, of how they hear of it: in the app only, or
also by e-mail at once or in the daily digest; and the hour of that daily digest (local
time, settings.TIME_ZONE). A member sets only their own; a kind that requires e-mail
(security notices) refuses "in the app only". No row: the kind's default (and 07:00)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import grants_of
from kluis.access.permissions import Scope
from kluis.audit.services import record
from kluis.company.models import (
    DEFAULT_DIGEST_HOUR,
    Notice,
    NoticeDigestSchedule,
    NoticePreference,
)
from kluis.company.notices import delivery_for
from kluis.company.notices_kinds import (
    PREFERENCE_OBJECT,
    NoticeKind,
    all_kinds,
    get_kind,
    is_kind,
)
from kluis.integrations.events import emit
from kluis.tenancy.models import Membership

EVENT = "member.notice_preferences_changed"  # in the outbox, not offered as a webhook
# The key of the digest hour in the audit event's changes (beside the kinds' keys).
DIGEST_HOUR_KEY = "digest_hour"


@dataclass(frozen=True)
class Preference:
    kind: NoticeKind
    delivery: str
    chosen: bool  # False: the kind's default


def _own(actor: Actor) -> None:
    if actor.is_system or actor.membership is None or actor.tenant is None:
        raise PermissionDenied(_("Only a member sets their own notice preferences."))


def _over_others(actor: Actor, permission: str) -> bool:
    """The actor holds `permission` over someone besides themself (their team or the
    company): an employee's own-record grants do not make them an approver."""
    return grants_of(actor).get(permission) in (Scope.TEAM, Scope.COMPANY)


def preferences_of(actor: Actor) -> list[Preference]:
    """Every kind the actor may get (its audience, or they got or chose it before), with
    how the actor hears of it."""
    _own(actor)
    chosen = dict(
        NoticePreference.objects.for_actor(actor)
        .filter(membership=actor.membership)
        .values_list("kind", "delivery")
    )
    received = set(
        Notice.objects.for_actor(actor)
        .filter(membership=actor.membership)
        .values_list("topic", flat=True)
        .distinct()
    )
    return [
        Preference(kind, delivery_for(kind, chosen.get(kind.key)), kind.key in chosen)
        for kind in all_kinds()
        if not kind.audience
        or any(_over_others(actor, permission) for permission in kind.audience)
        or kind.key in chosen
        or kind.key in received
    ]


def hour_text(hour: int) -> str:
    return f"{hour:02d}:00"


def digest_hour_of(actor: Actor) -> int:
    """The local hour the actor's daily digest goes out."""
    _own(actor)
    hour = (
        NoticeDigestSchedule.objects.for_actor(actor)
        .filter(membership=actor.membership)
        .values_list("hour", flat=True)
        .first()
    )
    return DEFAULT_DIGEST_HOUR if hour is None else hour


def set_preferences(
    actor: Actor, choices: dict[str, str], *, digest_hour: int | None = None
) -> dict[str, dict[str, str]]:
    """Keep the actor's choices (kind key -> delivery) and, when given, the hour of their
    daily digest; what changed (key -> old, new; the hour under DIGEST_HOUR_KEY). An
    unknown kind, a delivery the kind does not offer or an hour outside 0-23 changes
    nothing."""
    _own(actor)
    errors = []
    if digest_hour is not None and not (isinstance(digest_hour, int) and 0 <= digest_hour <= 23):
        errors.append(_("Choose an hour of the day for the daily e-mail."))
    for key, delivery in choices.items():
        if not is_kind(key):
            errors.append(_("There is no kind of notice called %(kind)s.") % {"kind": key})
            continue
        kind = get_kind(key)
        if not kind.allows(delivery):
            errors.append(
                _("%(kind)s: choose one of the offered ways.") % {"kind": str(kind.label)}
            )
    if errors:
        raise ValidationError(errors)
    membership, tenant = actor.membership, actor.tenant
    assert membership is not None and tenant is not None
    by_key = {kind.key: kind for kind in all_kinds()}
    with transaction.atomic():
        # One save at a time per member (two first choices must not both insert).
        Membership.objects.for_actor(actor).select_for_update().filter(pk=membership.pk).get()
        rows = NoticePreference.objects.for_actor(actor).filter(membership=membership)
        existing = {row.kind: row for row in rows}
        changes: dict[str, dict[str, str]] = {}
        for key, delivery in choices.items():
            row = existing.get(key)
            before = delivery_for(by_key[key], row.delivery if row else None)
            if row is None and delivery == before:
                continue  # the default, kept as the default
            if row is None:
                NoticePreference.objects.create(
                    tenant=tenant, membership=membership, kind=key, delivery=delivery
                )
            elif row.delivery != delivery:
                row.delivery = delivery
                row.save(update_fields=["delivery", "updated_at"])
            if before != delivery:
                changes[key] = {"old": before, "new": delivery}
        if digest_hour is not None:
            schedule = (
                NoticeDigestSchedule.objects.for_actor(actor).filter(membership=membership).first()
            )
            before_hour = DEFAULT_DIGEST_HOUR if schedule is None else schedule.hour
            if schedule is None and digest_hour != DEFAULT_DIGEST_HOUR:
                # (the digest sender may make the row at the same moment: get_or_create)
                schedule, _made = NoticeDigestSchedule.objects.get_or_create(
                    membership=membership, defaults={"tenant": tenant, "hour": digest_hour}
                )
            if schedule is not None and schedule.hour != digest_hour:
                schedule.hour = digest_hour
                schedule.save(update_fields=["hour"])
            if before_hour != digest_hour:
                changes[DIGEST_HOUR_KEY] = {
                    "old": hour_text(before_hour),
                    "new": hour_text(digest_hour),
                }
        if changes:
            record(
                actor,
                "notice_preferences.changed",
                tenant=tenant,
                object_type=PREFERENCE_OBJECT,
                object_id=membership.pk,
                object_repr=membership.user.email,
                changes=changes,
            )
            emit(EVENT, tenant=tenant, target=membership, payload={"kinds": sorted(changes)})
    return changes
