"""The calendar's pages: the self area (mounted under /time-off/): my calendar, my
balances, requesting, changing and cancelling leave, one request with its history."""

from django.urls import URLPattern, path

from kluis.timeoff.views import self_requests, self_service

urlpatterns: list[URLPattern] = [
    path("", self_service.my_calendar, name="my_calendar"),
    path(
        "balances/<int:leave_type_pk>/",
        self_service.my_balance_lines,
        name="my_balance_lines",
    ),
    path("request/", self_requests.request_leave, name="request_leave"),
    path("request/preview/", self_requests.request_preview, name="request_preview"),
    path("requests/<int:pk>/", self_requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/change/", self_requests.change_request, name="change_request"),
    path("requests/<int:pk>/cancel/", self_requests.cancel_request, name="cancel_request"),
]
