"""Operators' readiness admin: the board, step actions, template editing and launch actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from booking.admin.readiness import LAUNCH_STATUS_ACTIONS, hold_launches, record_success, release_launches
from booking.models import Event, Launch, PlanStep, ReadinessTemplate
from booking.services import readiness
from tests.factories import LaunchFactory, UserFactory, VehicleFactory, readiness_templates
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return UserFactory(username="ops-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def held_launch():
    readiness_templates()
    # Ordered its express chain (7 h 40 min) ahead, and some.
    t0 = timezone.now().replace(microsecond=0) + timedelta(hours=8)
    launch = LaunchFactory(
        name="Board launch",
        service_level="express",
        window_start=t0,
        window_end=t0 + timedelta(hours=2),
        net=t0,
    )
    plan = readiness.plan_start(launch=launch, actor=None)
    PlanStep.objects.filter(plan=plan, due_at__lt=timezone.now()).update(status="done", wake_at=None)
    readiness.step_fail(step=plan.steps.get(code="payload-mated"), actor=None, note="connector bent")
    return launch


def test_the_board_shows_what_holds_which_launch_and_signs_steps_off(client, operator, held_launch):
    client.force_login(operator)
    url = reverse("admin:booking_readinessplan_board")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Board launch" in html and "On hold" in html
    assert "Payload mated and encapsulated (failed): connector bent" in html

    step = PlanStep.objects.get(plan__launch=held_launch, code="payload-mated")
    refused = client.post(url, {"step": step.pk, "action": "waive", "note": ""}, follow=True)
    assert "Say why “Payload mated and encapsulated” is waived." in refused.content.decode()
    done = client.post(url, {"step": step.pk, "action": "complete", "note": "new connector"}, follow=True)
    assert "Board launch: “Payload mated and encapsulated” is done." in done.content.decode()
    assert Launch.objects.get(pk=held_launch.pk).status == Launch.Status.SCHEDULED
    assert Event.objects.get(verb="readiness.step_done", subject_id=step.pk).actor == operator


def test_plan_step_actions_call_the_services(client, operator, held_launch):
    client.force_login(operator)
    step = PlanStep.objects.get(plan__launch=held_launch, code="payload-mated")
    response = client.post(
        reverse("admin:booking_planstep_changelist"),
        {"action": "waive_steps", "_selected_action": [step.pk], "note": "flying without it"},
        follow=True,
    )
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.status == PlanStep.Status.WAIVED and step.note == "flying without it"


def test_operators_edit_templates_and_automatic_steps_need_a_check(client, operator):
    readiness_templates()
    client.force_login(operator)
    template = ReadinessTemplate.objects.get(slug="express-24h")
    page = client.get(reverse("admin:booking_readinesstemplate_change", args=[template.pk]))
    assert page.status_code == 200 and "Go/no-go poll" in page.content.decode()
    assert client.get(reverse("admin:booking_readinessplan_changelist")).status_code == 200
    assert client.get(reverse("admin:booking_planstep_changelist")).status_code == 200

    from booking.admin.readiness import TemplateStepForm

    form = TemplateStepForm(
        data={
            "position": 20,
            "code": "extra",
            "name": "Extra",
            "offset_minutes": -60,
            "duration_minutes": 30,
            "grace_minutes": 10,
            "owner_role": "operations",
            "kind": "automatic",
            "check_name": "",
            "blocking": True,
        }
    )
    assert not form.is_valid()
    assert form.errors["check_name"] == ["An automatic step needs a check to run."]


def _request(rf, user, data):
    request = rf.post("/admin/booking/launch/", data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_launch_actions_hold_with_a_reason_release_and_record_the_outcome(rf, operator):
    vehicle = VehicleFactory(status=Vehicle.Status.ASSIGNED)
    launch = LaunchFactory(name="Action launch", vehicle=vehicle, vehicle_model=vehicle.vehicle_model)
    modeladmin = admin.site._registry[Launch]
    queryset = Launch.objects.filter(pk=launch.pk)
    assert len(LAUNCH_STATUS_ACTIONS) == 6

    asks = hold_launches(modeladmin, _request(rf, operator, {}), queryset)
    asks.render()
    assert "Why are these launches held?" in asks.content.decode()
    assert (
        hold_launches(
            modeladmin, _request(rf, operator, {"confirm": "yes", "reason": "range request late"}), queryset
        )
        is None
    )
    launch.refresh_from_db()
    assert launch.status == Launch.Status.HOLD
    assert (
        Event.objects.filter(verb="launch.status_changed", launch=launch).latest("pk").after["held_by"]
        == "operator"
    )

    release_launches(modeladmin, _request(rf, operator, {}), queryset)
    launch.refresh_from_db()
    assert launch.status == Launch.Status.SCHEDULED

    request = _request(rf, operator, {})
    record_success(modeladmin, request, queryset)
    assert [str(m) for m in request._messages] == [
        "Action launch cannot have an outcome recorded: it is scheduled, and only a launch that is launched can."
    ]
