"""The two-person rule in the inbox (kluis/approvals/hooks.py): a new request is put in
the inbox of everyone who may decide it (never the requester's own account, nor a person
the action excludes); the requester hears how it ended (approved, rejected, expired,
out of date, or approved but not applied). The notice names the action and its target,
never the change's values; it links to the request."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.approvals import hooks, registry, selectors
from kluis.approvals.models import ApprovalRequest, Status
from kluis.company.models import Delivery
from kluis.company.notices import notify, settle
from kluis.company.notices_kinds import register_kind
from kluis.tenancy.models import Membership

REQUESTED = "approvals.requested"
DECIDED = "approvals.decided"
# What the requester is told of (a withdrawal is their own doing).
TOLD = {Status.APPROVED, Status.REJECTED, Status.EXPIRED, Status.STALE, Status.FAILED}


def register() -> None:
    group = gettext_lazy("Approvals")
    register_kind(
        REQUESTED,
        gettext_lazy("A request waits for your approval"),
        gettext_lazy("Someone asked for a sensitive change that a second person must approve."),
        default_delivery=Delivery.EMAIL,
        email_body=False,
        group=group,
    )
    register_kind(
        DECIDED,
        gettext_lazy("Your request was decided"),
        gettext_lazy("A request of yours was approved, rejected, or expired undecided."),
        default_delivery=Delivery.EMAIL,
        email_body=False,
        group=group,
    )
    hooks.listen(on_request)


def _url(request: ApprovalRequest) -> str:
    return f"/approvals/{request.pk}/"


def on_request(what: str, request: ApprovalRequest) -> None:
    if what == "requested":
        _tell_deciders(request)
        return
    # Decided, withdrawn, expired or otherwise closed: it waits for nobody any more, so its
    # "waits for your approval" notices are settled in every decider's inbox.
    settle(request.tenant_id, topic=REQUESTED, url=_url(request))
    if what in TOLD:
        _tell_requester(request)


def _tell_deciders(request: ApprovalRequest) -> None:
    action = registry.get(request.action)

    def compose() -> tuple[str, str]:
        title = _("%(who)s asks for your approval: %(action)s") % {
            "who": request.requested_by_label,
            "action": action.label,
        }
        body = _("About: %(target)s. Open the request to see the change and decide.") % {
            "target": request.target_label or "—"
        }
        return title, body

    notify(selectors.deciders(request), topic=REQUESTED, compose=compose, url=_url(request))


def _tell_requester(request: ApprovalRequest) -> None:
    if request.requested_by_id is None:
        return
    requester = (
        Membership.objects.for_tenant(request.tenant_id)
        .select_related("user")
        .filter(pk=request.requested_by_id)
        .first()
    )
    if requester is None:
        return
    action = registry.get(request.action)
    status = request.status

    def compose() -> tuple[str, str]:
        titles = {
            Status.APPROVED: _("Approved and applied: %(action)s"),
            Status.REJECTED: _("Rejected: %(action)s"),
            Status.EXPIRED: _("Expired undecided: %(action)s"),
            Status.STALE: _("Out of date, ask again: %(action)s"),
            Status.FAILED: _("Approved but not applied: %(action)s"),
        }
        title = titles[Status(status)] % {"action": action.label}
        body = _("About: %(target)s.") % {"target": request.target_label or "—"}
        if request.decided_by_label:
            body += " " + _("Decided by %(who)s.") % {"who": request.decided_by_label}
        if request.decision_reason:
            body += " " + _("Reason: %(reason)s") % {"reason": request.decision_reason}
        return title, body

    notify([requester], topic=DECIDED, compose=compose, url=_url(request))
