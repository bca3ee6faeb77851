"""A small world for portal tests: two customers, each with a member, a payload and a booking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import (
    BookingFactory,
    ContractFactory,
    CustomerFactory,
    LaunchFactory,
    LaunchSiteFactory,
    MembershipFactory,
    PayloadFactory,
    UserFactory,
)

PASSWORD = "launchbook-test"


@pytest.fixture
def world(db):
    wenchang = LaunchSiteFactory(name="Wenchang", code="WSLC", latitude=Decimal("19.61"))
    LaunchSiteFactory(name="Jiuquan", code="JSLC", latitude=Decimal("40.96"))
    gomspace = CustomerFactory(name="Gomspace", slug="gomspace", time_zone="Europe/Copenhagen")
    other = CustomerFactory(name="Other Sat", slug="other-sat")
    member = MembershipFactory(user=UserFactory(username="gom"), customer=gomspace).user
    outsider = MembershipFactory(user=UserFactory(username="oth"), customer=other).user
    launch = LaunchFactory(name="Kuaizhou-1A rideshare", site=wenchang)
    contract = ContractFactory(customer=gomspace, provider=launch.provider, reference="GOM-1")
    payload = PayloadFactory(customer=gomspace, name="GOMX-5A")
    booking = BookingFactory(
        reference="LB-GOM01", customer=gomspace, payload=payload, launch=launch, contract=contract
    )
    other_booking = BookingFactory(reference="LB-OTH01", customer=other, launch=launch)
    return {
        "customer": gomspace,
        "other": other,
        "member": member,
        "outsider": outsider,
        "launch": launch,
        "contract": contract,
        "payload": payload,
        "booking": booking,
        "other_booking": other_booking,
        "site": wenchang,
    }


@pytest.fixture
def member_client(client, world):
    client.force_login(world["member"])
    return client
