"""The demo catalog plus a few bookings, for walks that look like the product."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from booking.demo import load_accounts, load_catalog
from booking.models import Booking, Launch, PlanStep
from customers.models import Contract, Customer, Payload, PaymentMilestone
from tests.factories import portal_readiness_plan

PASSWORD = "launchbook-test"

STEPS = [
    ("contract", "Launch services agreement signed", -60 * 24 * 60),
    ("icd", "Interface control document agreed", -30 * 24 * 60),
    ("mass-props", "Mass properties delivered", -21 * 24 * 60),
    ("export", "Export licences cleared", -14 * 24 * 60),
    ("delivery", "Payload delivered to the site", -7 * 24 * 60),
    ("integration", "Payload integrated on the adapter", -3 * 24 * 60),
    ("encapsulation", "Encapsulated in the fairing", -24 * 60),
    ("go-poll", "Go/no-go poll", -30),
]


def demo_world(*, with_booking: bool = True) -> dict:
    load_catalog()
    load_accounts()
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    world: dict = {"kz1a": Launch.objects.get(name__startswith="Kuaizhou-1A")}
    if not with_booking:
        return world
    gomspace = Customer.objects.get(slug="gomspace")
    launch = world["kz1a"]
    payload = Payload.objects.get(customer=gomspace, name="GOMX-5A")
    contract = Contract.objects.get(reference="GOM-EXP-2018")
    booking = Booking.objects.create(
        reference="LB-24A7K",
        customer=gomspace,
        contract=contract,
        payload=payload,
        launch=launch,
        status=Booking.Status.CONFIRMED,
        price=Decimal("120000.00"),
        currency="USD",
        mass_kg=payload.mass_kg + launch.vehicle_model.adapter_mass_kg,
        amount_paid=Decimal("36000.00"),
    )
    now = timezone.now()
    PaymentMilestone.objects.create(
        contract=contract,
        label="Deposit (30%)",
        reference=booking.reference,
        amount=Decimal("36000.00"),
        currency="USD",
        due_at=now - timedelta(days=5),
        paid_at=now - timedelta(days=4),
    )
    PaymentMilestone.objects.create(
        contract=contract,
        label="Balance",
        reference=booking.reference,
        amount=Decimal("84000.00"),
        currency="USD",
        due_at=launch.net - timedelta(days=30)
        if launch.net - timedelta(days=30) > now
        else now + timedelta(days=3),
    )
    # A campaign part-way through: early steps done, one late, the rest ahead.
    plan = portal_readiness_plan(
        launch, [(code, name, offset, PlanStep.Status.PENDING) for code, name, offset in STEPS]
    )
    for step in plan.steps.all():
        if step.due_at < now - timedelta(days=2):
            step.status = PlanStep.Status.DONE
            step.completed_at = step.due_at
        elif step.due_at < now:
            step.status = PlanStep.Status.LATE
        step.save()
    if not plan.steps.filter(status=PlanStep.Status.LATE).exists():
        late = plan.steps.filter(status=PlanStep.Status.PENDING).order_by("due_at").first()
        late.due_at = now - timedelta(hours=3)
        late.status = PlanStep.Status.LATE
        late.save()
    world.update(gomspace=gomspace, booking=booking, payload=payload, contract=contract, plan=plan)
    return world
