"""Operators approve or reject customer documents; the customer sees the outcome in the events."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from booking.errors import InvalidRequest
from booking.models import Event
from booking.services.payloads import document_review, document_upload
from customers.models import Customer, Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def icd(demo_catalog, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    gomspace = Customer.objects.get(slug="gomspace")
    return document_upload(
        customer=gomspace,
        kind=Document.Kind.ICD,
        file=SimpleUploadedFile("icd.pdf", b"%PDF-1.4 interface control document"),
        actor=None,
        payload=gomspace.payloads.get(name="GOMX-5A"),
    )


def test_approving_a_document_is_recorded_for_the_customer(icd):
    document_review(document=icd, approve=True, actor=None)
    icd.refresh_from_db()
    assert icd.status == Document.Status.APPROVED
    event = Event.objects.get(verb="document.approved", subject_id=icd.pk)
    assert event.customer == icd.customer
    assert event.message == "Interface control document for GOMX-5A (3.0 kg) approved"


def test_a_rejection_must_say_what_to_fix(icd):
    with pytest.raises(
        InvalidRequest, match="Say what to fix when rejecting the interface control document."
    ):
        document_review(document=icd, approve=False, actor=None, note="  ")
    document_review(document=icd, approve=False, actor=None, note="Section 4 lacks the mass properties")
    icd.refresh_from_db()
    assert icd.status == Document.Status.REJECTED
    assert icd.review_note == "Section 4 lacks the mass properties"


def test_approving_twice_is_refused(icd):
    document_review(document=icd, approve=True, actor=None)
    with pytest.raises(InvalidRequest, match="is approved already"):
        document_review(document=icd, approve=True, actor=None)


def test_the_operator_approves_from_the_admin(icd, client, settings):
    assert client.login(username="operator", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    response = client.post(
        reverse("admin:customers_document_changelist"),
        {"action": "approve", "_selected_action": [icd.pk], "note": ""},
        follow=True,
    )
    assert "Interface control document for Gomspace: approved." in response.content.decode()
    icd.refresh_from_db()
    assert icd.status == Document.Status.APPROVED
    page = client.get(reverse("admin:customers_document_change", args=[icd.pk])).content.decode()
    assert 'name="status"' not in page  # the status changes only through the review actions
