"""What the portal pages show: dashboard, contracts, readiness timeline, documents, events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking, PlanStep
from booking.services.events import event_record
from customers.models import Document, Membership
from tests.factories import BookingFactory, PaymentMilestoneFactory, portal_readiness_plan

pytestmark = pytest.mark.django_db


def test_dashboard_counts_down_to_the_next_launch_and_lists_payments_due(member_client, world):
    PaymentMilestoneFactory(
        contract=world["contract"], label="Deposit", reference="LB-GOM01", amount=Decimal("27000")
    )
    PaymentMilestoneFactory(
        contract=world["contract"],
        label="Balance",
        reference="LB-GOM01",
        due_at=timezone.now() - timedelta(days=1),
    )
    PaymentMilestoneFactory(contract=world["contract"], label="Paid already", paid_at=timezone.now())
    text = member_client.get(reverse("portal:dashboard")).content.decode()
    launch = world["launch"]
    assert f'data-countdown="{launch.net.isoformat()}"' in text
    assert "Kuaizhou-1A rideshare" in text
    assert "27,000.00 USD" in text
    assert "Overdue" in text
    assert "Paid already" not in text
    assert f'href="{reverse("portal:booking_detail", args=["LB-GOM01"])}"' in text


def test_dashboard_shows_times_in_the_customers_time_zone(member_client, world):
    text = member_client.get(reverse("portal:dashboard")).content.decode()
    assert "Times are shown in Europe/Copenhagen" in text
    assert " CET" in text or " CEST" in text


def test_member_chooses_another_time_zone(member_client, world):
    response = member_client.post(reverse("portal:account"), {"time_zone": "Asia/Shanghai"}, follow=True)
    assert "Times are now shown in Asia/Shanghai." in response.content.decode()
    net = world["launch"].net.astimezone(timezone.get_fixed_timezone(8 * 60))
    text = member_client.get(reverse("portal:launch_detail", args=[world["launch"].pk])).content.decode()
    assert net.strftime("%H:%M CST") in text
    # Kept with the membership: signed out and in again, still Shanghai; the organisation's
    # default is unchanged for its other members.
    member_client.logout()
    member_client.force_login(world["member"])
    text = member_client.get(reverse("portal:launch_detail", args=[world["launch"].pk])).content.decode()
    assert net.strftime("%H:%M CST") in text
    assert Membership.objects.get(user=world["member"]).time_zone == "Asia/Shanghai"
    world["customer"].refresh_from_db()
    assert world["customer"].time_zone == "Europe/Copenhagen"
    # Back to the organisation's time zone: the choice is cleared, later changes reach the member.
    response = member_client.post(reverse("portal:account"), {"time_zone": ""}, follow=True)
    assert "Times are now shown in Europe/Copenhagen." in response.content.decode()
    assert Membership.objects.get(user=world["member"]).time_zone == ""


def test_an_unknown_time_zone_is_refused_and_nothing_changes(member_client, world):
    response = member_client.post(reverse("portal:account"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Membership.objects.get(user=world["member"]).time_zone == ""


def test_contract_shows_launches_used_and_remaining(member_client, world):
    BookingFactory(customer=world["customer"], contract=world["contract"], status=Booking.Status.FLOWN)
    BookingFactory(customer=world["customer"], contract=world["contract"], status=Booking.Status.CANCELLED)
    text = member_client.get(reverse("portal:contracts")).content.decode()
    assert '<span class="n">10</span><span class="l">committed</span>' in text
    assert '<span class="n">2</span><span class="l">used</span>' in text
    assert '<span class="n">8</span><span class="l">remaining</span>' in text


def test_readiness_timeline_marks_late_steps_and_polls(member_client, world):
    launch = world["launch"]
    portal_readiness_plan(
        launch,
        [
            ("icd", "Interface control document agreed", -(9 * 24 * 60), PlanStep.Status.DONE),
            ("mass", "Mass properties delivered", -(8 * 24 * 60), PlanStep.Status.LATE),
            ("mate", "Payload mated", -360, PlanStep.Status.PENDING),
        ],
    )
    url = reverse("portal:booking_detail", args=["LB-GOM01"])
    text = member_client.get(url).content.decode()
    assert "Readiness timeline" in text
    assert 'hx-trigger="every 15s"' in text
    assert "1 late" in text
    fragment = member_client.get(url + "readiness/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert 'class="late" data-step="mass"' in fragment
    # Steps are shown in the viewer's time zone (Copenhagen): CET or CEST.
    assert " CET<" in fragment or " CEST<" in fragment


def test_member_uploads_a_document_and_sees_its_review_status(member_client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = member_client.post(
        reverse("portal:documents"),
        {
            "kind": "icd",
            "payload": world["payload"].pk,
            "file": SimpleUploadedFile("gomx-icd.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.customer == world["customer"] and document.uploaded_by == world["member"]
    text = member_client.get(reverse("portal:booking_detail", args=["LB-GOM01"])).content.decode()
    assert "Interface control document" in text and "Submitted" in text
    assert "Not uploaded" in text  # mass properties and export forms still missing
    download = member_client.get(reverse("portal:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_documents_of_other_customers_cannot_be_downloaded(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.create(
        customer=world["customer"], kind="icd", file=SimpleUploadedFile("x.pdf", b"secret")
    )
    client.force_login(world["outsider"])
    assert client.get(reverse("portal:document_download", args=[document.pk])).status_code == 404


def test_an_unaccepted_file_type_is_refused_next_to_the_field(member_client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = member_client.post(
        reverse("portal:documents"),
        {"kind": "export", "file": SimpleUploadedFile("run.exe", b"MZ")},
    )
    text = response.content.decode()
    assert "Files of type .exe are not accepted" in text
    assert 'id="id_file_error"' in text


def test_events_history_shows_the_customers_events_only(member_client, world):
    event_record(
        verb="booking.confirmed",
        subject=world["booking"],
        actor=world["member"],
        message="Booking LB-GOM01 confirmed.",
        customer=world["customer"],
        launch=world["launch"],
    )
    event_record(
        verb="booking.confirmed",
        subject=world["other_booking"],
        actor=world["outsider"],
        message="Booking LB-OTH01 confirmed.",
        customer=world["other"],
        launch=world["launch"],
    )
    event_record(
        verb="launch.slipped",
        subject=world["launch"],
        actor=None,
        message="Launch slipped by 2 hours.",
        launch=world["launch"],
    )
    text = member_client.get(reverse("portal:events")).content.decode()
    assert "Booking LB-GOM01 confirmed." in text and "LB-OTH01" not in text
    detail = member_client.get(reverse("portal:booking_detail", args=["LB-GOM01"])).content.decode()
    assert "Launch slipped by 2 hours." in detail and "Booking LB-OTH01 confirmed." not in detail


def test_a_step_past_due_but_within_its_grace_is_not_shown_late(member_client, world):
    """The portal counts late as the readiness engine does: past the due time and the grace."""
    from booking.portal.selectors import readiness_timeline

    launch = world["launch"]
    plan = portal_readiness_plan(launch, [("icd", "ICD agreed", -60, PlanStep.Status.PENDING)])
    step = plan.steps.get()
    now = step.due_at + timedelta(minutes=5)
    PlanStep.objects.filter(pk=step.pk).update(grace_minutes=60)
    _, rows = readiness_timeline(launch=launch, now=now)
    assert [row.late for row in rows] == [False]
    _, rows = readiness_timeline(launch=launch, now=step.due_at + timedelta(minutes=61))
    assert [row.late for row in rows] == [True]


def test_a_document_row_without_a_file_answers_not_found(member_client, world):
    document = Document.objects.create(customer=world["customer"], kind="icd")
    assert member_client.get(reverse("portal:document_download", args=[document.pk])).status_code == 404
