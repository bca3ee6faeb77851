"""The OpenAPI document: valid, described, with examples; the docs page works offline; and
schemathesis drives every operation with an authenticated customer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from tests.factories import (
    BookingFactory,
    ContractFactory,
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    PayloadFactory,
    VehicleFactory,
    VehicleModelFactory,
    WebhookEndpointFactory,
)

from .conftest import make_tenant

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema_document():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def test_the_openapi_document_validates(schema_document):
    validate_schema(schema_document)  # drf-spectacular's OpenAPI 3.0 JSON-schema check
    assert schema_document["openapi"].startswith("3.")


def test_every_operation_has_a_description_and_examples(schema_document):
    missing = []
    for path, method, op in operations(schema_document):
        if len(op.get("description", "").strip()) < 15:
            missing.append(f"{method.upper()} {path}: no description")
        examples = [
            example
            for part in [op.get("requestBody", {}), *op.get("responses", {}).values()]
            for media in (part.get("content") or {}).values()
            for example in (media.get("examples") or {}).values()
        ]
        if not examples:
            missing.append(f"{method.upper()} {path}: no example")
    assert missing == []


def test_the_contract_paths_are_in_the_document(schema_document):
    paths = set(schema_document["paths"])
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/providers/",
        "/api/v1/vehicle-models/",
        "/api/v1/vehicles/",
        "/api/v1/sites/",
        "/api/v1/platforms/",
        "/api/v1/launches/",
        "/api/v1/launches/{id}/readiness/",
        "/api/v1/payloads/",
        "/api/v1/contracts/",
        "/api/v1/events/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/deliveries/",
        "/api/v1/webhooks/{id}/ping/",
        "/api/v1/launches.ics",
        "/api/v1/bookings/",
        "/api/v1/bookings/{id}/",
    ]:
        assert path in paths, path
    launch_filters = {p["name"] for p in schema_document["paths"]["/api/v1/launches/"]["get"]["parameters"]}
    assert {"provider", "site", "status", "net__gte", "net__lte", "ordering", "page_size"} <= launch_filters


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_internet():
    client = Client()
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "Launchbook API"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/api/v1/launches/" in html and "Idempotency-Key" in html and "Launchbook-Signature" in html
    assert "<script" not in html and "https://" not in html.replace("https://mission.example.com", "")


# --- schemathesis ------------------------------------------------------------------------------

# Valid-by-schema input may still be refused by a business rule the schema cannot state (an orbit
# no vehicle reaches, a payload name already taken): those answers are 400 with a reason.
SCHEMATHESIS_CONFIG = {
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]},
    },
}


@pytest.fixture
def customer_world(db, settings):
    rates = {"user": "100000/minute", "anon": "100000/minute", "auth": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    tenant = make_tenant("Gomspace")
    model = VehicleModelFactory()
    site = LaunchSiteFactory()
    launch = LaunchFactory(
        vehicle_model=model, site=site, platform=MobilePlatformFactory(provider=model.provider)
    )
    LaunchFactory(window_start=launch.window_start + timedelta(days=3))
    VehicleFactory(vehicle_model=model)
    payload = PayloadFactory(customer=tenant.customer)
    BookingFactory(customer=tenant.customer, payload=payload, launch=launch)
    ContractFactory(customer=tenant.customer, provider=model.provider)
    WebhookEndpointFactory(customer=tenant.customer, url="http://127.0.0.1:9/hooks")
    other = make_tenant("InterSpace Explore")
    BookingFactory(customer=other.customer, launch=launch)
    # The WSGI handler would close the test's connection at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield tenant
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _load_schemathesis_schema():
    from launchbook.wsgi import application

    config = SchemathesisConfig.from_dict(SCHEMATHESIS_CONFIG)
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=config)


# Loaded at collection (schemathesis' lazy fixture mode does not support this pytest version); the
# schema endpoint needs no database.
api_schemathesis = _load_schemathesis_schema()


@api_schemathesis.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, customer_world):
    """All checks, as an authenticated customer: no 5xx, every answer matches the document."""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    case.call_and_validate(
        headers={"Authorization": f"Token {customer_world.key}"},
        checks=CHECKS.get_all(),
    )


def test_changes_by_put_and_patch_document_the_conflict_answer(schema_document):
    """A PUT or PATCH may meet a row being changed by someone else (Busy, 409 with Retry-After)."""
    for path, method, op in operations(schema_document):
        if method in {"put", "patch"}:
            assert "409" in op["responses"], f"{method.upper()} {path}"
            assert "Retry-After" in op["responses"]["409"]["headers"]
