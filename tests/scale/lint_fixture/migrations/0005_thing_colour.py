from django.db import migrations, models


class Migration(migrations.Migration):
    """Expand: a column the release before does not know of and need not fill."""

    dependencies = [("lint_fixture", "0004_remove_thing_label")]
    operations = [
        migrations.AddField(
            model_name="thing", name="colour", field=models.CharField(max_length=20, null=True)
        )
    ]
