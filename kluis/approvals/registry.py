"""The actions a company can hold for a second approver, registered by the apps that own
them (from their AppConfig.ready): this app knows none of them.

Each action names the permission an approver must hold for the whole company, how to
apply an approved request (through the action's own service, with the approver's actor
stamped so the audit event names both people), and, optionally, the target's current
fingerprint (a request whose target changed meanwhile cannot be approved) and the users
who may never approve it besides the requester (the leaver of an offboarding)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from kluis.access.actor import Actor
    from kluis.approvals.models import ApprovalRequest


@dataclass(frozen=True)
class ApprovalAction:
    key: str  # "role.grant_privileged"
    label: StrOrPromise  # "Grant Owner, HR admin or Auditor"
    approve_permission: str
    # Apply an approved request: call the action's service with `actor` (the approver,
    # stamped with the approval); return what to keep as the result ({"url": ...}).
    apply: Callable[[Actor, ApprovalRequest], dict[str, Any] | None]
    # The target's state now, compared with the one stored at request time ("" = none).
    fingerprint: Callable[[ApprovalRequest], str] | None = None
    # User ids who may never approve this request (the requester always is one).
    excluded_users: Callable[[ApprovalRequest], set[int]] | None = None
    # False: always held (an offboarding); True: held when the company chose it.
    optional: bool = True
    description: StrOrPromise = ""
    # What else an approver must hold company-wide: applying runs the action's service as
    # the approver (a wage change needs `people.edit` besides `people.view_salary`).
    also_requires: tuple[str, ...] = ()

    @property
    def approve_permissions(self) -> tuple[str, ...]:
        return (self.approve_permission, *self.also_requires)


_ACTIONS: dict[str, ApprovalAction] = {}


def register(action: ApprovalAction) -> None:
    _ACTIONS[action.key] = action


def get(key: str) -> ApprovalAction:
    return _ACTIONS[key]


def is_registered(key: str) -> bool:
    return key in _ACTIONS


def all_actions() -> list[ApprovalAction]:
    return sorted(_ACTIONS.values(), key=lambda action: action.key)


def optional_actions() -> list[ApprovalAction]:
    return [action for action in all_actions() if action.optional]
