from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "kluis.status"
    label = "status"
