from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kluis.reports"
    label = "reports"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kluis.audit import sentences

        # A CSV export of a report's figures: read by whoever reads companies' exports.
        sentences.register("report.exported", "company", _("%(actor)s exported a report"))
