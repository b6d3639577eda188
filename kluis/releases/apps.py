from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "kluis.releases"
    label = "releases"

    def ready(self) -> None:
        from kluis.releases import signals

        signals.connect()
