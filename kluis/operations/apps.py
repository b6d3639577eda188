from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kluis.operations"
    label = "operations"
    verbose_name = "Operations"
