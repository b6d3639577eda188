from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        migrations.CreateModel(
            name="Thing",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=50)),
                ("note", models.CharField(max_length=50, blank=True, default="")),
                ("label", models.CharField(max_length=50, blank=True, default="")),
            ],
        ),
    ]
