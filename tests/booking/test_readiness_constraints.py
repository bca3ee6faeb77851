"""The database holds the readiness rules it can: a manual step is signed off by a person and
carries no check; an automatic step names the check it runs."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.models import Event, Launch, PlanStep, ReadinessTemplate, TemplateStep
from booking.services import readiness
from tests.factories import LaunchFactory, readiness_templates

pytestmark = pytest.mark.django_db


def test_a_manual_template_step_with_a_check_is_refused_by_the_database():
    readiness_templates()
    step = TemplateStep.objects.filter(kind=TemplateStep.Kind.MANUAL).first()
    assert step is not None
    with pytest.raises(IntegrityError, match="templatestep_manual_has_no_check"), transaction.atomic():
        TemplateStep.objects.filter(pk=step.pk).update(check_name="documents_approved")


def test_a_manual_plan_step_with_a_check_is_refused_by_the_database():
    readiness_templates()
    # The shipped standard campaign needs its minimum chain (weeks) before lift-off; a plan
    # started with less lead is refused, so this launch opens a year out.
    launch = LaunchFactory(window_start=timezone.now().replace(microsecond=0) + timedelta(days=365))
    readiness.plan_start(launch=launch, actor=None)
    step = PlanStep.objects.filter(plan__launch=launch, kind=TemplateStep.Kind.MANUAL).first()
    assert step is not None
    with pytest.raises(IntegrityError, match="planstep_manual_has_no_check"), transaction.atomic():
        PlanStep.objects.filter(pk=step.pk).update(check_name="documents_approved")
    assert ReadinessTemplate.objects.exists()


def test_the_migration_fills_who_holds_a_launch_from_its_latest_hold_event():
    migration = importlib.import_module("booking.migrations.0013_readiness_hold_column")
    by_readiness, by_person, scheduled = LaunchFactory(), LaunchFactory(), LaunchFactory()
    Launch.objects.filter(pk__in=[by_readiness.pk, by_person.pk]).update(status=Launch.Status.HOLD)
    for launch, held_by in ((by_readiness, "operator"), (by_readiness, "readiness"), (by_person, "operator")):
        Event.objects.create(
            verb="launch.status_changed",
            subject_type="launch",
            subject_id=launch.pk,
            launch=launch,
            after={"status": "hold", "held_by": held_by},
            message=f"{launch.name}: on hold",
        )
    migration.fill_held_by(apps, None)
    held = dict(Launch.objects.values_list("pk", "held_by"))
    assert held == {by_readiness.pk: "readiness", by_person.pk: "operator", scheduled.pk: ""}
