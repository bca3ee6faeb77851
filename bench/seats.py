"""What a benchmark client sends to book a seat on a demo launch, as an integrator would.

Demo rideshare launches carry payloads on ports: a quote on one names the port kind, and the
payload states its stowed size so the port's envelope can be checked. The benches' payloads are
small CubeSats (they fit every port kind) and each launch is quoted on its roomiest port kind.
"""

from __future__ import annotations

#: A 3U CubeSat's stowed size (metres): it fits every demo port kind.
CUBESAT_SIZE = {"length_m": "0.10", "width_m": "0.10", "height_m": "0.34"}


def seat_choice(launch: dict) -> dict:
    """The quote fields for a seat on ``launch`` (a row of ``GET /api/v1/launches/``): its roomiest
    port kind, or nothing on a launch without ports."""
    ports = launch.get("ports") or []
    if not ports:
        return {}
    roomiest = max(ports, key=lambda port: (port["free"], port["kind"]))
    return {"port": roomiest["kind"]}


def sso_500(launches: list[dict]) -> list[dict]:
    """The scheduled SSO 500 km launches the benches hold seats on."""
    return [
        launch
        for launch in launches
        if launch["target_orbit"]["family"] == "SSO" and launch["target_orbit"]["altitude_km"] == 500
    ]
