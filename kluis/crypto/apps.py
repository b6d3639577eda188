from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "kluis.crypto"
    label = "crypto"
    verbose_name = "Encryption at rest"

    def ready(self) -> None:
        _register_audit_sentences()


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    """The audit log's sentences for the company's encryption keys."""
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences

    sentences.register_all(
        "company",
        {
            "crypto.data_key_created": _("%(actor)s created the company's data key"),
            "crypto.key_rewrapped": _(
                "%(actor)s sealed the company's data key with a new master key"
            ),
            "crypto.keys_destroyed": _("%(actor)s destroyed the company's data keys"),
        },
    )


# --- end of audit sentences (helper auditorg) ---------------------------------------------
