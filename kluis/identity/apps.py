from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kluis.identity"
    label = "identity"
    verbose_name = "Identity"
