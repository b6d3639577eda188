"""Each member chooses the hour of their daily digest (NoticeDigestSchedule, which also
keeps the last day it went), and the digest runs are one per hour of a day instead of one
per day. Compatible with a node still on the release before (expand step): its inserts of
`NoticeDigestRun(day)` get hour 7 from the column's database default and stay unique per
day among themselves; the new constraint is added before the old one is dropped."""

import django.db.models.deletion
import django_migration_linter
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("company", "0002_inbox_kinds_and_preferences"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        # Safe with the previous release still serving (checked by hand, as the linter
        # cannot): the new unique constraint is on a table of one row per day whose `day`
        # is unique already (no row can break it, the lock lasts a moment), and the old
        # release's inserts (no hour: the database default, 7) stay unique per day among
        # themselves, so its "once a day" still holds. Dropping the index of the old
        # unique `day` removes nothing the old release reads.
        django_migration_linter.IgnoreMigration(),
        migrations.CreateModel(
            name="NoticeDigestSchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("hour", models.PositiveSmallIntegerField(default=7)),
                ("last_sent_on", models.DateField(blank=True, null=True)),
                (
                    "membership",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notice_digest",
                        to="tenancy.membership",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("hour__lte", 23)), name="digest_hour_of_the_day"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="noticedigestrun",
            name="hour",
            field=models.PositiveSmallIntegerField(db_default=7, default=7),
        ),
        migrations.AddConstraint(
            model_name="noticedigestrun",
            constraint=models.UniqueConstraint(
                fields=("day", "hour"), name="one_digest_run_per_hour"
            ),
        ),
        migrations.AlterField(
            model_name="noticedigestrun",
            name="day",
            field=models.DateField(),
        ),
    ]
