"""The People settings pages for HR (mounted under /people/settings/)."""

from django.urls import path

from kluis.people.views import settings

urlpatterns = [
    path("settings/", settings.self_service_settings, name="settings"),
    path("settings/custom-fields/", settings.custom_fields, name="custom_fields"),
    path("settings/teams/", settings.teams, name="teams"),
    path("settings/departments/", settings.departments, name="departments"),
]
