"""API test fixtures: a customer organisation with a signed-in member, and a second one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from booking.services.tokens import api_token_create
from customers.models import Customer, Membership
from tests.factories import CustomerFactory, MembershipFactory, UserFactory


@dataclass
class Tenant:
    customer: Customer
    membership: Membership
    client: APIClient
    key: str

    @property
    def user(self):
        return self.membership.user


def make_tenant(name: str, role: str = Membership.Role.ADMIN) -> Tenant:
    customer = CustomerFactory.create(name=name, slug=name.lower().replace(" ", "-"))
    membership = MembershipFactory.create(
        customer=customer, user=UserFactory.create(username=f"{customer.slug}-{role}"), role=role
    )
    _, key = api_token_create(user=membership.user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return Tenant(customer, membership, client, key)


def token_client(user) -> APIClient:
    _, key = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def tenant_a(db) -> Tenant:
    return make_tenant("Gomspace")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return make_tenant("InterSpace Explore")
