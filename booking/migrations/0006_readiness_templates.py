"""Ship the express 24-hour, standard campaign and cargo mission readiness templates."""

from django.db import migrations

from booking.readiness_templates import SHIPPED_TEMPLATES, install_readiness_templates


def install(apps, schema_editor):
    install_readiness_templates(apps.get_model("booking", "ReadinessTemplate"), apps.get_model("booking", "TemplateStep"))


def uninstall(apps, schema_editor):
    ReadinessTemplate = apps.get_model("booking", "ReadinessTemplate")
    slugs = [spec.slug for spec in SHIPPED_TEMPLATES]
    # Templates already used by a plan stay: PROTECT keeps the plans' history intact.
    ReadinessTemplate.objects.filter(slug__in=slugs, plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("booking", "0005_readiness_planstep_wake_at")]

    operations = [migrations.RunPython(install, uninstall)]
