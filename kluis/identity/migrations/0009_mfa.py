"""Built-in roles are installed when a company is made, so companies made before
`identity.reset_mfa` existed get it here for their Owner and HR admin roles."""

from django.db import migrations

BUILTIN_KEYS = ("owner", "hr_admin")
PERMISSION = "identity.reset_mfa"


def grant(apps, schema_editor):  # type: ignore[no-untyped-def]
    Role = apps.get_model("access", "Role")
    RolePermission = apps.get_model("access", "RolePermission")
    for role in Role.objects.filter(builtin_key__in=BUILTIN_KEYS):
        RolePermission.objects.get_or_create(
            role=role,
            permission=PERMISSION,
            defaults={"tenant_id": role.tenant_id, "scope": "company"},
        )


def revoke(apps, schema_editor):  # type: ignore[no-untyped-def]
    RolePermission = apps.get_model("access", "RolePermission")
    RolePermission.objects.filter(
        role__builtin_key__in=BUILTIN_KEYS, permission=PERMISSION
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0008_identity_providers"),
        ("access", "0006_permission_choices_identity"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
