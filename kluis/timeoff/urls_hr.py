"""The calendar's pages: the hr area (mounted under /time-off/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
