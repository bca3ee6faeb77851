"""Customers register payloads: a mass and a target orbit the catalog can actually reach.

The API and the portal call these; the orbit rule is ``payload_orbit_problems``. Documents a
customer submits for review (interface control document, mass properties, export forms) are here
too: they belong to a payload and write the same audit log.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import Booking
from booking.rules.cargo import (
    DIRECTION_WORDS,
    DIRECTIONS,
    ManifestLine,
    manifest_problems,
    return_mass_problems,
)
from booking.rules.local_time import clock
from booking.selectors.capacity import capacity_taking_q
from booking.selectors.orbit import CatalogOrbitReview, catalog_orbit_review
from booking.selectors.ports import envelope_problem
from booking.selectors.returns import payload_manifest_lines, programme_limits
from booking.services.events import user_or_none
from customers.models import CargoItem, CargoProgramme, Customer, Document, Payload
from vehicles.models import OrbitFamily

from .events import Actor, event_record
from .locking import lock_document, lock_payload


def payload_orbit_problems(
    *, orbit_family: str, altitude_km: int, inclination_deg: Decimal | None
) -> dict[str, str]:
    """Why the catalog cannot fly to this orbit, per field (empty when it can).

    The one orbit rule (``booking.rules.orbit`` through ``selectors.orbit.catalog_orbit_review``):
    the target orbit itself (family, altitude, sun-synchronous altitude and inclination), some
    active vehicle model with a figure for the family and altitude, some site whose corridors
    reach the inclination.
    """
    return catalog_orbit_review(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg
    ).problems


def payload_mission_problems(
    *,
    orbit_family: str,
    mass_kg: Decimal,
    returnable: bool,
    return_mass_kg: Decimal | None,
    ltan: time | None,
    cargo_programme: CargoProgramme | None,
) -> dict[str, str]:
    """Why the payload's return mass, cargo programme or local time do not hold together, per field.

    The rules are ``rules.cargo.return_mass_problems`` and, for the local time of the ascending
    node, that it belongs to sun-synchronous payloads only.
    """
    problems = return_mass_problems(
        returnable=returnable,
        mass_kg=mass_kg,
        return_mass_kg=return_mass_kg,
        programme=programme_limits(cargo_programme),
    )
    if ltan is not None and orbit_family != OrbitFamily.SSO:
        problems["ltan"] = (
            f"A local time of the ascending node (LTAN {clock(ltan)}) belongs to a sun-synchronous orbit, "
            f"not to {orbit_family}: leave it empty."
        )
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        messages = list(problems.values())
        raise InvalidRequest(messages[0], reasons=messages)


def payload_orbit_warnings(
    *, orbit_family: str, altitude_km: int, inclination_deg: Decimal | None, mass_kg: Decimal
) -> list[str]:
    """What does not stop a payload registering but stops it flying: more mass than any vehicle lifts."""
    return catalog_orbit_review(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg, mass_kg=mass_kg
    ).warnings


def payload_create(
    *,
    customer: Customer,
    actor: Actor,
    name: str,
    mass_kg: Decimal,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | None = None,
    returnable: bool = False,
    length_m: Decimal | None = None,
    width_m: Decimal | None = None,
    height_m: Decimal | None = None,
    hazards: str = "",
    return_mass_kg: Decimal | None = None,
    ltan: time | None = None,
    cargo_programme: CargoProgramme | None = None,
    orbit_review: CatalogOrbitReview | None = None,
    earliest_launch: date | None = None,
    latest_launch: date | None = None,
) -> Payload:
    """Register a payload of ``customer``. Refuses an orbit no vehicle and site can reach, and masses
    or a local time that do not hold together (``payload_mission_problems``). A front end that has
    just reviewed these same orbit and mass (``catalog_orbit_review``) passes its ``orbit_review``
    so the catalog is read once per request.

    A payload heavier than any vehicle lifts to its orbit registers with a warning, on the
    returned payload's ``orbit_warnings`` (not stored): "No vehicle in the catalog lifts more
    than 1,080 kg to SSO 700 km …".
    """
    name = (name or "").strip()
    if not name:
        raise InvalidRequest(_("A payload needs a name."))
    if mass_kg <= 0:
        raise InvalidRequest(
            _("A payload's mass must be above 0 kg, not %(mass_kg)s kg.") % {"mass_kg": mass_kg}
        )
    _check_launch_dates(earliest_launch=earliest_launch, latest_launch=latest_launch)
    review = orbit_review or catalog_orbit_review(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg, mass_kg=mass_kg
    )
    if review.problems:
        messages = list(review.problems.values())
        raise InvalidRequest(messages[0], reasons=messages)
    _refuse(
        payload_mission_problems(
            orbit_family=orbit_family,
            mass_kg=mass_kg,
            returnable=returnable,
            return_mass_kg=return_mass_kg,
            ltan=ltan,
            cargo_programme=cargo_programme,
        )
    )
    try:
        with transaction.atomic():
            payload = Payload.objects.create(
                customer=customer,
                name=name,
                mass_kg=mass_kg,
                orbit_family=orbit_family,
                altitude_km=altitude_km,
                inclination_deg=inclination_deg,
                returnable=returnable,
                return_mass_kg=return_mass_kg,
                ltan=ltan,
                cargo_programme=cargo_programme,
                length_m=length_m,
                width_m=width_m,
                height_m=height_m,
                hazards=hazards,
                earliest_launch=earliest_launch,
                latest_launch=latest_launch,
            )
            # A new payload has no manifest lines yet: its answer need not ask.
            payload._prefetched_objects_cache = {"cargo_items": CargoItem.objects.none()}  # type: ignore[attr-defined]
            event_record(
                verb="payload.created",
                subject=payload,
                actor=actor,
                customer=customer,
                after={
                    "name": name,
                    "mass_kg": mass_kg,
                    "orbit": f"{orbit_family} {altitude_km} km",
                    "returnable": returnable,
                    "return_mass_kg": return_mass_kg,
                    "ltan": ltan,
                    "cargo_programme": cargo_programme.slug if cargo_programme else None,
                },
                message=f"Payload {name} ({mass_kg} kg to {orbit_family} {altitude_km} km) registered",
            )
    except IntegrityError as exc:
        raise InvalidRequest(
            _("%(customer)s already has a payload named %(name)s.")
            % {"customer": customer, "name": f"{name!r}"}
        ) from exc
    # Not stored: what the catalog said at registration, for the front end to show.
    payload.orbit_warnings = review.warnings  # type: ignore[attr-defined]
    return payload


# Fields that, once a payload holds a seat, only operations may change: they set the mass
# counted against the launch and the orbit the launch was chosen for.
BOOKED_FIELDS = ("mass_kg", "orbit_family", "altitude_km", "inclination_deg", "return_mass_kg", "ltan")
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
    "return_mass_kg",
    "ltan",
    "cargo_programme",
    "hazards",
    "earliest_launch",
    "latest_launch",
)

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".xlsx", ".odt", ".ods", ".txt", ".csv", ".zip", ".step", ".stp"}


def _check_launch_dates(*, earliest_launch: date | None, latest_launch: date | None) -> None:
    """The payload's acceptable launch dates (the manifest optimiser keeps within them) in order."""
    if earliest_launch is not None and latest_launch is not None and earliest_launch > latest_launch:
        raise InvalidRequest(
            _(
                "The earliest launch date %(earliest)s is after the latest %(latest)s: swap them or leave one empty."
            )
            % {"earliest": earliest_launch.isoformat(), "latest": latest_launch.isoformat()}
        )


