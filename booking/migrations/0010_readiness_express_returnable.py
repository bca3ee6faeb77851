"""Ship the express 24-hour template for returnable payloads (the other shipped templates are left
as operators have edited them)."""

from django.db import migrations

from booking.readiness_templates import EXPRESS_RETURNABLE, install_readiness_templates


def install(apps, schema_editor):
    install_readiness_templates(
        apps.get_model("booking", "ReadinessTemplate"), apps.get_model("booking", "TemplateStep"), [EXPRESS_RETURNABLE]
    )


def uninstall(apps, schema_editor):
    ReadinessTemplate = apps.get_model("booking", "ReadinessTemplate")
    # A template already used by a plan stays: PROTECT keeps the plans' history intact.
    ReadinessTemplate.objects.filter(slug=EXPRESS_RETURNABLE.slug, plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("booking", "0009_reservation_site_required")]

    operations = [migrations.RunPython(install, uninstall)]
