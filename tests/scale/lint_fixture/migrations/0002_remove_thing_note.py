from django.db import migrations


class Migration(migrations.Migration):
    """Backward incompatible: a node still on the release before reads `note`."""

    dependencies = [("lint_fixture", "0001_initial")]
    operations = [migrations.RemoveField(model_name="thing", name="note")]
