from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "kluis.integrations"
    label = "integrations"
    verbose_name = "Integrations"
