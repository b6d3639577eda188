"""The calendar's pages: the feed area (mounted under /time-off/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
