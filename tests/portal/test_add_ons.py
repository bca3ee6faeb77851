"""Add-ons belong to the launch's provider: the book page offers each provider's own, one box per
service with a value of its own, and a price or quote with another provider's add-on is refused."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from booking.errors import InvalidRequest
from booking.models import AddOnService, Quote
from booking.selectors.offers import add_on_kinds_for
from tests.factories import (
    AddOnServiceFactory,
    LaunchFactory,
    MembershipFactory,
    ProviderFactory,
    RideshareRateFactory,
    VehicleModelFactory,
    engine_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    world = engine_world()  # ExPace sells insurance, mission control and IT support
    MembershipFactory(user=world.user, customer=world.customer)
    landspace = ProviderFactory(name="Landspace", short_name="Landspace", slug="landspace")
    model = VehicleModelFactory(provider=landspace, name="Zhuque-2", slug="zhuque-2")
    RideshareRateFactory(provider=landspace, orbit_family="SSO", price_per_kg=Decimal("12000.00"))
    world.landspace = landspace
    world.zhuque = LaunchFactory(
        name="Zhuque-2 rideshare",
        vehicle_model=model,
        site=world.site,
        window_start=world.launch.window_start + timedelta(days=3),
    )
    world.landspace_insurance = AddOnServiceFactory(
        provider=landspace,
        kind=AddOnService.Kind.INSURANCE,
        name="Launch and first-year insurance",
        flat_price=None,
        percent_of_declared_value=Decimal("6.50"),
    )
    world.expace_insurance = AddOnService.objects.get(provider=world.provider, kind="insurance")
    world.expace_mission = AddOnService.objects.get(provider=world.provider, kind="mission_control")
    return world


@pytest.fixture
def c(client, w):
    client.force_login(w.user)
    return client


def _group(text: str, provider) -> str:
    match = re.search(rf'<div[^>]*data-add-ons-for="{provider.pk}"[^>]*>(.*?)</div>', text, re.S)
    assert match, f"no add-on group for {provider}"
    return match.group(0)


def test_the_book_page_offers_the_chosen_launchs_provider_add_ons_only(c, w):
    text = c.get(reverse("portal:book"), {"payload": w.payload.pk}).content.decode()
    expace, landspace = _group(text, w.provider), _group(text, w.landspace)
    assert " hidden" not in expace.split(">", 1)[0] and "Launch insurance" in expace
    # The other provider's services are there for when its launch is chosen: hidden, not sent.
    assert " hidden" in landspace.split(">", 1)[0] and "disabled" in landspace
    values = re.findall(r'name="add_ons"[^>]*value="(\d+)"', text)
    assert len(values) == len(set(values)) == 4  # two insurance boxes, two values
    assert str(w.landspace_insurance.pk) in values and str(w.expace_insurance.pk) in values


def test_the_page_shown_again_keeps_the_chosen_launchs_provider_add_ons(c, w):
    text = c.post(
        reverse("portal:book"),
        {
            "payload": w.payload.pk,
            "option": f"launch-{w.zhuque.pk}",
            "currency": "USD",
            "add_ons": [w.expace_mission.pk],  # sent without the page's script: ExPace's, refused
        },
    ).content.decode()
    assert "Mission control is sold by ExPace, not by Landspace" in text
    assert " hidden" not in _group(text, w.landspace).split(">", 1)[0]
    assert " hidden" in _group(text, w.provider).split(">", 1)[0]
    assert not Quote.objects.exists()


def test_an_add_on_of_the_launchs_provider_keeps_the_price_shown(c, w):
    answer = c.get(
        reverse("portal:book_price"),
        {
            "payload": w.payload.pk,
            "option": f"launch-{w.launch.pk}",
            "currency": "USD",
            "add_ons": [w.expace_mission.pk],
        },
    ).content.decode()
    assert "data-price-total" in answer and "1,100,000.00 USD" in answer


def test_another_providers_add_on_is_refused_with_what_would_work(c, w):
    params = {
        "payload": w.payload.pk,
        "option": f"launch-{w.launch.pk}",
        "currency": "USD",
        "add_ons": [w.landspace_insurance.pk],
        "declared_value": "1000000",
    }
    answer = c.get(reverse("portal:book_price"), params).content.decode()
    assert "Launch and first-year insurance is sold by Landspace, not by" in answer
    assert "data-price-total" not in answer
    refused = c.post(reverse("portal:book"), params)
    assert refused.status_code == 200 and "is sold by Landspace" in refused.content.decode()
    assert not Quote.objects.exists()


def test_the_insurance_of_each_provider_prices_on_its_own_launch(c, w):
    params = {"payload": w.payload.pk, "currency": "USD", "declared_value": "1000000"}
    expace = c.get(
        reverse("portal:book_price"),
        {**params, "option": f"launch-{w.launch.pk}", "add_ons": [w.expace_insurance.pk]},
    ).content.decode()
    assert "1,050,000.00 USD" in expace  # 1,000,000 seat + 5 % of 1,000,000
    landspace = c.get(
        reverse("portal:book_price"),
        {**params, "option": f"launch-{w.zhuque.pk}", "add_ons": [w.landspace_insurance.pk]},
    ).content.decode()
    assert "1,265,000.00 USD" in landspace  # 100 kg × 12,000 + 6.5 % of 1,000,000


def test_add_on_kinds_refuses_a_service_no_longer_sold(w):
    AddOnService.objects.filter(pk=w.expace_mission.pk).update(active=False)
    with pytest.raises(InvalidRequest, match="no longer sold"):
        add_on_kinds_for(provider=w.provider, add_on_ids=[w.expace_mission.pk])
    assert add_on_kinds_for(provider=w.provider, add_on_ids=[w.expace_insurance.pk]) == ["insurance"]


def test_a_provider_selling_no_add_ons_says_so(c, w):
    bare = ProviderFactory(name="Galactic Energy", short_name="Galactic Energy", slug="galactic")
    RideshareRateFactory(provider=bare, orbit_family="SSO")
    LaunchFactory(
        name="Ceres-1 rideshare",
        vehicle_model=VehicleModelFactory(provider=bare, name="Ceres-1", slug="ceres-1"),
        site=w.site,
        window_start=w.launch.window_start + timedelta(days=1),
    )
    text = c.get(reverse("portal:book"), {"payload": w.payload.pk}).content.decode()
    assert "Galactic Energy sells no add-on services." in _group(text, bare)
