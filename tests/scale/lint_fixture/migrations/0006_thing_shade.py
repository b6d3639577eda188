from django.db import migrations, models


class Migration(migrations.Migration):
    """Expand: a nullable column with a default the new release writes. On PostgreSQL an
    ADD COLUMN; SQLite would rebuild the table for it, which a linter of SQLite's SQL
    cannot tell from a breaking change (the reason the script lints PostgreSQL's)."""

    dependencies = [("lint_fixture", "0005_thing_colour")]
    operations = [
        migrations.AddField(
            model_name="thing",
            name="shade",
            field=models.CharField(max_length=20, null=True, default="grey"),
        )
    ]
