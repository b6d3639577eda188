from django.apps import AppConfig


class TimeoffConfig(AppConfig):
    name = "kluis.timeoff"
    label = "timeoff"
    verbose_name = "Time off"