def _snapshot(payload: Payload) -> dict[str, Any]:
    return {name: getattr(payload, name) for name in EDITABLE_FIELDS}


def _logged(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit log keeps them: a programme by its slug."""
    return {
        name: (value.slug if isinstance(value, CargoProgramme) else value) for name, value in values.items()
    }


@transaction.atomic
def payload_update(*, payload: Payload, actor: Actor, **values: Any) -> Payload:
    """Change a payload. Mass and orbit are frozen while it holds a seat on a launch. A change of
    mass or orbit that no vehicle lifts comes back on ``orbit_warnings``, as at registration."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidRequest(_("Unknown payload fields: %(join)s.") % {"join": ", ".join(sorted(unknown))})
    payload = lock_payload(payload_id=payload.pk)
    before = _snapshot(payload)
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return payload
    frozen = [name for name in changed if name in BOOKED_FIELDS]
    if frozen:
        active = (
            Booking.objects.filter(capacity_taking_q(now=timezone.now()), payload=payload)
            .select_related("launch")
            .first()
        )
        if active is not None:
            raise Conflict(
                _(
                    "%(name)s holds a seat on %(launch)s (%(reference)s): its mass and orbit cannot change "
                    "while booked. Cancel the booking or ask launch operations."
                )
                % {"name": payload.name, "launch": active.launch, "reference": active.reference}
            )
    if "name" in changed and (
        Payload.objects.filter(customer=payload.customer, name=changed["name"])
        .exclude(pk=payload.pk)
        .exists()
    ):
        raise InvalidRequest(
            _("%(customer)s already has a payload named %(name)s.")
            % {"customer": payload.customer, "name": f"{changed['name']!r}"}
        )
    _check_sizes_fit_booking(payload=payload, changed=changed)
    merged = {**before, **changed}
    _check_launch_dates(earliest_launch=merged["earliest_launch"], latest_launch=merged["latest_launch"])
    problems = payload_orbit_problems(
        orbit_family=merged["orbit_family"],
        altitude_km=merged["altitude_km"],
        inclination_deg=merged["inclination_deg"],
    )
    if problems:
        messages = list(problems.values())
        raise InvalidRequest(messages[0], reasons=messages)
    _refuse(
        payload_mission_problems(
            orbit_family=merged["orbit_family"],
            mass_kg=merged["mass_kg"],
            returnable=merged["returnable"],
            return_mass_kg=merged["return_mass_kg"],
            ltan=merged["ltan"],
            cargo_programme=merged["cargo_programme"],
        )
    )
    for name, value in changed.items():
        setattr(payload, name, value)
    payload.full_clean()
    payload.save()
    event_record(
        verb="payload.updated",
        subject=payload,
        actor=actor,
        before=_logged({name: before[name] for name in changed}),
        after=_logged(changed),
        message=f"Payload {payload.name} changed: {', '.join(sorted(changed))}.",
        customer=payload.customer,
    )
    # Not stored: an edit that makes the payload heavier than the catalog lifts to its orbit is said
    # as registration says it.
    payload.orbit_warnings = (  # type: ignore[attr-defined]
        payload_orbit_warnings(
            orbit_family=payload.orbit_family,
            altitude_km=payload.altitude_km,
            inclination_deg=payload.inclination_deg,
            mass_kg=Decimal(payload.mass_kg),
        )
        if ORBIT_AND_MASS.intersection(changed)
        else []
    )
    return payload


#: The fields the catalog's "heaviest it lifts" warning depends on.
ORBIT_AND_MASS = frozenset({"mass_kg", "orbit_family", "altitude_km", "inclination_deg"})


SIZE_FIELDS = ("length_m", "width_m", "height_m")


def _check_sizes_fit_booking(*, payload: Payload, changed: dict[str, Any]) -> None:
    """New sizes of a booked payload must still fit its seat (fairing and port). Caller holds the
    payload lock, which a hold and a confirm take too: the check and theirs never cross."""
    if not any(name in changed for name in SIZE_FIELDS):
        return
    active = (
        Booking.objects.filter(capacity_taking_q(now=timezone.now()), payload=payload)
        .select_related("launch__vehicle_model", "launch_port")
        .first()
    )
    if active is None:
        return
    resized = Payload(
        **{
            **{f: getattr(payload, f) for f in ("name", "mass_kg", *SIZE_FIELDS)},
            **{name: value for name, value in changed.items() if name in SIZE_FIELDS},
        }
    )
    problem = envelope_problem(
        vehicle_model=active.launch.vehicle_model, port=active.launch_port, payload=resized
    )
    if problem:
        raise Conflict(
            _("%(name)s is booked on %(launch)s (%(reference)s) and would no longer fit: %(problem)s")
            % {
                "name": payload.name,
                "launch": active.launch,
                "reference": active.reference,
                "problem": problem,
            }
        )


def cargo_item_add(
    *, payload: Payload, actor: Actor, direction: str, name: str, mass_kg: Decimal, priority: int = 3
) -> CargoItem:
    """Add a line to a cargo mission's manifest: an item up, an item back to Earth, or station waste.

    Refused, naming the figures, when the payload is not a cargo mission or the manifest would no
    longer fit its up-mass or return mass (``rules.cargo.manifest_problems``).
    """
    name = (name or "").strip()
    if direction not in DIRECTIONS:
        raise InvalidRequest(
            _("A manifest line goes %(directions)s, not %(direction)s.")
            % {"directions": ", ".join(DIRECTIONS), "direction": f"{direction!r}"}
        )
    if not name:
        raise InvalidRequest(_("A manifest line needs a name."))
    if mass_kg <= 0:
        raise InvalidRequest(
            _("A manifest line's mass must be above 0 kg, not %(mass_kg)s kg.") % {"mass_kg": mass_kg}
        )
    if not 1 <= priority <= 5:
        raise InvalidRequest(
            _("A manifest line's priority runs from 1 (flies first) to 5, not %(priority)s.")
            % {"priority": priority}
        )
    with transaction.atomic():
        payload = lock_payload(payload_id=payload.pk)
        lines = [*payload_manifest_lines(payload), ManifestLine(direction, mass_kg)]
        problems = manifest_problems(
            lines=lines,
            mass_kg=payload.mass_kg,
            return_mass_kg=payload.return_mass_kg,
            programme=programme_limits(payload.cargo_programme),
        )
        if problems:
            raise InvalidRequest(f"{payload.name}: {problems[0]}", reasons=problems)
        item = CargoItem.objects.create(
            payload=payload, direction=direction, name=name, mass_kg=mass_kg, priority=priority
        )
        event_record(
            verb="payload.cargo_added",
            subject=payload,
            actor=actor,
            customer=payload.customer,
            after={
                "item": item.pk,
                "direction": direction,
                "name": name,
                "mass_kg": mass_kg,
                "priority": priority,
            },
            message=f"{payload.name} manifest: {name} ({mass_kg} kg, {DIRECTION_WORDS[direction]}) added",
        )
    return item


def cargo_item_remove(*, item: CargoItem, actor: Actor) -> None:
    """Take a line off a cargo mission's manifest."""
    with transaction.atomic():
        payload = lock_payload(payload_id=item.payload_id)
        item = CargoItem.objects.get(pk=item.pk, payload=payload)
        event_record(
            verb="payload.cargo_removed",
            subject=payload,
            actor=actor,
            customer=payload.customer,
            before={"item": item.pk, "direction": item.direction, "name": item.name, "mass_kg": item.mass_kg},
            message=f"{payload.name} manifest: {item.name} ({item.mass_kg} kg) removed",
        )
        item.delete()


@transaction.atomic
def document_upload(
    *, customer: Customer, kind: str, file: UploadedFile, actor: Actor, payload: Payload | None = None
) -> Document:
    """Submit a document for review (interface control document, mass properties, export forms)."""
    if kind not in Document.Kind.values:
        raise InvalidRequest(_("Unknown document kind %(kind)s.") % {"kind": f"{kind!r}"})
    if payload is not None and payload.customer_id != customer.pk:
        raise InvalidRequest(_("That payload belongs to another customer."))
    extension = Path(file.name or "").suffix.lower()
    if extension not in DOCUMENT_EXTENSIONS:
        raise InvalidRequest(
            _("Files of type %(extension)s are not accepted: upload one of %(join)s.")
            % {"extension": extension or "(none)", "join": ", ".join(sorted(DOCUMENT_EXTENSIONS))}
        )
    if file.size is not None and file.size > DOCUMENT_MAX_BYTES:
        raise InvalidRequest(
            _("%(name)s is %(file)s MB: the limit is %(document_max_bytes)s MB.")
            % {
                "name": file.name,
                "file": f"{file.size / 1048576:.1f}",
                "document_max_bytes": DOCUMENT_MAX_BYTES // 1048576,
            }
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


def document_review(*, document: Document, approve: bool, actor: Actor, note: str = "") -> Document:
    """An operator approves or rejects a submitted document; the customer sees the outcome and why.

    Approved documents are what the readiness check "documents approved" looks for. A rejection
    needs a note saying what to fix.
    """
    note = note.strip()
    if not approve and not note:
        raise InvalidRequest(
            _("Say what to fix when rejecting the %(lower)s.")
            % {"lower": document.get_kind_display().lower()}
        )
    with transaction.atomic():
        locked = lock_document(document=document)
        new_status = Document.Status.APPROVED if approve else Document.Status.REJECTED
        if locked.status == new_status:
            raise InvalidRequest(
                _("The %(lower)s is %(lower2)s already.")
                % {"lower": locked.get_kind_display().lower(), "lower2": locked.get_status_display().lower()}
            )
        before = {"status": locked.status, "review_note": locked.review_note}
        locked.status = new_status
        locked.review_note = note[:300]
        locked.save(update_fields=["status", "review_note"])
        event_record(
            verb="document.approved" if approve else "document.rejected",
            subject=locked,
            actor=actor,
            before=before,
            after={"status": locked.status, "review_note": locked.review_note},
            message=f"{locked.get_kind_display()} for {locked.payload or locked.customer} "
            + ("approved" if approve else f"rejected: {note}"),
            customer=locked.customer,
        )
    return locked
