from django.db import migrations, models


class Migration(migrations.Migration):
    """Backward incompatible: a node still on the release before inserts without `size`."""

    dependencies = [("lint_fixture", "0002_remove_thing_note")]
    operations = [migrations.AddField(model_name="thing", name="size", field=models.IntegerField())]
