"""`identity.manage_signin` (the company's sign-in settings) joins the catalogue; built-in
roles are installed when a company is made, so the Owner roles of companies made before
get it here."""

from django.db import migrations, models

from kluis.access.migration_ops import grant_to_builtin_roles


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0004_grant_integrations_manage"),
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
                    ("audit.export", "audit.export"),
                    ("integrations.manage", "integrations.manage"),
                    ("identity.manage_signin", "identity.manage_signin"),
                ],
                max_length=60,
            ),
        ),
        grant_to_builtin_roles("identity.manage_signin", ("owner",)),
    ]
