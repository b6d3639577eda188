"""The owner's single sign-on settings, mounted at /settings/sso/ (kluis/urls.py)."""

from django.urls import path

from kluis.identity.sso import settings_views

app_name = "identity_sso"

urlpatterns = [
    path("", settings_views.sso_settings, name="settings"),
    path("remove/", settings_views.sso_remove, name="remove"),
]
