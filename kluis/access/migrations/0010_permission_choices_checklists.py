"""Onboarding and offboarding checklists join the catalogue (`checklists.view`,
`checklists.manage`); the built-in roles of companies made before get them as new
companies do (kluis/access/permissions.py)."""

from django.db import migrations, models

from kluis.access.migration_ops import grant_to_builtin_roles


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0009_audit_view_all"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rolepermission",
            name="permission",
            field=models.CharField(
                choices=[
                    ("people.view", "people.view"),
                    ("people.edit", "people.edit"),
                    ("people.view_salary", "people.view_salary"),
                    ("people.view_identity", "people.view_identity"),
                    ("people.view_bank", "people.view_bank"),
                    ("people.view_personal", "people.view_personal"),
                    ("tenancy.view_members", "tenancy.view_members"),
                    ("tenancy.manage_members", "tenancy.manage_members"),
                    ("access.view_roles", "access.view_roles"),
                    ("access.manage_roles", "access.manage_roles"),
                    ("audit.view", "audit.view"),
                    ("audit.view_all", "audit.view_all"),
                    ("audit.export", "audit.export"),
                    ("integrations.manage", "integrations.manage"),
                    ("integrations.manage_webhooks", "integrations.manage_webhooks"),
                    ("identity.manage_signin", "identity.manage_signin"),
                    ("identity.manage_sso", "identity.manage_sso"),
                    ("identity.reset_mfa", "identity.reset_mfa"),
                    ("timeoff.view_calendar", "timeoff.view_calendar"),
                    ("timeoff.view", "timeoff.view"),
                    ("timeoff.request", "timeoff.request"),
                    ("timeoff.approve", "timeoff.approve"),
                    ("timeoff.register_sickness", "timeoff.register_sickness"),
                    ("timeoff.view_sickness", "timeoff.view_sickness"),
                    ("timeoff.manage", "timeoff.manage"),
                    ("checklists.view", "checklists.view"),
                    ("checklists.manage", "checklists.manage"),
                ],
                max_length=60,
            ),
        ),
        grant_to_builtin_roles(
            "checklists.view",
            {"owner": "company", "hr_admin": "company", "manager": "team", "employee": "self"},
        ),
        grant_to_builtin_roles("checklists.manage", ("owner", "hr_admin")),
    ]
