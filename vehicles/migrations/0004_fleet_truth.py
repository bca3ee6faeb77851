"""Fleet truth: where each rocket is, routes with a mode, what fits what, range separation."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vehicles', '0003_hold_limits'),
    ]

    operations = [
        # The road-route table becomes the route table: rows keep their data and become road legs.
        migrations.RemoveConstraint(model_name='roadroute', name='unique_road_route'),
        migrations.RemoveConstraint(model_name='roadroute', name='roadroute_transit_nonneg'),
        migrations.RemoveConstraint(model_name='roadroute', name='roadroute_distinct_sites'),
        migrations.RenameModel(old_name='RoadRoute', new_name='Route'),
        migrations.AlterModelOptions(name='route', options={'ordering': ['origin__name', 'destination__name', 'mode']}),
        migrations.AddField(
            model_name='route',
            name='mode',
            field=models.CharField(choices=[('road', 'TEL road (on the range)'), ('rail', 'Rail'), ('sea', 'Sea')], default='road', max_length=8),
        ),
        migrations.AddField(
            model_name='route',
            name='note',
            field=models.CharField(blank=True, help_text='How the leg runs, e.g. rail to Tianjin, then by ship to Qinglan.', max_length=200),
        ),
        migrations.AddField(
            model_name='launchsite',
            name='min_launch_separation_minutes',
            field=models.PositiveIntegerField(default=240, help_text='The range flies one launch at a time: minutes from the end of one launch window before the next window may open.'),
        ),
        migrations.AddField(
            model_name='mobileplatform',
            name='vehicle_models',
            field=models.ManyToManyField(blank=True, help_text='Vehicle models this transporter-erector-launcher was built to carry.', related_name='platforms', to='vehicles.vehiclemodel'),
        ),
        migrations.AddField(
            model_name='pad',
            name='vehicle_families',
            field=models.JSONField(blank=True, default=list, help_text='Vehicle families the pad was built for, e.g. ["Long March 5"]: every model of the family.'),
        ),
        migrations.AddField(
            model_name='pad',
            name='vehicle_models',
            field=models.ManyToManyField(blank=True, help_text='Vehicle models the pad serves (with the families below).', related_name='pads', to='vehicles.vehiclemodel'),
        ),
        migrations.AddField(
            model_name='vehicle',
            name='in_transit_to',
            field=models.ForeignKey(blank=True, help_text='Set while the rocket travels: the site it is bound for.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='inbound_vehicles', to='vehicles.launchsite'),
        ),
        migrations.AddField(
            model_name='vehicle',
            name='transit_arrives_at',
            field=models.DateTimeField(blank=True, help_text='When it reaches that site.', null=True),
        ),
        migrations.AddField(
            model_name='vehiclemodel',
            name='express_capable',
            field=models.BooleanField(default=False, help_text='May be sold on express terms: solid (storable), launched from a mobile platform, payload pre-integrated during the weeks before the order.'),
        ),
        migrations.AddField(
            model_name='vehiclemodel',
            name='family',
            field=models.CharField(blank=True, help_text='Vehicle family a pad may be built for (e.g. Long March 5, Kuaizhou); empty: the model alone.', max_length=60),
        ),
        migrations.AddField(
            model_name='vehiclemodel',
            name='min_pad_campaign_hours',
            field=models.DecimalField(decimal_places=1, default=Decimal('0.0'), help_text='Shortest campaign at the pad or launch point before lift-off (stacking, fuelling, checks).', max_digits=7),
        ),
        migrations.AlterField(
            model_name='vehicle',
            name='status',
            field=models.CharField(choices=[('in_production', 'In production'), ('ready_storage', 'Ready storage'), ('assigned', 'Assigned to a launch'), ('flown', 'Flown'), ('lost', 'Lost'), ('retired', 'Retired')], default='in_production', max_length=16),
        ),
        migrations.AlterField(
            model_name='vehicle',
            name='storage_site',
            field=models.ForeignKey(blank=True, help_text='Where the rocket is stored; while in transit, the site it left.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stored_vehicles', to='vehicles.launchsite'),
        ),
        migrations.AlterField(
            model_name='vehiclemodel',
            name='active',
            field=models.BooleanField(default=True, help_text='Unticked: retired, never scheduled, quoted or offered.'),
        ),
        migrations.AddConstraint(
            model_name='vehicle',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['flown', 'lost', 'retired', 'in_production']), ('storage_site__isnull', False), ('in_transit_to__isnull', False), _connector='OR'), name='vehicle_has_a_place'),
        ),
        migrations.AddConstraint(
            model_name='vehicle',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('in_transit_to__isnull', True), ('transit_arrives_at__isnull', True)), models.Q(('in_transit_to__isnull', False), ('transit_arrives_at__isnull', False)), _connector='OR'), name='vehicle_transit_has_destination_and_arrival'),
        ),
        migrations.AddConstraint(
            model_name='vehicle',
            constraint=models.CheckConstraint(condition=models.Q(('in_transit_to__isnull', True), ('storage_site__isnull', True), models.Q(('in_transit_to', models.F('storage_site')), _negated=True), _connector='OR'), name='vehicle_transit_goes_elsewhere'),
        ),
        migrations.AddConstraint(
            model_name='vehiclemodel',
            constraint=models.CheckConstraint(condition=models.Q(('min_pad_campaign_hours__gte', 0)), name='vehiclemodel_min_pad_campaign_nonneg'),
        ),
        migrations.AddConstraint(
            model_name='vehiclemodel',
            constraint=models.CheckConstraint(condition=models.Q(('express_capable', False), ('mobile_launch', True), _connector='OR'), name='vehiclemodel_express_needs_mobile'),
        ),
        migrations.AddConstraint(
            model_name='route',
            constraint=models.UniqueConstraint(fields=('origin', 'destination', 'mode'), name='unique_route_per_mode'),
        ),
        migrations.AddConstraint(
            model_name='route',
            constraint=models.CheckConstraint(condition=models.Q(('transit_hours__gte', 0)), name='route_transit_nonneg'),
        ),
        migrations.AddConstraint(
            model_name='route',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('origin', models.F('destination')), _negated=True), ('mode', 'road'), _connector='OR'), name='route_distinct_sites_unless_road'),
        ),
        migrations.CreateModel(
            name='RoadRoute',
            fields=[
            ],
            options={
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('vehicles.route',),
        ),
    ]
