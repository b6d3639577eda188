from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "kluis.releases"
    label = "releases"
