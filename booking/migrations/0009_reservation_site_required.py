import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0008_reservation_site"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reservation",
            name="site",
            field=models.ForeignKey(
                help_text="Where the platform or pad is for this launch: the launch's site when reserved.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vehicles.launchsite",
            ),
        ),
    ]
