"""The four-eyes request of an offboarding (kluis.approvals, action
`offboarding.revoke_access`): asked for when HR starts one, applied when a second person
with `offboarding.approve` approves it."""

from __future__ import annotations

from kluis.access.actor import Actor
from kluis.offboarding.models import Offboarding

ACTION = "offboarding.revoke_access"


def ask_for_approval(actor: Actor, offboarding: Offboarding) -> None:
    """Submit the approval request (until kluis.approvals is merged: nothing to submit)."""


def register_action() -> None:
    """Register `offboarding.revoke_access` with kluis.approvals (once merged)."""


def approval_url(offboarding: Offboarding) -> str:
    """The page of the approval request ("" when there is none)."""
    return ""
