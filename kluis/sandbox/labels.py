"""A sandbox says so everywhere: a banner on every page (`banner`, a context processor,
shown by web/base.html), "[Sandbox]" on every e-mail sent on its behalf or to one of its
synthetic people (`label_mail`, through kluis.operations.mailing), and a `Kluis-Sandbox:
true` header on every API response to its credentials (`api_headers`, through
kluis.api.pipeline). None costs a query after a process's first look at a company."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.translation import gettext as _

from kluis.sandbox import selectors
from kluis.tenancy.models import Tenant

SUBJECT_PREFIX = "[Sandbox] "
HEADER = "Kluis-Sandbox"


def banner(request: HttpRequest) -> dict[str, Any]:
    return {"in_sandbox": selectors.is_sandbox(getattr(request, "tenant", None))}


def api_headers(tenant: Tenant) -> list[tuple[str, str]]:
    return [(HEADER, "true")] if selectors.is_sandbox(tenant) else []


def label_mail(message: EmailMessage, company_id: int | None) -> None:
    """Mark a message of a sandbox company (once)."""
    ours = company_id is not None and selectors.is_sandbox_id(company_id)
    recipients = [*message.to, *message.cc, *message.bcc]
    if not ours and not any(selectors.is_synthetic_address(str(a)) for a in recipients):
        return
    subject = str(message.subject or "")
    if subject.startswith(SUBJECT_PREFIX):
        return
    message.subject = SUBJECT_PREFIX + subject
    line = _("This e-mail comes from a sandbox: a test company with made-up people.")
    message.body = f"{line}\n\n{message.body or ''}"
    alternatives = getattr(message, "alternatives", None) or []
    for index, alternative in enumerate(alternatives):
        content, mimetype = alternative[0], alternative[1]
        if mimetype == "text/html":
            alternatives[index] = type(alternative)(
                f"<p><strong>{escape(line)}</strong></p>{content}", mimetype
            )
