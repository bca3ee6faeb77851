"""Errors are answers, never crashes: 400, 404, 409, 413, 429, and no input yields a 500."""

from __future__ import annotations

import io
import json

import pytest

from booking.api.base import StrictJSONParser
from booking.api.exceptions import PayloadTooLarge, api_exception_handler
from booking.errors import Busy, Conflict, InvalidRequest
from tests.factories import LaunchFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db


def test_service_refusals_map_to_400_and_409_with_reasons():
    bad = api_exception_handler(InvalidRequest("The quote has expired."), {})
    assert (bad.status_code, bad.data) == (400, {"detail": "The quote has expired."})
    conflict = api_exception_handler(
        Conflict("payload 520 kg exceeds the 430 kg left", reasons=["Kuaizhou-1A Y7 is full", "no platform"]),
        {},
    )
    assert conflict.status_code == 409
    assert conflict.data == {
        "detail": "payload 520 kg exceeds the 430 kg left",
        "reasons": ["Kuaizhou-1A Y7 is full", "no platform"],
    }
    busy = api_exception_handler(
        Busy("Launch Y7 is being changed by someone else right now; please retry."), {}
    )
    assert busy.status_code == 409 and busy["Retry-After"] == "1"


def test_malformed_json_is_400(tenant_a):
    answer = tenant_a.client.post("/api/v1/payloads/", data='{"name": ', content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("JSON parse error")


def test_wrong_content_type_is_415(tenant_a):
    answer = tenant_a.client.post(
        "/api/v1/payloads/", data="name=x", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 415


def test_an_oversized_body_is_413(tenant_a):
    big = json.dumps({"name": "x" * (1024 * 1024 + 10)})
    answer = tenant_a.client.post("/api/v1/payloads/", data=big, content_type="application/json")
    assert answer.status_code == 413
    assert "larger than 1048576 bytes" in answer.json()["detail"]


def test_an_oversized_body_without_content_length_is_413(settings):
    """The parser reads at most the cap, whatever Content-Length said."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = json.dumps({"x": "y" * 200}).encode()
    with pytest.raises(PayloadTooLarge):
        StrictJSONParser().parse(io.BytesIO(body), "application/json")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "mass_kg": 1e308, "orbit": {"family": "SSO", "altitude_km": 500}},
        {"name": "x", "mass_kg": "1" * 400, "orbit": {"family": "SSO", "altitude_km": 500}},
        {"name": "x", "mass_kg": "1", "orbit": {"family": "SSO", "altitude_km": 10**40}},
        {"name": "x", "mass_kg": "NaN", "orbit": {"family": "SSO", "altitude_km": 500}},
        {"name": "x", "mass_kg": "Infinity", "orbit": {"family": "SSO", "altitude_km": 500}},
        {"name": ["a"], "mass_kg": {"k": 1}, "orbit": "SSO"},
        {"name": "x\x00y", "mass_kg": "1", "orbit": {"family": "SSO", "altitude_km": 500}},
        {"name": "\ud800", "mass_kg": "1", "orbit": {"family": "SSO", "altitude_km": 500}},
        {
            "name": "x",
            "mass_kg": True,
            "orbit": {"family": "SSO", "altitude_km": 500, "inclination_deg": "1e999"},
        },
        [1, 2, 3],
        "just a string",
        None,
    ],
)
def test_hostile_input_is_400_not_500(tenant_a, body):
    VehicleModelFactory()
    raw = json.dumps(body, ensure_ascii=True)
    answer = tenant_a.client.post("/api/v1/payloads/", data=raw, content_type="application/json")
    assert answer.status_code == 400, answer.content


def test_deeply_nested_json_is_400(tenant_a):
    raw = "[" * 100000 + "]" * 100000
    answer = tenant_a.client.post("/api/v1/payloads/", data=raw, content_type="application/json")
    assert answer.status_code in {400, 413}


def test_unicode_names_are_fine(tenant_a):
    VehicleModelFactory()
    answer = tenant_a.client.post(
        "/api/v1/payloads/",
        {"name": "吉林一号 🚀 Ørsted", "mass_kg": "3", "orbit": {"family": "SSO", "altitude_km": 500}},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["name"] == "吉林一号 🚀 Ørsted"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/bookings/99999999999999999999999/",
        "/api/v1/bookings/-1/",
        "/api/v1/bookings/abc/",
        "/api/v1/launches/9223372036854775807/",
        "/api/v1/launches/?page=99999",
        "/api/v1/launches/?page=abc",
        "/api/v1/launches/?net__gte=0001-01-01T00:00:00%2B14:00",
        "/api/v1/launches/?net__lte=9999-12-31T23:59:59-14:00",
        "/api/v1/events/?verb=%00",
        "/api/v1/events/?launch=9223372036854775808",
        "/api/v1/launches/?ordering=password",
    ],
)
def test_odd_urls_never_500(tenant_a, url):
    LaunchFactory()
    assert tenant_a.client.get(url).status_code in {200, 400, 404}


def test_page_size_is_capped_at_100(tenant_a):
    for _ in range(3):
        LaunchFactory()
    answer = tenant_a.client.get("/api/v1/launches/?page_size=100000")
    assert answer.status_code == 200
    assert answer.json()["count"] == 3
    from booking.api.base import CappedPagination

    assert CappedPagination.max_page_size == 100


def test_requests_over_the_rate_are_429_with_retry_after(tenant_a, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "5/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    codes = [tenant_a.client.get("/api/v1/sites/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    answer = tenant_a.client.get("/api/v1/launches/")
    assert answer.status_code == 429
    assert 0 < int(answer["Retry-After"]) <= 60
    assert answer.json()["detail"].startswith("Request was throttled.")


def test_the_rate_is_per_user_across_tokens(tenant_a, tenant_b, settings):
    from .conftest import token_client

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    second_token = token_client(tenant_a.user)
    assert [tenant_a.client.get("/api/v1/sites/").status_code for _ in range(2)] == [200, 200]
    assert [second_token.get("/api/v1/sites/").status_code for _ in range(2)] == [200, 429]
    assert tenant_b.client.get("/api/v1/sites/").status_code == 200
