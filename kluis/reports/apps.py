from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kluis.reports"
    label = "reports"
