from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kluis.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from kluis.operations import (
            broker_health,
            database,
            logging,
            metrics_gauges,
            shared_state,
            storage_health,
        )

        database.connect_signals()  # statement timeouts: web requests vs everything else
        logging.connect_task_signals()
        metrics_gauges.register()
        shared_state.register()
        broker_health.register()  # the broker's health on rq and celery
        storage_health.register()  # where stored files lie: the file system or S3
