"""Built-in roles are installed when a company is made, so companies made before
`integrations.manage` existed get it here for their Owner and HR admin roles."""

from django.db import migrations

from kluis.access.migration_ops import grant_to_builtin_roles


class Migration(migrations.Migration):
    dependencies = [("access", "0003_alter_rolepermission_permission")]

    operations = [grant_to_builtin_roles("integrations.manage", ("owner", "hr_admin"))]
