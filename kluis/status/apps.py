from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "kluis.status"
    label = "status"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kluis.access.operators import register_page
        from kluis.operations import schedule
        from kluis.status import security  # noqa: F401  (registers the deploy check)

        schedule.register("status.sample", 60, "kluis.status.tasks.sample_components")
        register_page(_("Status page"), "status:operator")
