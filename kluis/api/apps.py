from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kluis.api"
    label = "api"
    verbose_name = "API"
