"""Seed readiness work for a fault run: express launches whose first check is due now.

Run inside the stack's environment: ``python manage.py shell -c "from bench.seed_readiness import
seed; seed(60, 'A')"``. Each launch gets its own rocket (assigned), and its express plan's first
step, "order accepted" (an automatic check that the rocket is assigned), opens immediately.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from booking.models import Launch
from booking.services.readiness import plan_start
from vehicles.models import LaunchSite, Vehicle, VehicleModel


def seed(count: int, tag: str) -> list[int]:
    model = VehicleModel.objects.get(name="Kuaizhou-1A")
    site = LaunchSite.objects.get(code="JSLC")
    now = timezone.now().replace(microsecond=0)
    ids = []
    for n in range(count):
        vehicle = Vehicle.objects.create(
            vehicle_model=model, serial=f"FAULT-{tag}-{n}", status=Vehicle.Status.ASSIGNED, storage_site=site
        )
        window_start = now + timedelta(hours=24, minutes=1)
        launch = Launch.objects.create(
            name=f"Fault run {tag} #{n}",
            provider=model.provider,
            vehicle_model=model,
            vehicle=vehicle,
            site=site,
            orbit_family="SSO",
            altitude_km=500,
            inclination_deg=Decimal("97.40"),
            window_start=window_start,
            window_end=window_start + timedelta(hours=2),
            net=window_start,
            status=Launch.Status.SCHEDULED,
            service_level=Launch.ServiceLevel.EXPRESS,
        )
        plan_start(launch=launch, actor=None)
        ids.append(launch.pk)
    print(",".join(map(str, ids)))
    return ids
