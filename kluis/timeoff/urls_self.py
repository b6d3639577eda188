"""The calendar's pages: the self area (mounted under /time-off/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
