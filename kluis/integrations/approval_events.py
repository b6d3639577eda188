"""The two-person rule's webhook events (kluis/approvals/hooks.py): a request made,
approved, rejected, expired. Thin: the request's id, its action and status; never the
change's values (a client reads the request, as far as it may, from the API). And
`approval_policy.updated`: the company changed which actions are held (no API resource:
the payload names the changed fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from kluis.integrations.events import emit
from kluis.integrations.webhooks.catalogue import EventType, register

if TYPE_CHECKING:
    from kluis.approvals.models import ApprovalPolicy, ApprovalRequest

OBJECT = "approvals.approvalrequest"
POLICY = "approvals.approvalpolicy"
SENT = {"requested", "approved", "rejected", "expired"}


def register_all() -> None:
    from kluis.approvals import hooks
    from kluis.approvals.api import EXAMPLE

    common = {"object_type": OBJECT, "resource": "approvals"}
    for verb, summary, status in (
        ("requested", _("An action was held for a second person's approval"), "pending"),
        ("approved", _("A held action was approved and applied"), "approved"),
        ("rejected", _("A held action was rejected"), "rejected"),
        ("expired", _("A held action expired undecided"), "expired"),
    ):
        register(
            EventType(
                f"approval.{verb}",
                summary,
                **common,  # type: ignore[arg-type]
                example_object=dict(EXAMPLE) | {"status": status},
                details={"action": EXAMPLE["action"], "status": status},
            )
        )
    register(
        EventType(
            "approval_policy.updated",
            _("The actions held for a second person's approval changed"),
            POLICY,
            example_fields=("actions",),
            read="approvals.manage",
        )
    )
    hooks.listen(on_request)
    hooks.listen_to_policy(on_policy)


def on_request(what: str, request: ApprovalRequest) -> None:
    """A withdrawal, a request out of date and one that failed stay in the audit log."""
    if what not in SENT:
        return
    emit(
        f"approval.{what}",
        tenant=request.tenant,
        target=request,
        payload={"action": request.action, "status": request.status},
    )


def on_policy(policy: ApprovalPolicy, fields: list[str]) -> None:
    emit(
        "approval_policy.updated",
        tenant=policy.tenant,
        target=policy,
        payload={"fields": sorted(fields)},
    )
