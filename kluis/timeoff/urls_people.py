"""The calendar's pages: one employee's leave (mounted under /time-off/), for whoever may
see it (timeoff.view); HR's balance writes (timeoff.manage)."""

from django.urls import URLPattern, path

from kluis.timeoff.views import employee_leave

urlpatterns: list[URLPattern] = [
    path("people/<int:employee_pk>/", employee_leave.employee_leave, name="employee_leave"),
    path(
        "people/<int:employee_pk>/balances/<int:leave_type_pk>/",
        employee_leave.employee_balance_lines,
        name="employee_balance_lines",
    ),
    path("people/<int:employee_pk>/correct/", employee_leave.correct, name="employee_correct"),
    path(
        "people/<int:employee_pk>/certificate/",
        employee_leave.record_certificate,
        name="employee_certificate",
    ),
    path(
        "people/<int:employee_pk>/not-takeable/",
        employee_leave.not_takeable,
        name="employee_not_takeable",
    ),
]
