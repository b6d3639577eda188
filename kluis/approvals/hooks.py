"""Who else hears of a request's life: the inbox (kluis/company) tells the approvers and
the requester, the outbox (kluis/integrations) emits `approval.*` events. Both sit above
this app, so they register a listener; each is called inside the transaction that
changed the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kluis.approvals.models import ApprovalPolicy, ApprovalRequest

# requested, approved, rejected, expired, withdrawn, stale, failed
Listener = Callable[[str, "ApprovalRequest"], None]
_LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def tell(what: str, request: ApprovalRequest) -> None:
    for listener in _LISTENERS:
        listener(what, request)


# The company's choice of held actions changed: (the policy as saved, the changed fields).
PolicyListener = Callable[["ApprovalPolicy", list[str]], None]
_POLICY_LISTENERS: list[PolicyListener] = []


def listen_to_policy(listener: PolicyListener) -> None:
    if listener not in _POLICY_LISTENERS:
        _POLICY_LISTENERS.append(listener)


def tell_policy(policy: ApprovalPolicy, fields: list[str]) -> None:
    for listener in _POLICY_LISTENERS:
        listener(policy, fields)
