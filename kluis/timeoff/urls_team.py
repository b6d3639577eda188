"""The calendar's pages: the team area (mounted under /time-off/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
