"""The calendar's pages: the team area (mounted under /time-off/): the approvals inbox
and decisions, the team calendar, HR's company overview, sick periods."""

from django.urls import URLPattern, path

from kluis.timeoff.views import sickness, team

urlpatterns: list[URLPattern] = [
    path("approvals/", team.approvals, name="approvals"),
    path("requests/<int:pk>/approve/", team.approve, name="approve"),
    path("requests/<int:pk>/reject/", team.reject, name="reject"),
    path("team/", team.team_calendar, name="team_calendar"),
    path("company/", team.company_overview, name="company_overview"),
    path("sick/new/", sickness.report_sick, name="report_sick"),
    path("absences/", sickness.absences, name="absences"),
    path("absences/<int:pk>/", sickness.absence_detail, name="absence_detail"),
]
