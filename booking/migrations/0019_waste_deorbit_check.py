"""Station waste for deorbit becomes a planned step with its mass: the cargo template's step runs the
"waste manifested" check on the cargo manifest instead of waiting for a bare sign-off. Only that step
of the installed template changes; the rest stays as operators edited it."""

from django.db import migrations


def to_check(apps, schema_editor):
    TemplateStep = apps.get_model("booking", "TemplateStep")
    TemplateStep.objects.filter(template__slug="cargo-mission", code="waste-deorbit").update(
        kind="automatic", check_name="waste_manifested"
    )


def to_sign_off(apps, schema_editor):
    TemplateStep = apps.get_model("booking", "TemplateStep")
    TemplateStep.objects.filter(template__slug="cargo-mission", code="waste-deorbit").update(
        kind="manual", check_name=""
    )


class Migration(migrations.Migration):
    dependencies = [("booking", "0018_launch_ltan")]

    operations = [migrations.RunPython(to_check, to_sign_off)]
