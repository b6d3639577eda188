from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "kluis.backups"
    label = "backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        """The daily backup job and the backups component of /health/ready (non-critical:
        a failed backup degrades Kluis, it does not take it out of the load balancer)."""
        from kluis.backups.health import check_backups
        from kluis.backups.tasks import EVERY_SECONDS
        from kluis.operations import health, schedule

        schedule.register("backups.daily", EVERY_SECONDS, "kluis.backups.tasks.scheduled_backup")
        health.register_check("backups", check_backups, critical=False)
