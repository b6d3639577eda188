"""Single sign-on per company: its OpenID Connect provider and e-mail domains; companies
made before `identity.manage_sso` existed get it for their Owner role."""

import django.db.models.deletion
from django.db import migrations, models

from kluis.access.migration_ops import grant_to_builtin_roles

BUILTIN_KEYS = ("owner",)
PERMISSION = "identity.manage_sso"


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0007_invitations"),
        ("tenancy", "0001_initial"),
        ("access", "0005_grant_identity_manage_signin"),
    ]

    operations = [
        migrations.CreateModel(
            name="IdentityProvider",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("entra", "Microsoft Entra ID (Office 365, Azure AD)"),
                            ("google", "Google Workspace"),
                            ("okta", "Okta"),
                            ("oidc", "Another OpenID Connect provider"),
                        ],
                        max_length=10,
                    ),
                ),
                ("issuer", models.URLField(max_length=500)),
                ("directory", models.CharField(blank=True, max_length=255)),
                ("client_id", models.CharField(max_length=255)),
                ("client_secret_sealed", models.TextField()),
                ("enabled", models.BooleanField(default=False)),
                ("allow_just_in_time", models.BooleanField(default=False)),
                ("password_sign_in_allowed", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant",), name="identityprovider_one_per_company"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SignInDomain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("domain", models.CharField(max_length=253, unique=True)),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="domains",
                        to="identity.identityprovider",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={"ordering": ["domain"]},
        ),
        grant_to_builtin_roles(PERMISSION, BUILTIN_KEYS),
    ]
