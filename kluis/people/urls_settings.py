"""The People settings pages for HR (mounted under /people/settings/)."""

from django.urls import path

from kluis.people import views_settings

urlpatterns = [
    path("settings/", views_settings.self_service_settings, name="settings"),
    path("settings/custom-fields/", views_settings.custom_fields, name="custom_fields"),
    path("settings/teams/", views_settings.teams, name="teams"),
    path("settings/departments/", views_settings.departments, name="departments"),
]
