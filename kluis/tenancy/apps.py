from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "kluis.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
