"""Telling members something in their inbox and, as each chose, by e-mail, in each one's
language.

`notify()` runs inside the change's transaction: the notices are rows written with the
change (never for a rolled-back one). Each notice names a registered kind
(kluis/company/notices_kinds.py) and keeps how its member chose to hear of that kind: at
once by e-mail (queued when the change commits, sent by the worker), in the daily digest
(kluis/company/notices_delivery.py) or in the app only. A notice's text is composed per
recipient, in their language."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.company.models import Delivery, Notice, NoticePreference
from kluis.company.notices_delivery import send_notices
from kluis.company.notices_kinds import NoticeKind, get_kind
from kluis.identity.languages import speaking_to
from kluis.tenancy.models import Membership

__all__ = ["delivery_for", "mark_read", "notify", "send_notices", "settle", "unread"]

# (subject line, body) in the language active when called.
Compose = Callable[[], tuple[str, str]]


def delivery_for(kind: NoticeKind, chosen: str | None) -> str:
    """A member's choice if the kind allows it, else the kind's default."""
    return chosen if chosen is not None and kind.allows(chosen) else kind.default_delivery


def notify(
    members: Iterable[Membership],
    *,
    topic: str,
    compose: Compose,
    url: str = "",
    mail: bool = True,
) -> list[Notice]:
    """A notice of kind `topic` for each active member (each once), e-mailed as they chose
    (`mail=False`: never, for a kind whose e-mail another part of Kluis sends itself)."""
    kind = get_kind(topic)
    made: list[Notice] = []
    seen: set[int] = set()
    recipients = []
    for membership in members:
        if membership.pk in seen or not membership.is_active:
            continue
        seen.add(membership.pk)
        recipients.append(membership)
    chosen = dict(
        NoticePreference.objects.filter(
            membership__in=[m.pk for m in recipients], kind=kind.key
        ).values_list("membership_id", "delivery")
    )
    for membership in recipients:
        with speaking_to(membership.user):
            title, body = compose()
        delivery = delivery_for(kind, chosen.get(membership.pk)) if mail else Delivery.APP
        made.append(
            Notice(
                tenant_id=membership.tenant_id,
                membership=membership,
                topic=kind.key,
                title=title[:200],
                body=body,
                url=url[:300],
                delivery=delivery,
            )
        )
    Notice.objects.bulk_create(made)
    now = [notice.pk for notice in made if notice.delivery == Delivery.EMAIL]
    if now:
        transaction.on_commit(lambda: send_notices.enqueue(now))
    return made


def unread(actor: Actor) -> int:
    if actor.membership is None:
        return 0
    return Notice.objects.for_actor(actor).filter(membership=actor.membership, read_at=None).count()


def mark_read(actor: Actor, notice_ids: list[int] | None = None, *, topic: str = "") -> int:
    """Mark the actor's own notices read (all when no ids are given, or all of one kind);
    how many. Reading one's own inbox changes no company data: no audit event."""
    if actor.membership is None:
        return 0
    rows = Notice.objects.for_actor(actor).filter(membership=actor.membership, read_at=None)
    if notice_ids is not None:
        rows = rows.filter(pk__in=notice_ids)
    if topic:
        rows = rows.filter(topic=topic)
    return rows.update(read_at=timezone.now())


def settle(tenant_id: int, *, topic: str, url: str) -> int:
    """Mark read, for everyone in the company, the still-unread notices of kind `topic`
    about `url` once what they asked for is done (a request decided, withdrawn or moved
    on to someone else): they no longer wait for anyone. How many. Called inside the
    change's transaction; the change itself is audited by its own service."""
    rows = Notice.objects.for_tenant(tenant_id).filter(topic=topic, url=url, read_at=None)
    return rows.update(read_at=timezone.now())
