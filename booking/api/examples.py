"""Examples shown in the OpenAPI document and the docs page (one place, reused by the views)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample


def ex(name: str, value, *, request: bool = False, response: bool = False, status: str = "200"):
    return OpenApiExample(
        name, value=value, request_only=request, response_only=response, status_codes=[status]
    )


PROVIDER = {
    "id": 1,
    "name": "CASIC Rocket Technology Co. (ExPace)",
    "short_name": "ExPace",
    "slug": "expace",
    "country": "CN",
    "description": "First commercial launch-service provider; Kuaizhou rockets from mobile platforms.",
    "mobile_launch": True,
}
VEHICLE_MODEL = {
    "id": 2,
    "provider": 1,
    "name": "Kuaizhou-1A",
    "slug": "kuaizhou-1a",
    "stages": 4,
    "propellant": "mixed",
    "height_m": "19.40",
    "diameter_m": "1.40",
    "liftoff_mass_t": "30.00",
    "mobile_launch": True,
    "adapter_mass_kg": "5.0",
    "active": True,
    "description": "",
    "capacity_points": [
        {"orbit_family": "SSO", "altitude_km": 500, "capacity_kg": "300.0"},
        {"orbit_family": "SSO", "altitude_km": 700, "capacity_kg": "200.0"},
    ],
}
VEHICLE = {
    "id": 5,
    "vehicle_model": 2,
    "serial": "Y7",
    "status": "ready_storage",
    "storage_site": 1,
    "ready_since": "2025-03-01T00:00:00Z",
}
SITE = {
    "id": 1,
    "name": "Jiuquan",
    "code": "JSLC",
    "country": "CN",
    "latitude": "40.96000",
    "longitude": "100.29000",
    "time_zone": "Asia/Shanghai",
    "accepts_mobile_platforms": True,
    "pads": [{"id": 1, "name": "LC-43/95", "turnaround_hours": "72.0", "active": True}],
}
PLATFORM = {
    "id": 3,
    "provider": 1,
    "name": "TEL-01",
    "home_site": 1,
    "road_speed_kmh": "50.0",
    "setup_hours": "6.0",
    "teardown_hours": "4.0",
    "status": "available",
}
LAUNCH = {
    "id": 11,
    "name": "Kuaizhou-1A Y7",
    "provider": 1,
    "vehicle_model": 2,
    "site": 1,
    "platform": 3,
    "window_start": "2025-06-01T04:14:44Z",
    "window_end": "2025-06-01T06:00:00Z",
    "ltan": "22:30",
    "daily_window_utc": "04:14",
    "window_text": "window 04:14 UTC daily, LTAN 22:30",
    "net": "2025-06-01T04:14:44Z",
    "net_precision": "minute",
    "status": "scheduled",
    "service_level": "standard",
    "rideshare": True,
    "target_orbit": {"family": "SSO", "altitude_km": 500, "inclination_deg": "97.40"},
    "capacity_kg": "300.0",
    "remaining_capacity_kg": "212.0",
}
READINESS = {
    "launch": 11,
    "status": "active",
    "steps": [
        {
            "position": 1,
            "code": "vehicle-release",
            "name": "Vehicle released and loaded on the TEL",
            "due_at": "2025-05-31T04:30:00Z",
            "status": "done",
            "owner_role": "operations",
            "blocking": True,
            "completed_at": "2025-05-31T04:10:00Z",
        },
        {
            "position": 2,
            "code": "payload-mate",
            "name": "Payload mated and encapsulated",
            "due_at": "2025-05-31T20:30:00Z",
            "status": "pending",
            "owner_role": "payload",
            "blocking": True,
            "completed_at": None,
        },
    ],
}
PAYLOAD_REQUEST = {
    "name": "GOMX-5",
    "mass_kg": "3.0",
    "orbit": {"family": "SSO", "altitude_km": 500},
    "returnable": False,
    "ltan": "10:30",
}
PAYLOAD = {
    "id": 21,
    "customer": 4,
    "name": "GOMX-5",
    "mass_kg": "3.0",
    "orbit": {"family": "SSO", "altitude_km": 500, "inclination_deg": None},
    "returnable": False,
    "return_mass_kg": None,
    "ltan": "10:30",
    "cargo_programme": None,
    "earliest_launch": "2025-06-01",
    "latest_launch": "2025-09-30",
    "cargo_items": [],
    "manifest_totals": {"up_kg": "0.0", "down_kg": "0.0", "waste_kg": "0.0"},
    "created_at": "2025-05-01T09:00:00Z",
}
CARGO_ITEM_REQUEST = {"direction": "up", "name": "Crew food", "mass_kg": "700.0", "priority": 1}
CARGO_ITEM_INVALID = {
    "detail": "Station cargo capsule: The items up weigh 1,230 kg, more than the mission's up-mass of "
    "1,200 kg (30 kg over).",
    "reasons": ["The items up weigh 1,230 kg, more than the mission's up-mass of 1,200 kg (30 kg over)."],
}
PAYLOAD_INVALID = {
    "orbit": {
        "altitude_km": [
            "No vehicle in the catalog reaches SSO 5000 km: capacities are known from 300 to 800 km."
        ]
    }
}
CONTRACT = {
    "id": 7,
    "reference": "CT-2025-001",
    "customer": 4,
    "provider": 1,
    "launches_committed": 10,
    "value": "12000000.00",
    "currency": "USD",
    "status": "active",
    "deposit_percent": "30.00",
    "balance_due_days_before_launch": 30,
    "signed_on": "2025-01-15",
}
EVENT = {
    "id": 301,
    "verb": "booking.confirmed",
    "actor_label": "mission@gomspace.example",
    "subject_type": "booking",
    "subject_id": 41,
    "customer": 4,
    "provider": 1,
    "launch": 11,
    "message": "Booking LB-00041 confirmed on Kuaizhou-1A Y7",
    "before": {"status": "held"},
    "after": {"status": "confirmed"},
    "created_at": "2025-05-01T09:05:00Z",
}
QUOTE_REQUEST = {
    "payload": 21,
    "launch": 11,
    "currency": "USD",
    "options": ["insurance"],
    "declared_value": "250000.00",
}
QUOTE_REQUEST_BEST = {"payload": 21, "currency": "USD"}
QUOTE = {
    "id": 31,
    "reference": "Q-00031",
    "customer": 4,
    "payload": 21,
    "kind": "rideshare",
    "service_level": "standard",
    "launch": 11,
    "vehicle_model": 2,
    "provider": 1,
    "mass_kg": "8.0",
    "options": ["insurance"],
    "declared_value": "250000.00",
    "chosen_because": "",
    "lines": [
        {
            "position": 1,
            "kind": "launch",
            "description": "Rideshare seat, 8.0 kg to SSO",
            "amount": "96000.00",
        },
        {
            "position": 2,
            "kind": "add_on",
            "description": "Launch insurance (4% of value)",
            "amount": "10000.00",
        },
    ],
    "total": {"amount": "106000.00", "currency": "USD"},
    "status": "open",
    "valid_until": "2025-05-04T09:00:00Z",
    "created_at": "2025-05-01T09:00:00Z",
}
BOOKING = {
    "id": 41,
    "reference": "LB-00041",
    "customer": 4,
    "payload": 21,
    "launch": 11,
    "quote": 31,
    "contract": None,
    "status": "held",
    "price": "106000.00",
    "currency": "USD",
    "mass_kg": "8.0",
    "hold_expires_at": "2025-05-01T09:35:00Z",
    "rebooked_from": None,
    "credit_carried_over": "0.00",
    "amount_paid": "0.00",
    "fees_charged": "0.00",
    "refund_due": "0.00",
    "may_move": True,
    "created_at": "2025-05-01T09:05:00Z",
    "updated_at": "2025-05-01T09:05:00Z",
}
CANCEL_TERMS = {
    "currency": "USD",
    "price": "106000.00",
    "paid": "31800.00",
    "days_before_launch": 95,
    "fee_percent": "30.00",
    "fee": "31800.00",
    "refund": "0.00",
    "owed": "0.00",
    "no_fee_because": "",
    "token": "3f9a0c1d2b4e5f60",
}
REBOOK_TERMS = {
    "launch": 12,
    "currency": "USD",
    "old_price": "106000.00",
    "new_price": "112000.00",
    "paid": "31800.00",
    "fee_percent": "0.00",
    "fee": "0.00",
    "credit": "31800.00",
    "balance_due": "80200.00",
    "refund": "0.00",
    "waived_because": "weather",
    "token": "8c1e2d3f4a5b6c7d",
}
STANDBY_JOIN_REQUEST = {"payload": 21, "launch": 11}
STANDBY_ENTRY = {
    "id": 5,
    "customer": 4,
    "payload": 21,
    "launch": 11,
    "orbit_family": "SSO",
    "altitude_km": 500,
    "inclination_min_deg": None,
    "inclination_max_deg": None,
    "ltan": None,
    "earliest_date": None,
    "latest_date": None,
    "status": "offered",
    "position": None,
    "offer_booking": "LB-00042",
    "offer_launch": 11,
    "offer_expires_at": "2025-05-02T09:05:00Z",
    "created_at": "2025-04-28T14:00:00Z",
    "updated_at": "2025-05-01T09:05:00Z",
}
MOVE_OFFER = {
    "id": 12,
    "booking": "LB-00041",
    "from_launch": 7,
    "to_launch": 9,
    "status": "offered",
    "reason": "Kuaizhou-1A KZ1A-Y7 flies on 2027-02-14, after GOMX-5A's latest date 2027-01-31; Kuaizhou-1A KZ1A-Y9 takes it",
    "mass_kg": "100.0",
    "price_change": "0.00",
    "fee_waived": "30000.00",
    "currency": "USD",
    "terms": "Price unchanged; the rebooking fee of 30,000.00 USD is waived",
    "offer_expires_at": "2027-01-05T10:00:00Z",
    "answered_at": None,
    "refusal": "",
    "new_booking": None,
}

CONFLICT = {
    "detail": "payload 520 kg exceeds the 430 kg left to SSO 500 km on Kuaizhou-1A Y7",
    "reasons": ["payload 520 kg exceeds the 430 kg left to SSO 500 km on Kuaizhou-1A Y7"],
}
NOT_YOURS = {"detail": "No Invoice matches the given query."}
PAYMENT_REQUEST = {
    "amount": "300000.00",
    "currency": "USD",
    "paid_on": "2026-03-02",
    "reference": "SWIFT 0302-118",
}
PAYMENT = {
    "receipt_number": "EXP-R-2026-00007",
    "invoice": "EXP-2026-00042",
    "amount": "300000.00",
    "currency": "USD",
    "paid_on": "2026-03-02",
    "reference": "SWIFT 0302-118",
    "recorded_at": "2026-03-02T10:15:00Z",
}
INVOICE = {
    "number": "EXP-2026-00042",
    "provider": 1,
    "customer": 4,
    "contract": "GOM-EXP-2018",
    "booking": "LB-00041",
    "currency": "USD",
    "amount": "300000.00",
    "paid": "300000.00",
    "outstanding": "0.00",
    "status": "paid",
    "issued_at": "2026-02-23T09:00:00Z",
    "due_at": "2026-03-02T09:00:00Z",
    "paid_at": "2026-03-02T10:15:00Z",
    "voided_at": None,
    "seller_name": "Expace Technology Co., Ltd.",
    "seller_address": "Wuhan, Hubei, China",
    "seller_tax_id": "DEMO-EXP-0001",
    "buyer_name": "GomSpace A/S",
    "buyer_address": "Aalborg, Denmark",
    "buyer_tax_id": "DEMO-DK-0002",
    "lines": [
        {
            "position": 1,
            "description": "Deposit LB-00041 (30.00%): GOMX-5A on Kuaizhou-1A",
            "quantity": "1.00",
            "unit_amount": "300000.00",
            "amount": "300000.00",
        }
    ],
    "payments": [PAYMENT],
}
WEBHOOK_REQUEST = {
    "url": "https://mission.example.com/launchbook/hooks",
    "event_types": ["booking.*", "launch.slipped"],
}
WEBHOOK = {
    "id": 9,
    "customer": 4,
    "url": "https://mission.example.com/launchbook/hooks",
    "event_types": ["booking.*", "launch.slipped"],
    "active": True,
    "disabled_reason": "",
    "secret": "9f2c…(64 hex characters)",
    "created_at": "2025-05-01T08:00:00Z",
}
DELIVERY = {
    "id": 77,
    "event": 301,
    "event_type": "booking.confirmed",
    "status": "delivered",
    "attempts": 1,
    "next_attempt_at": None,
    "created_at": "2025-05-01T09:05:00Z",
    "attempt_log": [
        {
            "number": 1,
            "attempted_at": "2025-05-01T09:05:01Z",
            "status_code": 200,
            "error": "",
            "duration_ms": 84,
        }
    ],
}
TOKEN_REQUEST = {"username": "mission@gomspace.example", "password": "••••••••", "name": "mission-control"}
TOKEN = {
    "token": "kR1x…(43 characters)",
    "name": "mission-control",
    "prefix": "kR1xQ2aB",
    "customer": 4,
    "role": "mission",
    "expires_at": "2025-07-30T08:00:00Z",
}
AVAILABILITY = {
    "payload": 21,
    "options": [
        {
            "rank": 1,
            "kind": "rideshare",
            "launch": 11,
            "vehicle_model": 2,
            "provider": 1,
            "site": 1,
            "net": "2025-06-01T02:30:00Z",
            "price": "96000.00",
            "currency": "USD",
            "remaining_capacity_kg": "212.0",
            "why": "Rideshare on Kuaizhou-1A Y7 to SSO 500 km, 212 kg left",
        },
        {
            "rank": 2,
            "kind": "dedicated",
            "launch": None,
            "vehicle_model": 2,
            "provider": 1,
            "site": 1,
            "net": "2025-07-01T00:00:00Z",
            "price": "6000000.00",
            "currency": "USD",
            "remaining_capacity_kg": "300.0",
            "why": "A dedicated Kuaizhou-1A from Jiuquan",
        },
    ],
    "reasons": ["Ceres-1 launch on 2025-06-10 flies to LEO 200 km, not SSO 500 km"],
}
EXPRESS_ORDER = {
    "booking": {**BOOKING, "status": "confirmed", "hold_expires_at": None},
    "launch": {**LAUNCH, "service_level": "express"},
}
EXPRESS_QUOTE = {
    "booking": {
        **BOOKING,
        "status": "held",
        "price": "6900000.00",
        "hold_expires_at": "2030-03-01T08:10:00Z",
    },
    "launch": {**LAUNCH, "service_level": "express"},
    "quote": {
        **QUOTE,
        "kind": "dedicated",
        "service_level": "express",
        "options": [],
        "declared_value": None,
        "lines": [
            {
                "position": 1,
                "kind": "launch",
                "description": "Dedicated Kuaizhou-1A launch",
                "amount": "4600000.00",
            },
            {
                "position": 2,
                "kind": "express",
                "description": "Express (24-hour) premium: 50% of the launch price",
                "amount": "2300000.00",
            },
        ],
        "total": {"amount": "6900000.00", "currency": "USD"},
    },
    "contract": {"id": 7, "reference": "CT-0007", "provider": 1},
}
EXPRESS_CEILING = {
    "detail": (
        "The express launch costs 6,900,000.00 USD (Kuaizhou-1A KZ1A-Y7 from Jiuquan on TEL-01, window "
        "2030-03-01 15:40 UTC), above your ceiling of 75,000.00 USD: nothing was booked. Raise the ceiling "
        "to at least 6,900,000.00 USD, or ask for an express quote first"
    )
}
EXPRESS_CONFLICT = {
    "detail": (
        "No express launch for GOMX-5A can open by 2030-03-02 08:00 UTC. Earliest feasible: "
        "2030-03-03 08:00 UTC (Kuaizhou-1A KZ1A-Y7 from Wenchang on TEL-01). Why: Wenchang closed for range."
    ),
    "reasons": ["TEL-01 at Wenchang: Wenchang closed for range 2030-03-01 07:00 – 2030-03-03 08:00 UTC"],
}
PLAN_REQUEST = {
    "target_orbit": {"family": "SSO", "altitude_km": 500},
    "earliest": "2025-06-01T00:00:00Z",
    "latest": "2025-06-03T00:00:00Z",
    "service_level": "standard",
    "mass_kg": "150.0",
    "limit": 3,
}
PLANNING = {
    "plans": [
        {
            "site": 1,
            "site_name": "Jiuquan",
            "vehicle_model": 2,
            "vehicle": 5,
            "vehicle_serial": "Y7",
            "platform": 3,
            "pad": None,
            "resource": "TEL-01",
            "origin": 1,
            "window_start": "2025-06-01T06:00:00Z",
            "window_end": "2025-06-01T08:00:00Z",
            "depart": "2025-06-01T00:00:00Z",
            "arrive": "2025-06-01T00:00:00Z",
            "teardown_end": "2025-06-01T12:00:00Z",
            "transit_hours": 0.0,
            "capacity_kg": "300.0",
            "timeline": [
                {"phase": "transit", "start": "2025-06-01T00:00:00Z", "end": "2025-06-01T00:00:00Z"},
                {"phase": "set-up", "start": "2025-06-01T00:00:00Z", "end": "2025-06-01T06:00:00Z"},
                {"phase": "launch window", "start": "2025-06-01T06:00:00Z", "end": "2025-06-01T08:00:00Z"},
                {"phase": "tear-down", "start": "2025-06-01T08:00:00Z", "end": "2025-06-01T12:00:00Z"},
            ],
            "description": "Kuaizhou-1A Y7 from Jiuquan on TEL-01, window 2025-06-01 06:00 UTC",
        }
    ],
    "reasons": ["TEL-02 at Wenchang: Wenchang closed for range 2025-06-01 00:00 – 2025-06-04 00:00 UTC"],
    "reasons_omitted": 0,
    "candidates": 8,
    "walked": 5,
}
LAUNCH_SCHEDULE_REQUEST = {
    "vehicle_model": 2,
    "site": 1,
    "target_orbit": {"family": "SSO", "altitude_km": 500},
    "window_start": "2025-06-01T04:00:00Z",
    "window_end": "2025-06-01T06:00:00Z",
    "ltan": "22:30",
    "vehicle": 5,
    "platform": 3,
    "name": "Kuaizhou-1A Y7",
}
