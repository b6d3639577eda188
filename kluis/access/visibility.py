"""Which permission reveals which field of which model: one policy that every reader applies.

Each app declares its models' fields once (`register`, from its AppConfig.ready); profile,
lists, history, the change feed, the audit viewer, its exports and the API then ask
`visible_fields` / `redact` instead of keeping masks of their own. Deny by default: a field
nobody declared, or any field of a model nobody registered, is hidden from everyone but
the system. What is stored never changes (the audit chain is hash-linked): only what one
viewer is shown of it, decided when it is read.

Scopes: with a `subject` (the person the values are about) a team or self grant counts
for that subject, through the check the owning app registered (people: `can_on`).
Without one, as in the audit log, a value is shown only when the permission is held for
the whole company.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.permissions import CATALOGUE

# Shown to whoever may read the record (or the log) it is part of; no further permission.
PLAIN = "plain"
# What a viewer sees in place of a value their permissions do not reveal.
HIDDEN = "[hidden]"

SubjectCheck = Callable[[Actor, str, Any], bool]


@dataclass
class ModelFields:
    """The declared fields of one object type (`app_label.model`, as in the audit log)."""

    object_type: str
    fields: dict[str, str] = field(default_factory=dict)
    # Permission that reveals the object's label (the audit row's object_repr).
    label: str = PLAIN
    # How a scoped grant reaches a subject (None: kluis.access's membership scopes).
    check: SubjectCheck | None = None


_REGISTRY: dict[str, ModelFields] = {}


def _valid(permission: str, where: str) -> str:
    if permission != PLAIN and permission not in CATALOGUE:
        raise ValueError(f"{where}: unknown permission {permission!r}")
    return permission


def register(
    object_type: str,
    fields: Mapping[str, str],
    *,
    label: str = PLAIN,
    check: SubjectCheck | None = None,
) -> ModelFields:
    """Declare which permission reveals each field of `object_type` (PLAIN: none beyond
    reading the record). Registering again adds fields; a field cannot change permission."""
    entry = _REGISTRY.setdefault(object_type, ModelFields(object_type))
    for name, permission in fields.items():
        _valid(permission, f"{object_type}.{name}")
        known = entry.fields.get(name)
        if known is not None and known != permission:
            raise ValueError(f"{object_type}.{name} is already declared with {known!r}")
        entry.fields[name] = permission
    entry.label = _valid(label, f"{object_type} label")
    if check is not None:
        entry.check = check
    return entry


def declared(object_type: str) -> ModelFields | None:
    return _REGISTRY.get(object_type)


def object_types() -> list[str]:
    return sorted(_REGISTRY)


def permission_for(object_type: str, name: str) -> str | None:
    """The permission that reveals a field; None when undeclared (hidden from everyone)."""
    entry = _REGISTRY.get(object_type)
    return entry.fields.get(name) if entry is not None else None


def _holds(actor: Actor, entry: ModelFields | None, permission: str | None, subject: Any) -> bool:
    if actor.is_system:
        return True
    if permission is None or entry is None:
        return False
    if permission == PLAIN:
        return True
    if subject is None:
        return can_for(actor, permission)  # company-wide only
    if entry.check is not None:
        return entry.check(actor, permission, subject)
    return can_for(actor, permission, subject)


def can_see(actor: Actor, object_type: str, name: str, subject: Any = None) -> bool:
    entry = _REGISTRY.get(object_type)
    permission = entry.fields.get(name) if entry is not None else None
    return _holds(actor, entry, permission, subject)


def visible_fields(
    actor: Actor, object_type: str, fields: Iterable[str], subject: Any = None
) -> list[str]:
    """The fields (in the given order) whose values this actor may see."""
    entry = _REGISTRY.get(object_type)
    # Decided once per permission, not per field: a page of employees asks this for
    # every row, and many fields share one permission.
    held: dict[str | None, bool] = {}
    out = []
    for name in fields:
        permission = entry.fields.get(name) if entry is not None else None
        if permission not in held:
            held[permission] = _holds(actor, entry, permission, subject)
        if held[permission]:
            out.append(name)
    return out


def _hide(value: Any) -> Any:
    """Keep the shape of an {old, new} change (so the viewer sees *that* it changed)."""
    if isinstance(value, dict) and value and set(value) <= {"old", "new"}:
        return {key: HIDDEN for key in value}
    return HIDDEN


def redact(actor: Actor, object_type: str, changes: Any, subject: Any = None) -> Any:
    """A copy of a change record (`{field: {"old", "new"}}` or `{field: value}`) with the
    values this actor may not see replaced by HIDDEN; field names stay."""
    if not isinstance(changes, dict):
        if not changes or _holds(actor, _REGISTRY.get(object_type), None, subject):
            return changes
        return HIDDEN
    shown = set(visible_fields(actor, object_type, changes, subject))
    return {key: value if key in shown else _hide(value) for key, value in changes.items()}


def shown_label(actor: Actor, object_type: str, label: str, subject: Any = None) -> str:
    """An object's label (e.g. an audit row's object_repr), unless it is itself protected
    (an emergency contact's name is private data); unregistered types show theirs."""
    if not label or not object_type:
        return label
    entry = _REGISTRY.get(object_type)
    permission = entry.label if entry is not None else None
    return label if _holds(actor, entry, permission, subject) else HIDDEN


def _register_infrastructure() -> None:
    """The records of the infrastructure layer (companies, members, roles, keys, the log
    itself). Domain apps register theirs from their AppConfig.ready."""
    register("tenancy.tenant", {"name": PLAIN, "slug": PLAIN})
    register(
        "tenancy.membership",
        {
            "email": "tenancy.view_members",
            "manager": "tenancy.view_members",
            "role": "access.view_roles",
        },
    )
    register(
        "access.role",
        {
            "name": "access.view_roles",
            "description": "access.view_roles",
            "permissions": "access.view_roles",
            # role.updated lists each changed grant under its permission code
            **{code: "access.view_roles" for code in CATALOGUE},
        },
    )
    register("crypto.tenantkey", {"master_key_id": PLAIN, "version": PLAIN, "versions": PLAIN})
    register("audit.auditevent", {"filters": PLAIN, "format": PLAIN})


_register_infrastructure()
