"""The demo catalog plus a few bookings, for walks that look like the product."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from booking.demo import load_accounts, load_catalog
from booking.models import Booking, Launch, PlanStep, TemplateStep
from booking.rules.readiness import step_late_at
from booking.services.readiness import readiness_reconcile
from customers.models import Contract, Customer, Payload, PaymentMilestone

PASSWORD = "launchbook-test"


def demo_world(*, with_booking: bool = True, late_step: bool = False) -> dict:
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
    # The demo's own readiness plan (a campaign under way: the steps due so far are signed off).
    # Let the reconciler find its next sign-off late, as it would once that is overdue.
    plan = launch.readiness_plan
    if late_step:
        following = (
            plan.steps.filter(status=PlanStep.Status.PENDING, kind=TemplateStep.Kind.MANUAL)
            .order_by("due_at", "position")
            .first()
        )
        assert following is not None, "the demo launch's plan has no open sign-off left"
        readiness_reconcile(now=step_late_at(following) + timedelta(minutes=1))
    world.update(gomspace=gomspace, booking=booking, payload=payload, contract=contract, plan=plan)
    return world
