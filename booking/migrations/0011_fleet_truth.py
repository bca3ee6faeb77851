"""Reservations for rockets and ranges, held apart by PostgreSQL; readiness steps' minimum durations.

A rocket cannot be in two places and a range flies one launch at a time: on PostgreSQL, exclusion
constraints (btree_gist, as in 0003 for platforms and pads) forbid two live claims on one vehicle,
or on one site's range, from overlapping. SQLite has no exclusion constraints; there the
scheduling service checks inside an IMMEDIATE transaction, which serialises writers.

The shipped readiness templates take their minimum step durations (booking.readiness_templates,
explained in docs/readiness.md); rows operators added keep the default of 0.
"""

import django.db.models.deletion
from django.db import migrations, models

from booking.readiness_templates import SHIPPED_TEMPLATES

NEW_COLUMNS = ("vehicle_id", "range_site_id")


def create_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for column in NEW_COLUMNS:
        name = f"reservation_no_overlap_{column.removesuffix('_id')}"
        schema_editor.execute(
            f"ALTER TABLE booking_reservation ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(occupied_from, occupied_until, '[)') WITH &&) "
            f"WHERE (released_at IS NULL AND {column} IS NOT NULL)"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NEW_COLUMNS:
        name = f"reservation_no_overlap_{column.removesuffix('_id')}"
        schema_editor.execute(f"ALTER TABLE booking_reservation DROP CONSTRAINT IF EXISTS {name}")


def set_minimum_durations(apps, schema_editor):
    TemplateStep = apps.get_model("booking", "TemplateStep")
    for spec in SHIPPED_TEMPLATES:
        for step in spec.steps:
            TemplateStep.objects.filter(template__slug=spec.slug, code=step.code).update(
                min_duration_minutes=step.min_duration_minutes
            )


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0010_readiness_express_returnable'),
        ('vehicles', '0004_fleet_truth'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='reservation',
            name='reservation_platform_xor_pad',
        ),
        migrations.AddField(
            model_name='reservation',
            name='range_site',
            field=models.ForeignKey(blank=True, help_text="The site whose range this claim holds (kind range): always the reservation's site.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='range_reservations', to='vehicles.launchsite'),
        ),
        migrations.AddField(
            model_name='reservation',
            name='vehicle',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reservations', to='vehicles.vehicle'),
        ),
        migrations.AddField(
            model_name='templatestep',
            name='min_duration_minutes',
            field=models.PositiveIntegerField(default=0, help_text='The least time the work takes: a plan never squeezes the step below it (see docs/readiness.md for the shipped figures).'),
        ),
        migrations.AddIndex(
            model_name='reservation',
            index=models.Index(fields=['vehicle', 'occupied_from', 'occupied_until'], name='booking_res_vehicle_890338_idx'),
        ),
        migrations.AddIndex(
            model_name='reservation',
            index=models.Index(fields=['range_site', 'occupied_from', 'occupied_until'], name='booking_res_range_s_f20029_idx'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('platform__isnull', False), ('pad__isnull', True), ('vehicle__isnull', True), ('range_site__isnull', True)), models.Q(('platform__isnull', True), ('pad__isnull', False), ('vehicle__isnull', True), ('range_site__isnull', True)), models.Q(('platform__isnull', True), ('pad__isnull', True), ('vehicle__isnull', False), ('range_site__isnull', True)), models.Q(('platform__isnull', True), ('pad__isnull', True), ('vehicle__isnull', True), ('range_site__isnull', False)), _connector='OR'), name='reservation_one_resource'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.CheckConstraint(condition=models.Q(('range_site__isnull', True), ('range_site', models.F('site')), _connector='OR'), name='reservation_range_is_its_site'),
        ),
        migrations.RunPython(create_constraints, drop_constraints),
        migrations.RunPython(set_minimum_durations, migrations.RunPython.noop),
    ]
