"""Built-in roles are installed when a company is made, so companies made before
`identity.reset_mfa` existed get it here for their Owner and HR admin roles."""

from django.db import migrations

from kluis.access.migration_ops import grant_to_builtin_roles

BUILTIN_KEYS = ("owner", "hr_admin")
PERMISSION = "identity.reset_mfa"


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0008_identity_providers"),
        ("access", "0006_permission_choices_identity"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [grant_to_builtin_roles(PERMISSION, BUILTIN_KEYS)]
