from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "kluis.flags"
    label = "flags"
