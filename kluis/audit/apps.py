from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kluis.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        _register_audit_sentences()


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences

    sentences.register("audit.exported", "company", _("%(actor)s exported the audit log"))


# --- end of audit sentences (helper auditorg) ---------------------------------------------
