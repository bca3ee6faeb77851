"""The readiness board: held and late launches first, each step a chip in order, filters by
provider, site, launch status and owner role, and a step acted on from its dialog."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.models import Launch, PlanStep
from booking.selectors.readiness_board import BoardFilter, readiness_board
from tests.factories import LaunchFactory, ProviderFactory, UserFactory, portal_readiness_plan
from tests.vehicles.factories import LaunchSiteFactory
from vehicles.models import ProviderOperator

pytestmark = pytest.mark.django_db
BOARD = reverse("admin:booking_readinessplan_board")


def launch_with_steps(name, *, hours, statuses, site=None, provider=None, status="scheduled"):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=hours)
    extra = {"site": site} if site else {}
    if provider:
        extra["vehicle_model__provider"] = provider
    launch = LaunchFactory(name=name, window_start=start, net=start, status=status, **extra)
    steps = [
        (f"s{n}", f"Step {n} of {name}", -60 * (len(statuses) - n), st) for n, st in enumerate(statuses, 1)
    ]
    return portal_readiness_plan(launch, steps)


@pytest.fixture
def board():
    """Four launches: a quiet one soonest, one late, one with a failed blocking step, one on hold."""
    quiet = launch_with_steps("Quiet", hours=30, statuses=["done", "pending", "pending"])
    late = launch_with_steps("Late one", hours=48, statuses=["done", "pending", "pending"])
    # its second step (not blocking) was due yesterday: past its grace, late though the reconciler has not run
    PlanStep.objects.filter(plan=late, position=2).update(
        due_at=timezone.now() - timedelta(days=1), blocking=False
    )
    failed = launch_with_steps("Failed one", hours=72, statuses=["done", "failed", "pending"])
    held = launch_with_steps("Held one", hours=96, statuses=["done", "waived", "pending"], status="hold")
    return {"quiet": quiet, "late": late, "failed": failed, "held": held}


@pytest.fixture
def ops():
    client = Client()
    client.force_login(UserFactory(username="board-ops", is_staff=True, is_superuser=True))
    return client


def names(rows):
    return [row.launch.name for row in rows]


def test_held_launches_come_first_then_late_ones_then_by_lift_off(board):
    rows = readiness_board(provider_ids=None, wanted=BoardFilter(), now=timezone.now())
    assert names(rows) == ["Failed one", "Held one", "Late one", "Quiet"]
    late = rows[2]
    assert [item.state for item in late.steps] == ["done", "late", "pending"]
    assert late.late and not late.held and late.next_step.position == 2
    assert rows[0].holding[0].name == "Step 2 of Failed one" and rows[0].done == 1


def test_the_filters_narrow_by_site_status_owner_role_and_provider(board):
    now = timezone.now()
    elsewhere = LaunchSiteFactory(name="Xichang", code="XSLC")
    other = ProviderFactory(name="Galactic", slug="galactic-b")
    launch_with_steps("At Xichang", hours=20, statuses=["pending"], site=elsewhere, provider=other)
    assert names(readiness_board(provider_ids=None, wanted=BoardFilter(site_id=elsewhere.pk), now=now)) == [
        "At Xichang"
    ]
    assert names(readiness_board(provider_ids=None, wanted=BoardFilter(launch_status="hold"), now=now)) == [
        "Held one"
    ]
    assert names(readiness_board(provider_ids=None, wanted=BoardFilter(provider_id=other.pk), now=now)) == [
        "At Xichang"
    ]
    # An operator of another provider asking for Galactic's board gets nothing of it.
    assert (
        readiness_board(
            provider_ids={board["quiet"].launch.provider_id},
            wanted=BoardFilter(provider_id=other.pk),
            now=now,
        )
        == []
    )
    PlanStep.objects.filter(plan=board["quiet"], position=3).update(owner_role="finance")
    by_finance = readiness_board(provider_ids=None, wanted=BoardFilter(owner_role="finance"), now=now)
    assert names(by_finance) == ["Quiet"] and [i.mine for i in by_finance[0].steps] == [False, False, True]


def test_the_page_draws_chips_in_order_and_the_step_dialog(board, ops):
    html = ops.get(BOARD).content.decode()
    assert html.index("Failed one") < html.index("Held one") < html.index("Late one") < html.index("Quiet")
    step = PlanStep.objects.get(plan=board["late"], position=2)
    assert f'data-step="{step.pk}"' in html and 'class="chip late"' in html
    assert '<dialog id="step-dialog"' in html and 'value="waive"' in html
    assert "Step 2 of Failed one (failed)" in html
    assert "4 active plans" in html and "2 held, 1 late" in html


def test_a_step_signed_off_from_the_dialog_keeps_the_filters(board, ops):
    step = PlanStep.objects.get(plan=board["late"], position=2)
    response = ops.post(
        f"{BOARD}?status=scheduled", {"step": step.pk, "action": "complete", "note": "done late"}
    )
    assert response.status_code == 302 and response.url == f"{BOARD}?status=scheduled"
    step.refresh_from_db()
    assert step.status == PlanStep.Status.DONE and step.note == "done late"
    refused = ops.post(BOARD, {"step": step.pk + 1, "action": "waive", "note": ""}, follow=True)
    assert "Say why “Step 3 of Late one” is waived." in refused.content.decode()
    assert PlanStep.objects.get(pk=step.pk + 1).status == PlanStep.Status.PENDING


def test_an_operator_filters_among_its_own_providers_only(board):
    other = ProviderFactory(name="Galactic", slug="galactic-c")
    staff = UserFactory(username="expace-board", is_staff=True, is_superuser=False)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(Permission.objects.filter(codename__in=["view_readinessplan"]))
    ProviderOperator.objects.create(user=staff, provider=board["quiet"].launch.provider)
    client = Client()
    client.force_login(staff)
    page = client.get(BOARD, {"provider": other.pk}).content.decode()
    assert "Select a valid choice" in page
    assert "Quiet" in page and "Failed one" not in page  # its own board, nobody else's
    assert '<dialog id="step-dialog"' not in page  # may look, not act
    assert Launch.objects.count() == 4
