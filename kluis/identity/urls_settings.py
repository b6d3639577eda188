"""The company's Sign-in settings page, mounted under /settings/ (kluis/urls.py)."""

from django.urls import path

from kluis.identity import settings_views

urlpatterns = [
    path("sign-in/", settings_views.sign_in_settings, name="signin_settings"),
]
