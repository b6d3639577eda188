"""The calendar's pages: the hr area (mounted under /time-off/): HR's set-up and the
payroll export (timeoff.manage)."""

from django.urls import URLPattern, path

from kluis.timeoff.views import hr

urlpatterns: list[URLPattern] = [
    path("settings/", hr.settings, name="settings"),
    path("settings/leave-types/", hr.leave_types, name="leave_types"),
    path("settings/leave-types/new/", hr.leave_type_new, name="leave_type_new"),
    path("settings/leave-types/<int:pk>/", hr.leave_type_edit, name="leave_type_edit"),
    path(
        "settings/leave-types/<int:pk>/archive/",
        hr.leave_type_confirm,
        {"what": "archive"},
        name="leave_type_archive",
    ),
    path(
        "settings/leave-types/<int:pk>/delete/",
        hr.leave_type_confirm,
        {"what": "delete"},
        name="leave_type_delete",
    ),
    path("settings/closing-days/", hr.closing_days, name="closing_days"),
    path(
        "settings/closing-days/<int:pk>/remove/",
        hr.closing_day_remove,
        name="closing_day_remove",
    ),
    path("settings/month-locks/", hr.month_locks, name="month_locks"),
    path("settings/month-locks/<int:pk>/unlock/", hr.month_unlock, name="month_unlock"),
    path("export/", hr.export, name="export"),
]
