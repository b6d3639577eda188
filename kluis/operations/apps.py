from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kluis.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from kluis.operations import logging, metrics_gauges, shared_state

        logging.connect_task_signals()
        metrics_gauges.register()
        shared_state.register()
