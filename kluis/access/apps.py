from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "kluis.access"
    label = "access"
    verbose_name = "Access control"
