"""The development outbox: every e-mail is printed to the console (as Django's console
backend does) and kept in the database, to be read at /dev/outbox/ (kluis.operations.views).

The default mail backend in development (settings.MAILERS); production refuses to start
with it (kluis/settings.py), since the page would show anyone signed in every message.
Only the newest `KEEP` messages are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone

BACKEND = "kluis.operations.outbox.OutboxBackend"
KEEP = 500


def enabled() -> bool:
    """Whether the mail Kluis sends goes to the outbox."""
    from kluis.operations.mailing import configured_backend

    return configured_backend(getattr(settings, "MAILERS", {}) or {}) == BACKEND


def _text(message: EmailMessage) -> str:
    body = str(message.body or "")
    if not body:
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/plain":
                return str(content)
        for content, _mimetype in getattr(message, "alternatives", []) or []:
            return str(content)
    return body


class OutboxBackend(ConsoleBackend):
    """Console output as before, plus a row per message in OutboxMessage."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from kluis.operations.models import OutboxMessage

        sent = super().send_messages(email_messages) or 0
        now = timezone.now()
        rows = [
            OutboxMessage(
                sent_at=now,
                from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL)[:254],
                to=", ".join([*message.to, *message.cc, *message.bcc]),
                subject=str(message.subject)[:998],
                body=_text(message),
            )
            for message in email_messages
        ]
        OutboxMessage.objects.bulk_create(rows)
        stale = OutboxMessage.objects.order_by("-sent_at", "-pk").values_list("pk", flat=True)[
            KEEP : KEEP + 1
        ]
        if stale:
            OutboxMessage.objects.filter(pk__lte=stale[0]).delete()
        return sent
