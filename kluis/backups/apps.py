from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "kluis.backups"
    label = "backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        """The daily backup job and the backups component of /health/ready (non-critical:
        a failed backup degrades Kluis, it does not take it out of the load balancer)."""
        from kluis.backups.health import check_backups, last_good_age_seconds
        from kluis.backups.tasks import EVERY_SECONDS
        from kluis.operations import health, metrics, schedule

        schedule.register("backups.daily", EVERY_SECONDS, "kluis.backups.tasks.scheduled_backup")
        health.register_check("backups", check_backups, critical=False)
        metrics.register_gauge(
            "kluis_backup_last_success_age_seconds",
            "Seconds since the newest backup that was stored everywhere and verified.",
            last_good_age_seconds,
        )
