from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kluis.web"
    label = "web"
    verbose_name = "Web interface"
