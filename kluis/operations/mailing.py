"""One place every e-mail passes before it leaves: the mail backend named in
MAILERS["default"] is wrapped by `LabellingBackend`, which lets registered labellers
change each message (kluis.sandbox marks mail sent on behalf of a sandbox company) and
hands it to the configured backend (OPTIONS["backend"], its own OPTIONS["options"]).

Which company a message is sent on behalf of: `on_behalf_of(tenant_id)` around the
sending (the web request of a company's member, a company's notices), read by labellers
through `current_company()`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

BACKEND = "kluis.operations.mailing.LabellingBackend"

Labeller = Callable[[EmailMessage, int | None], None]
_LABELLERS: list[Labeller] = []
_company: ContextVar[int | None] = ContextVar("kluis_mail_company", default=None)


def register_labeller(labeller: Labeller) -> None:
    if labeller not in _LABELLERS:
        _LABELLERS.append(labeller)


@contextmanager
def on_behalf_of(tenant_id: int | None) -> Iterator[None]:
    token = _company.set(tenant_id)
    try:
        yield
    finally:
        _company.reset(token)


def current_company() -> int | None:
    return _company.get()


def configured_backend(mailers: dict[str, Any]) -> str:
    """The backend that delivers (the one `LabellingBackend` wraps, or the one named)."""
    default = mailers.get("default", {}) or {}
    if default.get("BACKEND") == BACKEND:
        return str((default.get("OPTIONS") or {}).get("backend", ""))
    return str(default.get("BACKEND", ""))


def wrap(mailer: dict[str, Any]) -> dict[str, Any]:
    """A MAILERS entry that labels, then sends through `mailer`."""
    if mailer.get("BACKEND") == BACKEND:
        return mailer
    options = {"backend": mailer["BACKEND"], "options": dict(mailer.get("OPTIONS") or {})}
    return {**mailer, "BACKEND": BACKEND, "OPTIONS": options}


class LabellingBackend(BaseEmailBackend):
    def __init__(
        self,
        backend: str = "django.core.mail.backends.smtp.EmailBackend",
        options: dict[str, Any] | None = None,
        *,
        alias: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(alias=alias)
        self.inner = import_string(backend)(alias=alias, **{**(options or {}), **kwargs})

    def open(self) -> Any:
        return self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        company = current_company()
        for message in email_messages:
            for labeller in _LABELLERS:
                labeller(message, company)
        return int(self.inner.send_messages(email_messages) or 0)
