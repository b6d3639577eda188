from __future__ import annotations

from django.apps import AppConfig


class OffboardingConfig(AppConfig):
    """Leaving a company: HR's request, a second person's approval (four eyes) and the
    revocation of every access at the effective moment, carried out by the worker."""

    name = "kluis.offboarding"
    label = "offboarding"
    verbose_name = "Offboarding"

    def ready(self) -> None:
        from kluis.offboarding import events

        events.register_all()
        _register_audit()
        _register_notice_kinds()
        _schedule()
        from kluis.offboarding.approval import register_action

        register_action()
        from kluis.offboarding.views import panel
        from kluis.people import profile_panels

        profile_panels.register(self.label, panel)


def _schedule() -> None:
    """Every minute, and at a worker's first tick (the scheduler queues a job whose period
    nobody queued, so a moment missed while no worker ran is carried out at the next start)."""
    from kluis.operations import schedule

    schedule.register("offboarding.execute_due", 60, "kluis.offboarding.tasks.execute_due")


def _register_audit() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.access import visibility
    from kluis.audit import sentences

    sentences.register_all(
        "members",
        {
            "offboarding.requested": _("%(actor)s started the offboarding of %(object)s"),
            "offboarding.approved": _("%(actor)s approved the offboarding of %(object)s"),
            "offboarding.rejected": _("%(actor)s closed the offboarding of %(object)s"),
            "offboarding.executed": _("%(actor)s revoked the access of %(object)s"),
            "offboarding.failed": _("%(actor)s could not revoke the access of %(object)s"),
        },
    )
    sentences.field_labels(
        "offboarding.offboarding",
        {
            "last_day": _("Last working day"),
            "moment": _("When access ends"),
            "handover_to": _("New owner of their integrations"),
            "status": _("Status"),
            "effective_at": _("Access ends at"),
            "requested_by": _("Requested by"),
            "approved_by": _("Approved by"),
            "executed_at": _("Carried out at"),
            "revoked": _("Revoked and handed over"),
        },
    )
    visibility.register(
        "offboarding.offboarding",
        {
            name: visibility.PLAIN
            for name in (
                "last_day",
                "moment",
                "handover_to",
                "status",
                "effective_at",
                "requested_by",
                "approved_by",
                "executed_at",
                "revoked",
            )
        },
    )


def _register_notice_kinds() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.company.models import Delivery
    from kluis.company.notices_kinds import register_kind
    from kluis.offboarding import notices

    group = _("Offboarding")
    register_kind(
        notices.HANDED_OVER,
        _("Integrations handed over"),
        _("A leaver's API clients and webhooks were handed to a named owner."),
        default_delivery=Delivery.EMAIL,
        group=group,
        audience=(notices.ADMIN_PERMISSION,),
    )
    register_kind(
        notices.FAILED,
        _("An offboarding could not be carried out"),
        _("A leaver's access could not be revoked at its moment."),
        default_delivery=Delivery.EMAIL,
        group=group,
        audience=(notices.ADMIN_PERMISSION,),
    )
