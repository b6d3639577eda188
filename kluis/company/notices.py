"""Telling members something in the app and by e-mail, in each one's language.

`notify()` runs inside the change's transaction: the notices are rows written with the
change (never for a rolled-back one), and the e-mails are queued when it commits, sent by
the worker. A notice's text is composed per recipient, in their language."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.company.models import Notice
from kluis.identity.languages import speaking_to
from kluis.tenancy.models import Membership

# (subject line, body) in the language active when called.
Compose = Callable[[], tuple[str, str]]


def notify(
    members: Iterable[Membership],
    *,
    topic: str,
    compose: Compose,
    url: str = "",
    mail: bool = True,
) -> list[Notice]:
    """A notice for each active member (each once), e-mailed after commit."""
    made: list[Notice] = []
    seen: set[int] = set()
    for membership in members:
        if membership.pk in seen or not membership.is_active:
            continue
        seen.add(membership.pk)
        with speaking_to(membership.user):
            title, body = compose()
        made.append(
            Notice(
                tenant_id=membership.tenant_id,
                membership=membership,
                topic=topic[:60],
                title=title[:200],
                body=body,
                url=url[:300],
            )
        )
    Notice.objects.bulk_create(made)
    if mail and made:
        ids = [notice.pk for notice in made]
        transaction.on_commit(lambda: send_notices.enqueue(ids))
    return made


@task()
def send_notices(notice_ids: list[int]) -> int:
    """E-mail each notice to its member (the text as written for them)."""
    from django.conf import settings
    from django.core.mail import send_mail

    from kluis.operations.mailing import on_behalf_of

    base = (settings.PUBLIC_URL or "").rstrip("/")
    sent = 0
    for notice in Notice.objects.filter(pk__in=notice_ids).select_related("membership__user"):
        body = notice.body
        if notice.url:
            body = f"{body}\n\n{base}{notice.url}" if base else f"{body}\n\n{notice.url}"
        with on_behalf_of(notice.tenant_id):
            sent += send_mail(notice.title, body, None, [notice.membership.user.email])
    return sent


def unread(actor: Actor) -> int:
    if actor.membership is None:
        return 0
    return Notice.objects.for_actor(actor).filter(membership=actor.membership, read_at=None).count()


def mark_read(actor: Actor, notice_ids: list[int] | None = None) -> int:
    """Mark the actor's own notices read (all when no ids are given); how many."""
    if actor.membership is None:
        return 0
    rows = Notice.objects.for_actor(actor).filter(membership=actor.membership, read_at=None)
    if notice_ids is not None:
        rows = rows.filter(pk__in=notice_ids)
    return rows.update(read_at=timezone.now())
