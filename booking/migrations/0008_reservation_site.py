"""Reservations say where the platform or pad is for their launch.

The planner reads a platform's chain of reservations by the thousand; carrying the site on the
reservation spares it a lookup of the launch for every row. Existing rows take their launch's
site; 0009 then makes the column required, in a transaction of its own (PostgreSQL will not
alter a table while the fill's deferred foreign-key checks are pending).
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_site(apps, schema_editor):
    Reservation = apps.get_model("booking", "Reservation")
    Launch = apps.get_model("booking", "Launch")
    Reservation.objects.update(
        site_id=models.Subquery(Launch.objects.filter(pk=models.OuterRef("launch_id")).values("site_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0007_launch_plural"),
        ("vehicles", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reservation",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vehicles.launchsite",
            ),
        ),
        migrations.RunPython(fill_site, migrations.RunPython.noop),
    ]
