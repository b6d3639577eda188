"""The People settings pages for HR (mounted under /people/settings/)."""

from django.urls import path

from kluis.people.views import settings, settings_changes

urlpatterns = [
    path("settings/", settings.self_service_settings, name="settings"),
    path("settings/custom-fields/", settings.custom_fields, name="custom_fields"),
    path("settings/teams/", settings.teams, name="teams"),
    path("settings/departments/", settings.departments, name="departments"),
]
# Edit, archive (or bring back) and delete one department, team or custom field:
# people:department_edit, people:team_archive, people:custom_field_delete, ...
for kind, slug in (
    ("departments", "departments"),
    ("teams", "teams"),
    ("custom_fields", "custom-fields"),
):
    for action, view in (
        ("edit", settings_changes.edit),
        ("archive", settings_changes.archive),
        ("delete", settings_changes.delete),
    ):
        urlpatterns.append(
            path(
                f"settings/{slug}/<int:pk>/{action}/",
                view,
                {"kind_name": kind},
                name=f"{kind[:-1]}_{action}",
            )
        )
