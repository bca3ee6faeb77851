"""Who put a launch on hold becomes a column (filled from the launches' latest hold events), and a
manual readiness step carries no check (a database check constraint on template and plan steps).
"""

from django.conf import settings
from django.db import migrations, models


def fill_held_by(apps, schema_editor):
    """A launch on hold today gets the ``held_by`` of the event that last put it on hold."""
    Launch = apps.get_model("booking", "Launch")
    Event = apps.get_model("booking", "Event")
    for launch in Launch.objects.filter(status="hold").only("pk"):
        latest = (
            Event.objects.filter(verb="launch.status_changed", launch_id=launch.pk, after__status="hold")
            .order_by("-created_at", "-pk")
            .values_list("after", flat=True)
            .first()
        )
        held_by = (latest or {}).get("held_by", "")
        if held_by in ("readiness", "operator"):
            Launch.objects.filter(pk=launch.pk).update(held_by=held_by)


def clear_manual_checks(apps, schema_editor):
    """A manual step is signed off by a person: a check name left on one was never run."""
    for name in ("TemplateStep", "PlanStep"):
        apps.get_model("booking", name).objects.filter(kind="manual").exclude(check_name="").update(check_name="")


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0012_api_token_membership_expiry'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='launch',
            name='held_by',
            field=models.CharField(blank=True, choices=[('', 'Not on hold'), ('readiness', 'Readiness'), ('operator', 'An operator')], default='', help_text='Who put the launch on hold, read while it is on hold: readiness releases only its own holds.', max_length=10),
        ),
        migrations.RunPython(fill_held_by, migrations.RunPython.noop),
        migrations.RunPython(clear_manual_checks, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='planstep',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'manual'), _negated=True), ('check_name', ''), _connector='OR'), name='planstep_manual_has_no_check'),
        ),
        migrations.AddConstraint(
            model_name='templatestep',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'manual'), _negated=True), ('check_name', ''), _connector='OR'), name='templatestep_manual_has_no_check'),
        ),
    ]
