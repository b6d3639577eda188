"""Importing and exporting people: CSV import with a preview, CSV and XLSX export."""

from django.urls import path

from kluis.people import views_io

urlpatterns = [
    path("import/", views_io.import_people, name="import"),
    path("export.csv", views_io.export_csv, name="export_csv"),
    path("export.xlsx", views_io.export_xlsx, name="export_xlsx"),
]
