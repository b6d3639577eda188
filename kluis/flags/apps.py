from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlagsConfig(AppConfig):
    name = "kluis.flags"
    # django-flags is installed too and its app label is "flags".
    label = "kluis_flags"
    verbose_name = "Feature flags"

    def ready(self) -> None:
        _register_audit_sentences()  # helper auditorg
        from django.utils.module_loading import autodiscover_modules

        from kluis.access import visibility
        from kluis.access.operators import register_page
        from kluis.flags import catalogue, conditions  # noqa: F401  (they register)

        register_page(_("Feature flags"), "operator-flags")
        # A company's audit log shows which rule an operator set for it, to its readers.
        visibility.register("feature_flag", {"rule": visibility.PLAIN})
        # An app may declare its own flags in a `feature_flags` module.
        autodiscover_modules("feature_flags")


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences

    sentences.register(
        "flag.changed", "company", _("%(actor)s changed the feature %(object)s for the company")
    )


# --- end of audit sentences (helper auditorg) ---------------------------------------------
