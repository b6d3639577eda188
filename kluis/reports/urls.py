from django.urls import path

from kluis.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/<slug:key>/", views.report_page, name="report"),
    path("reports/<slug:key>/export.csv", views.report_csv, name="csv"),
]
