from django.db import migrations
from django_migration_linter import IgnoreMigration


class Migration(migrations.Migration):
    dependencies = [("lint_fixture", "0003_thing_size")]
    operations = [
        # Contract step: no release since the one before stopped reading `label`.
        IgnoreMigration(),
        migrations.RemoveField(model_name="thing", name="label"),
    ]
