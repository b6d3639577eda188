"""The one registry of notice kinds: every notice names a registered kind, and each member
chooses per kind how they hear of it (kluis/company/notices_preferences.py).

Apps register their kinds from their AppConfig.ready (`register_kind`); the inbox, the
preferences page and the e-mails read them from here. A kind says what it is (label and
description in the reader's language), how it is delivered unless the member chose
otherwise, whether the member may choose at all (security notices: always e-mailed at
once), and how its e-mail is written (the subject builder; `email_body=False` keeps the
notice's text out of the e-mail, which then carries the title and the link only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

from kluis.access import visibility
from kluis.company.models import Delivery

if TYPE_CHECKING:
    from kluis.company.models import Notice

Label = str | Promise
# The e-mail's subject line for a notice, in the language active when called.
SubjectBuilder = Callable[["Notice"], str]


class UnknownKindError(ValueError):
    """A notice of a kind nobody registered."""


def default_subject(notice: Notice) -> str:
    """The notice's title (written in its member's language)."""
    return notice.title


@dataclass(frozen=True)
class NoticeKind:
    key: str
    label: Label
    description: Label
    default_delivery: str = Delivery.EMAIL
    # Security notices: always e-mailed at once, whatever the member prefers.
    email_always: bool = False
    # False: the e-mail names the notice and links to it, its text stays in the app.
    email_body: bool = True
    subject: SubjectBuilder = default_subject
    group: Label = ""
    # Who may get it: a member holding any of these over others (team or company); empty:
    # everyone. The preferences page offers a member only the kinds they may get (and any
    # kind they got or chose before), so an employee is not asked about webhooks.
    audience: tuple[str, ...] = ()

    def choices(self) -> list[tuple[str, str]]:
        """The deliveries a member may choose for this kind."""
        if self.email_always:
            return [(Delivery.EMAIL.value, str(Delivery.EMAIL.label))]
        return [(value, str(label)) for value, label in Delivery.choices]

    def allows(self, delivery: str) -> bool:
        return delivery in {value for value, _label in self.choices()}


_KINDS: dict[str, NoticeKind] = {}
PREFERENCE_OBJECT = "company.noticepreference"


def register_kind(
    key: str,
    label: Label,
    description: Label,
    *,
    default_delivery: str = Delivery.EMAIL,
    email_always: bool = False,
    email_body: bool = True,
    subject: SubjectBuilder = default_subject,
    group: Label = "",
    audience: tuple[str, ...] = (),
) -> NoticeKind:
    """Add a kind (once per key: registering the same key again must say the same)."""
    if not key or len(key) > 60:
        raise ValueError(f"register_kind({key!r}): a key of 1 to 60 characters")
    if default_delivery not in Delivery.values:
        raise ValueError(f"register_kind({key!r}): unknown delivery {default_delivery!r}")
    if email_always and default_delivery != Delivery.EMAIL:
        raise ValueError(f"register_kind({key!r}): always e-mailed, so the default is e-mail")
    kind = NoticeKind(
        key,
        label,
        description,
        default_delivery,
        email_always,
        email_body,
        subject,
        group,
        tuple(audience),
    )
    known = _KINDS.get(key)
    if known is not None and known != kind:
        raise ValueError(f"register_kind({key!r}): already registered differently")
    _KINDS[key] = kind
    # A member's choice for the kind shows in the audit log (nothing in it is secret).
    visibility.register(PREFERENCE_OBJECT, {key: visibility.PLAIN})
    return kind


def get_kind(key: str) -> NoticeKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise UnknownKindError(
            f"notice kind {key!r} is not registered (register_kind in the app's ready())"
        ) from None


def is_kind(key: str) -> bool:
    return key in _KINDS


def all_kinds() -> list[NoticeKind]:
    """Every kind, in the order the apps registered them."""
    return list(_KINDS.values())
