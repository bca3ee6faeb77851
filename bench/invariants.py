"""Invariant checks after a load or fault run, in SQL against the run's database.

Each check answers a list of violations (empty when the invariant holds):
- no launch carries more payload mass than its vehicle lifts to its target orbit;
- no two live reservations of one platform or pad overlap;
- every booking has the events of its state changes;
- every confirmed booking has its payment milestones.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg

from booking.rules.orbit import CapacityRow, CapacityUnknown, capacity_kg


def launch_over_capacity(conn: psycopg.Connection) -> list[str]:
    # The product's capacity rule (booking.rules.orbit.capacity_kg): every point at its measured
    # inclination, carried to the launch's inclination, then interpolated in altitude.
    curves: dict[int, list[CapacityRow]] = {}
    for model_id, family, altitude, inclination, capacity in conn.execute(
        "SELECT vehicle_model_id, orbit_family, altitude_km, inclination_deg, capacity_kg FROM vehicles_capacitypoint"
    ):
        curves.setdefault(model_id, []).append((family, altitude, inclination, Decimal(capacity)))
    # The WHERE clause mirrors booking.selectors.capacity.capacity_taking_q ("takes capacity"):
    # confirmed and manifested bookings, and held ones whose hold has not run out.
    rows = conn.execute(
        """
        SELECT l.id, l.name, l.vehicle_model_id, l.orbit_family, l.altitude_km, l.inclination_deg,
               COALESCE(SUM(b.mass_kg), 0)
        FROM booking_launch l
        JOIN booking_booking b ON b.launch_id = l.id
        WHERE b.status IN ('confirmed', 'manifested')
           OR (b.status = 'held' AND b.hold_expires_at > now())
        GROUP BY l.id
        """
    ).fetchall()
    violations = []
    for launch_id, name, model_id, family, altitude, inclination, booked in rows:
        try:
            capacity = capacity_kg(
                model_name=f"model {model_id}",
                rows=curves.get(model_id, []),
                orbit_family=family,
                altitude_km=altitude,
                inclination_deg=Decimal(inclination),
            )
        except CapacityUnknown as exc:
            violations.append(
                f"launch {launch_id} {name}: bookings on an orbit the vehicle cannot reach ({exc})"
            )
            continue
        if booked > capacity:
            violations.append(f"launch {launch_id} {name}: {booked} kg booked, capacity {capacity} kg")
    return violations


def overlapping_reservations(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        """
        SELECT a.id, b.id, COALESCE('platform ' || a.platform_id, 'pad ' || a.pad_id)
        FROM booking_reservation a
        JOIN booking_reservation b
          ON a.id < b.id
         AND a.released_at IS NULL AND b.released_at IS NULL
         AND (a.platform_id = b.platform_id OR a.pad_id = b.pad_id)
         AND tstzrange(a.occupied_from, a.occupied_until, '[)') && tstzrange(b.occupied_from, b.occupied_until, '[)')
        """
    ).fetchall()
    return [f"reservations {a} and {b} overlap on {what}" for a, b, what in rows]


def bookings_without_events(conn: psycopg.Connection) -> list[str]:
    """A booking starts with ``booking.held``, or, when it was made by rebooking another one, with
    ``booking.rebooked`` (the new row is held or confirmed at once, as the old one was: its
    ``after.status`` says which). Confirmed states need ``booking.confirmed`` or a rebooking that
    carried the confirmation over; cancelled ones a cancellation or a rebooking away."""
    rows = conn.execute(
        """
        SELECT bk.id, bk.reference, bk.status
        FROM booking_booking bk
        WHERE NOT EXISTS (
            SELECT 1 FROM booking_event e
            WHERE e.subject_type = 'booking' AND e.subject_id = bk.id
              AND (e.verb = 'booking.held' OR (e.verb = 'booking.rebooked' AND bk.rebooked_from_id IS NOT NULL))
        )
        OR (bk.status IN ('confirmed', 'manifested', 'flown') AND NOT EXISTS (
            SELECT 1 FROM booking_event e
            WHERE e.subject_type = 'booking' AND e.subject_id = bk.id
              AND (e.verb = 'booking.confirmed'
                   OR (e.verb = 'booking.rebooked' AND e.after->>'status' = 'confirmed'))
        ))
        OR (bk.status = 'cancelled' AND NOT EXISTS (
            SELECT 1 FROM booking_event e
            WHERE e.subject_type = 'booking' AND e.subject_id = bk.id
              AND e.verb IN ('booking.cancelled', 'booking.rebooked')
        ))
        """
    ).fetchall()
    return [f"booking {ref} ({status}) lacks the events of its state changes" for _id, ref, status in rows]


def confirmed_without_milestones(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        """
        SELECT bk.reference FROM booking_booking bk
        WHERE bk.status IN ('confirmed', 'manifested')
          AND NOT EXISTS (SELECT 1 FROM customers_paymentmilestone m WHERE m.reference = bk.reference)
        """
    ).fetchall()
    return [f"confirmed booking {ref} has no payment milestones" for (ref,) in rows]


def duplicated_side_effects(conn: psycopg.Connection) -> list[str]:
    """Readiness side effects happen once: one completion event per step."""
    rows = conn.execute(
        """
        SELECT subject_id, verb, COUNT(*) FROM booking_event
        WHERE verb IN ('readiness.step_done', 'readiness.step_failed', 'readiness.step_late')
        GROUP BY subject_id, verb HAVING COUNT(*) > 1
        """
    ).fetchall()
    return [f"plan step {step} has {n} '{verb}' events" for step, verb, n in rows]


CHECKS = {
    "no launch over capacity": launch_over_capacity,
    "no overlapping platform or pad reservation": overlapping_reservations,
    "no booking without its events": bookings_without_events,
    "every confirmed booking has milestones": confirmed_without_milestones,
    "no readiness side effect done twice": duplicated_side_effects,
}


def check_all(database_url: str) -> dict[str, list[str]]:
    url = database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as conn:
        return {name: check(conn) for name, check in CHECKS.items()}
