"""factory_boy factories for the demand side: users, customer organisations and their members,
contracts and payment milestones, payloads and their documents."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from customers.models import Contract, Customer, Document, Membership, Payload, PaymentMilestone
from tests.vehicles.factories import ProviderFactory


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("launchbook-test")


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    country = "DK"
    export_screening = Customer.ExportScreening.CLEARED


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    role = Membership.Role.ADMIN


class ContractFactory(factory.django.DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    provider = factory.SubFactory(ProviderFactory)
    reference = factory.Sequence(lambda n: f"CT-{n:04d}")
    launches_committed = 10
    value = Decimal("1000000.00")
    currency = "USD"


class PayloadFactory(factory.django.DjangoModelFactory[Payload]):
    class Meta:
        model = Payload

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"GOMX-T{n}")
    mass_kg = Decimal("3.0")
    # Known sizes (a booking is confirmed only with them): small enough for every test fairing.
    length_m = Decimal("0.30")
    width_m = Decimal("0.30")
    height_m = Decimal("0.30")
    orbit_family = "SSO"
    altitude_km = 500
    inclination_deg = None
    returnable = False
    # A returnable satellite brings itself back unless a test says otherwise.
    return_mass_kg = factory.Maybe("returnable", factory.SelfAttribute("mass_kg"), None)


class PaymentMilestoneFactory(factory.django.DjangoModelFactory[PaymentMilestone]):
    class Meta:
        model = PaymentMilestone

    contract = factory.SubFactory(ContractFactory)
    label = "Deposit"
    reference = ""
    amount = Decimal("27000.00")
    currency = "USD"
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    paid_at = None


class DocumentFactory(factory.django.DjangoModelFactory[Document]):
    class Meta:
        model = Document

    customer = factory.SubFactory(CustomerFactory)
    payload = factory.SubFactory(PayloadFactory, customer=factory.SelfAttribute("..customer"))
    kind = Document.Kind.ICD
    file = factory.django.FileField(filename="icd.pdf", data=b"%PDF-1.4 test")
    status = Document.Status.APPROVED
