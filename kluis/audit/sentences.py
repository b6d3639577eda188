"""The audit log as sentences in the reader's language: "Anna Peeters changed the bank account
of Bob Janssens".

Each app registers a sentence for every action it records (from its AppConfig.ready), with
the kind of event it is (kluis.audit.policy: the kinds group the filter and decide which
readers see an event), and the labels of the fields its changes name:

    sentences.register("employee.updated", "people", _("%(actor)s changed %(object)s"),
                       with_fields=_("%(actor)s changed %(fields)s of %(object)s"))
    sentences.field_labels("people.employee", {"iban": _("Bank account (IBAN)")})

A sentence names who, what and which fields, never a value: values stay on the event's
detail page, where the visibility policy decides what this reader sees of them. An object
label the reader may not see reads "someone" (kluis.access.visibility.shown_label).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kluis.access import visibility
from kluis.audit.policy import KINDS  # the kinds live with the rule that reads them

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from kluis.audit.models import AuditEvent

# How many field names a sentence lists before "and 3 other fields".
FIELDS_NAMED = 3


@dataclass(frozen=True)
class Sentence:
    action: str
    kind: str
    text: StrOrPromise  # %(actor)s, %(object)s
    with_fields: StrOrPromise | None = None  # %(actor)s, %(object)s, %(fields)s


_SENTENCES: dict[str, Sentence] = {}
_FIELD_LABELS: dict[str, dict[str, str | Promise]] = {}


def register(
    action: str, kind: str, text: StrOrPromise, *, with_fields: StrOrPromise | None = None
) -> Sentence:
    """The sentence of one action. Registering an action twice with another kind is an
    error (the filter and the readers' rule would disagree)."""
    if kind not in KINDS:
        raise ValueError(f"{action}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    known = _SENTENCES.get(action)
    if known is not None and known.kind != kind:
        raise ValueError(f"{action} is already registered as {known.kind!r}")
    sentence = Sentence(action, kind, text, with_fields)
    _SENTENCES[action] = sentence
    return sentence


def register_all(kind: str, sentences: Mapping[str, Any]) -> None:
    """Several actions of one kind: {action: text} or {action: (text, with_fields)}."""
    for action, text in sentences.items():
        if isinstance(text, tuple):
            register(action, kind, text[0], with_fields=text[1])
        else:
            register(action, kind, text)


def field_labels(object_type: str, labels: Mapping[str, str | Promise]) -> None:
    """The translated names of the fields an object type's changes name."""
    _FIELD_LABELS.setdefault(object_type, {}).update(labels)


def sentence_of(action: str) -> Sentence | None:
    return _SENTENCES.get(action)


def actions() -> list[str]:
    return sorted(_SENTENCES)


def action_label(action: str) -> str:
    """A short name of an action for the filter, in the reader's language, from its
    sentence: "Someone invited …" for invitation.sent; an unregistered action reads as its
    code in words ("report exported")."""
    registered = _SENTENCES.get(action)
    if registered is None:
        return capfirst(action.replace(".", " ").replace("_", " "))
    filler = {"actor": _("Someone"), "object": "\u2026", "fields": "\u2026"}
    return capfirst(str(registered.text) % filler)


def action_choices(codes: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's actions grouped by their kind (in KINDS' order, unregistered ones
    last under "Other"), each named by action_label; the values stay the codes."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in codes:
        registered = _SENTENCES.get(code)
        kind = registered.kind if registered is not None else ""
        groups.setdefault(kind, []).append((code, action_label(code)))
    order = [*KINDS, ""]
    return [
        (str(KINDS[kind].label) if kind else _("Other"), sorted(items, key=lambda i: i[1]))
        for kind in order
        if (items := groups.get(kind))
    ]


def actions_of_kind(kind: str) -> list[str]:
    return sorted(a for a, s in _SENTENCES.items() if s.kind == kind)


def field_label(object_type: str, name: str) -> str:
    label = _FIELD_LABELS.get(object_type, {}).get(name)
    text = str(label) if label is not None else name.replace("_", " ")
    # In the middle of a sentence: "changed the Home address" reads "changed home address".
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _changed_fields(event: AuditEvent) -> list[str]:
    changes = event.changes
    if not isinstance(changes, dict):
        return []
    # Only {old, new} pairs are changed fields; other keys describe the event (a count, a
    # format, the filters of an export).
    names = [
        str(key)
        for key, value in changes.items()
        if isinstance(value, dict) and value and set(value) <= {"old", "new"}
    ]
    fields = changes.get("fields")  # a view of sensitive data lists the fields it showed
    if not names and isinstance(fields, list):
        names = [str(name) for name in fields]
    return names


def join_fields(labels: list[str]) -> str:
    """ "a", "a and b", "a, b and c", "a, b, c and 2 other fields"."""
    if len(labels) > FIELDS_NAMED:
        rest = len(labels) - FIELDS_NAMED
        others = ngettext("%(count)d other field", "%(count)d other fields", rest) % {"count": rest}
        labels = [*labels[:FIELDS_NAMED], others]
    if len(labels) == 1:
        return labels[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def sentence(event: AuditEvent, *, actor: str, object_label: str) -> str:
    """The event as a sentence; `actor` and `object_label` as this reader may see them."""
    if object_label == visibility.HIDDEN:
        object_label = _("someone")
    elif not object_label:
        object_label = _("the company")
    registered = _SENTENCES.get(event.action)
    if registered is None:  # recorded by a version that registered no sentence for it
        return _("%(actor)s: %(action)s on %(object)s") % {
            "actor": actor,
            "action": event.action,
            "object": object_label,
        }
    names = _changed_fields(event)
    values = {"actor": actor, "object": object_label}
    if names and registered.with_fields is not None:
        labels = [field_label(event.object_type, name) for name in names]
        return str(registered.with_fields) % {**values, "fields": join_fields(labels)}
    return str(registered.text) % values
