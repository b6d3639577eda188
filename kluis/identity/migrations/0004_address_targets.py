from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0003_known_devices"),
    ]

    operations = [
        migrations.AddField(
            model_name="addressfailures",
            name="tenant_ids",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
