from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "kluis.people"
    label = "people"
    verbose_name = "People"
