from __future__ import annotations

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "kluis.approvals"
    label = "approvals"
    verbose_name = "Approvals (two-person rule)"

    def ready(self) -> None:
        """Expire requests nobody decided in time, every five minutes across the workers."""
        from kluis.approvals.services import register_own_actions
        from kluis.operations import schedule

        register_own_actions()
        _register_audit_sentences()
        _register_visibility()

        schedule.register("approvals.expire", 300, "kluis.approvals.tasks.expire_requests")


def _register_audit_sentences() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences

    sentences.register_all(
        "company",
        {
            "approval.requested": _("%(actor)s asked for a second approval: %(object)s"),
            "approval.approved": _("%(actor)s approved the request %(object)s"),
            "approval.rejected": _("%(actor)s rejected the request %(object)s"),
            "approval.withdrawn": _("%(actor)s withdrew the request %(object)s"),
            "approval.expired": _("The request %(object)s expired undecided"),
            "approval.stale": _(
                "%(actor)s found the request %(object)s out of date: its target changed"
            ),
            "approval.failed": _("The approved request %(object)s could not be applied"),
            "approvals.policy_changed": _("%(actor)s changed which actions need a second approval"),
        },
    )


def _register_visibility() -> None:
    """What an audit reader sees of the requests' and the policy's events: the action's
    key, the target's label, the status, a rejection's reason, both names of an applied
    change (kluis.access.visibility hides what is not declared)."""
    from kluis.access import visibility

    visibility.register(
        "approvals.approvalrequest",
        {name: visibility.PLAIN for name in ("action", "target", "status", "reason")},
    )
    visibility.register(
        "approvals.approvalpolicy",
        {
            name: visibility.PLAIN
            for name in ("actions", "wage_change_percent", "expiry_hours", "approval")
        },
    )
