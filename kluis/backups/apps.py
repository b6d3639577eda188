from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "kluis.backups"
    label = "backups"
