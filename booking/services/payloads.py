"""Payloads and their documents: what a customer describes before and while booking.

The portal and the API call these. They live in booking (not customers) because they write the
audit log and a payload's changes are bounded by its bookings.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from booking.models import Booking
from customers.models import Customer, Document, Payload
from customers.selectors import orbit_assessment

from .errors import InvalidRequest
from .events import Actor, event_record
from .pricing import user_or_none

# Fields that, once a payload holds a seat, only operations may change: they set the mass
# counted against the launch and the orbit the launch was chosen for.
BOOKED_FIELDS = ("mass_kg", "orbit_family", "altitude_km", "inclination_deg")
EDITABLE_FIELDS = (
    "name",
    "mass_kg",
    "length_m",
    "width_m",
    "height_m",
    "orbit_family",
    "altitude_km",
    "inclination_deg",
    "returnable",
    "hazards",
)

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".xlsx", ".odt", ".ods", ".txt", ".csv", ".zip", ".step", ".stp"}


def _check_orbit(values: dict[str, Any]) -> None:
    assessment = orbit_assessment(
        orbit_family=values["orbit_family"],
        altitude_km=values["altitude_km"],
        inclination_deg=values.get("inclination_deg"),
        mass_kg=values.get("mass_kg"),
    )
    if not assessment.ok:
        raise InvalidRequest("; ".join(assessment.errors.values()).capitalize() + ".")


def _check_name(*, customer: Customer, name: str, exclude_pk: int | None = None) -> None:
    clash = Payload.objects.filter(customer=customer, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise InvalidRequest(f"You already have a payload named {name}.")


def _snapshot(payload: Payload) -> dict[str, Any]:
    return {name: getattr(payload, name) for name in EDITABLE_FIELDS}


@transaction.atomic
def payload_create(*, customer: Customer, actor: Actor, **values: Any) -> Payload:
    """Describe a new payload. Refuses an orbit no site in the catalog can reach."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidRequest(f"Unknown payload fields: {', '.join(sorted(unknown))}.")
    if values.get("mass_kg") is None or Decimal(values["mass_kg"]) <= 0:
        raise InvalidRequest("Give the payload's mass in kg (more than 0).")
    _check_name(customer=customer, name=values["name"])
    _check_orbit(values)
    payload = Payload(customer=customer, **values)
    payload.full_clean()
    payload.save()
    event_record(
        verb="payload.created",
        subject=payload,
        actor=actor,
        after=_snapshot(payload),
        message=f"Payload {payload.name} described ({payload.mass_kg} kg to {payload.orbit_family} "
        f"{payload.altitude_km} km).",
        customer=customer,
    )
    return payload


@transaction.atomic
def payload_update(*, payload: Payload, actor: Actor, **values: Any) -> Payload:
    """Change a payload. Mass and orbit are frozen while it holds a seat on a launch."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidRequest(f"Unknown payload fields: {', '.join(sorted(unknown))}.")
    payload = Payload.objects.select_for_update().get(pk=payload.pk)
    before = _snapshot(payload)
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return payload
    frozen = [name for name in changed if name in BOOKED_FIELDS]
    if frozen:
        active = (
            Booking.objects.filter(payload=payload, status__in=Booking.CAPACITY_STATUSES)
            .select_related("launch")
            .first()
        )
        if active is not None:
            raise InvalidRequest(
                f"{payload.name} holds a seat on {active.launch} ({active.reference}): its mass and "
                "orbit cannot change while booked. Cancel the booking or ask launch operations."
            )
    if "name" in changed:
        _check_name(customer=payload.customer, name=changed["name"], exclude_pk=payload.pk)
    merged = {**before, **changed}
    _check_orbit(merged)
    for name, value in changed.items():
        setattr(payload, name, value)
    payload.full_clean()
    payload.save()
    event_record(
        verb="payload.updated",
        subject=payload,
        actor=actor,
        before={name: before[name] for name in changed},
        after=changed,
        message=f"Payload {payload.name} changed: {', '.join(sorted(changed))}.",
        customer=payload.customer,
    )
    return payload


@transaction.atomic
def document_upload(
    *, customer: Customer, kind: str, file: UploadedFile, actor: Actor, payload: Payload | None = None
) -> Document:
    """Submit a document for review (interface control document, mass properties, export forms)."""
    if kind not in Document.Kind.values:
        raise InvalidRequest(f"Unknown document kind {kind!r}.")
    if payload is not None and payload.customer_id != customer.pk:
        raise InvalidRequest("That payload belongs to another customer.")
    extension = Path(file.name or "").suffix.lower()
    if extension not in DOCUMENT_EXTENSIONS:
        raise InvalidRequest(
            f"Files of type {extension or '(none)'} are not accepted: upload one of "
            f"{', '.join(sorted(DOCUMENT_EXTENSIONS))}."
        )
    if file.size is not None and file.size > DOCUMENT_MAX_BYTES:
        raise InvalidRequest(
            f"{file.name} is {file.size / 1048576:.1f} MB: the limit is {DOCUMENT_MAX_BYTES // 1048576} MB."
        )
    document = Document.objects.create(
        customer=customer,
        payload=payload,
        kind=kind,
        file=file,
        uploaded_by=user_or_none(actor),
    )
    event_record(
        verb="document.submitted",
        subject=document,
        actor=actor,
        after={"kind": kind, "payload": payload.name if payload else None, "status": document.status},
        message=f"{document.get_kind_display()} submitted for review"
        + (f" for {payload.name}." if payload else "."),
        customer=customer,
    )
    return document
