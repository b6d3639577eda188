"""The calendar's pages: the feed area (mounted under /time-off/)."""

from django.urls import URLPattern, path

from kluis.timeoff.views import feeds

urlpatterns: list[URLPattern] = [
    path("feed/", feeds.my_feed, name="feeds"),
    path("feed/<str:token>.ics", feeds.feed, name="feed"),
]
