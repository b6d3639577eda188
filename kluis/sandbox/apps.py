from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "kluis.sandbox"
    label = "sandbox"
