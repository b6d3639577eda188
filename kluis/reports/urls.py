from django.urls import path

from kluis.reports import views
from kluis.reports.catalogue import REPORTS

app_name = "reports"

# One path per report (no id in the URL): reports:headcount, reports:headcount_csv, ...
urlpatterns = [
    path("reports/", views.index, name="index"),
    *(path(f"reports/{key}/", views.report_page, {"key": key}, name=key) for key in REPORTS),
    *(
        path(f"reports/{key}/export.csv", views.report_csv, {"key": key}, name=f"{key}_csv")
        for key in REPORTS
    ),
]
