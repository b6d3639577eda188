"""Importing and exporting people: CSV import with a preview, CSV and XLSX export."""

from django.urls import path

from kluis.people.views import import_export

urlpatterns = [
    path("import/", import_export.import_people, name="import"),
    path("export.csv", import_export.export_csv, name="export_csv"),
    path("export.xlsx", import_export.export_xlsx, name="export_xlsx"),
    path("export/approved/<int:pk>/", import_export.export_approved, name="export_approved"),
]
