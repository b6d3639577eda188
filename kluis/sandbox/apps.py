from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "kluis.sandbox"
    label = "sandbox"

    def ready(self) -> None:
        _register_audit_sentences()  # helper auditorg
        from kluis.access import visibility
        from kluis.api.pipeline import label_responses
        from kluis.integrations.webhooks.catalogue import keep_quiet
        from kluis.operations import mailing, schedule
        from kluis.sandbox import labels

        # In the source company's outbox and audit log, not a webhook (as a new company).
        keep_quiet("sandbox.created", "sandbox.deleted")
        schedule.register("sandbox-expiry", 15 * 60, "kluis.sandbox.tasks.expire_sandboxes")
        mailing.register_labeller(labels.label_mail)
        label_responses(labels.api_headers)
        # The source company's audit log shows its sandboxes being made and deleted.
        visibility.register(
            "sandbox.sandbox",
            dict.fromkeys(("sandbox", "expires_at", "people", "reason"), visibility.PLAIN),
        )


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences

    sentences.register_all(
        "company",
        {
            "sandbox.created": _("%(actor)s made the sandbox %(object)s"),
            "sandbox.deleted": _("%(actor)s deleted the sandbox %(object)s"),
        },
    )


# --- end of audit sentences (helper auditorg) ---------------------------------------------
