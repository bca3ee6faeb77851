"""The route walk: every write route of the API and the portal, found from the URL resolvers, is
tried by every kind of user. Each answer is the one rule's (``booking.rules.permissions``): allowed,
or refused with a 403 (the API's JSON, the portal's refusal page). A route that declares no action
fails here, so a new route cannot ship without a rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from booking.models import Event
from booking.rules.permissions import ROLES, Action, Principal, markdown_table, may, refusal
from booking.services.tokens import api_token_create
from customers.models import Membership
from tests.factories import CustomerFactory, MembershipFactory, ProviderFactory, UserFactory
from vehicles.models import ProviderOperator

WRITE_METHODS = ("post", "put", "patch", "delete")
MISSING_ID = "999999"
MISSING_REFERENCE = "LB-NOSUCH"


def _namespace(name: str) -> list:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == name:
            return list(entry.url_patterns)
    raise AssertionError(f"no {name!r} URL namespace")


def _path(prefix: str, pattern: URLPattern) -> str:
    text = str(pattern.pattern).lstrip("^").rstrip("$").replace("\\.", ".")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", MISSING_ID, text)
    text = re.sub(r"<int:\w+>", MISSING_ID, text)
    text = re.sub(r"<(?:str:)?\w+>", MISSING_REFERENCE, text)
    return prefix + text


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    action: Action | None
    label: str


def api_write_routes() -> list[Route]:
    routes = []
    for pattern in _namespace("api"):
        callback = pattern.callback
        if getattr(callback, "actions", None):  # a viewset route: method -> viewset action
            view_class = callback.cls
            named = {m: a for m, a in callback.actions.items() if m in WRITE_METHODS}
        elif hasattr(callback, "cls"):  # an APIView: its handlers by method
            view_class = callback.cls
            named = {m: m for m in WRITE_METHODS if hasattr(view_class, m)}
        else:
            # Plain functions answer every method the same way: the JSON 404 catch-all only.
            assert pattern.name == "not-found", f"{pattern}: an API route must be a DRF view"
            continue
        declared = getattr(view_class, "rule_actions", {})
        for method, name in named.items():
            label = f"{method.upper()} /api/v1/{pattern.pattern} ({view_class.__name__}.{name})"
            routes.append(Route(_path("/api/v1/", pattern), method, declared.get(name), label))
    return routes


def portal_routes() -> list[Route]:
    routes = []
    for pattern in _namespace("portal"):
        callback = pattern.callback
        view_class = getattr(callback, "view_class", None)
        if view_class is not None and any(
            c.__module__ == "django.contrib.auth.views" for c in view_class.__mro__
        ):
            continue  # signing in, out and password resets: Django's own views (or a limited one), before any membership
        label = f"POST /portal/{pattern.pattern} ({pattern.name})"
        routes.append(
            Route(_path("/portal/", pattern), "post", getattr(callback, "rule_action", None), label)
        )
    return routes


API_ROUTES = api_write_routes()
PORTAL_ROUTES = portal_routes()


def test_the_walk_finds_the_routes_that_matter():
    api = {r.label.split(" (")[0] for r in API_ROUTES}
    assert any("bookings/" in label and "cancel" in label for label in api)
    assert any(label.startswith("DELETE") and "webhooks/" in label for label in api)
    assert any(label.startswith("PATCH") and "move-offers/consent/$" in label for label in api)
    assert any(label.startswith("PATCH") and "move-offers/consent/bookings/" in label for label in api)
    portal = {r.path for r in PORTAL_ROUTES}
    assert f"/portal/bookings/{MISSING_REFERENCE}/cancel/" in portal
    assert f"/portal/integrations/webhooks/{MISSING_ID}/delete/" in portal
    assert "/portal/payloads/new/" in portal


@pytest.mark.parametrize("route", API_ROUTES + PORTAL_ROUTES, ids=lambda r: r.label)
def test_every_route_declares_its_action(route):
    assert route.action is not None, f"{route.label} declares no permission action"


# --- the actors -----------------------------------------------------------------------------


@dataclass
class Actor:
    name: str
    user: User | None
    who: Principal
    membership: Membership | None = None


@pytest.fixture
def actors(db):
    customer = CustomerFactory(name="Walk Sat", slug="walk-sat")
    result = []
    for role in ROLES:
        membership = MembershipFactory(
            customer=customer, user=UserFactory(username=f"walk-{role}"), role=role.value
        )
        result.append(Actor(role.value, membership.user, Principal(role=role.value), membership))
    operator = UserFactory(username="walk-operator", is_staff=True)
    ProviderOperator.objects.create(user=operator, provider=ProviderFactory())
    result.append(Actor("operator", operator, Principal(operator=True)))
    platform = UserFactory(username="walk-platform", is_staff=True, is_superuser=True)
    result.append(Actor("platform", platform, Principal(operator=True, platform=True)))
    result.append(Actor("no organisation", UserFactory(username="walk-loner"), Principal()))
    result.append(Actor("anonymous", None, Principal(signed_in=False)))
    return result


def _api_client(actor: Actor) -> APIClient:
    client = APIClient()
    if actor.user is not None:
        _, key = api_token_create(user=actor.user, name="walk")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_every_api_write_route_answers_as_the_rule_says_for_every_actor(actors):
    wrong = []
    for actor in actors:
        client = _api_client(actor)
        for route in API_ROUTES:
            answer = getattr(client, route.method)(route.path, {}, format="json")
            if may(actor.who, route.action):
                if answer.status_code in (401, 403):
                    wrong.append(f"{actor.name}: {route.label} refused ({answer.status_code}) but allowed")
            elif actor.user is None:
                if answer.status_code != 401:
                    wrong.append(f"anonymous: {route.label} answered {answer.status_code}, not 401")
            elif answer.status_code != 403:
                wrong.append(f"{actor.name}: {route.label} answered {answer.status_code}, not 403")
            elif answer.json()["detail"] != refusal(actor.who, route.action):
                wrong.append(f"{actor.name}: {route.label} refused with {answer.json()['detail']!r}")
    assert not wrong, "\n".join(wrong)


def test_every_portal_write_route_answers_as_the_rule_says_for_every_member(actors):
    wrong = []
    for actor in actors:
        if actor.user is None:
            continue
        client = Client()
        client.force_login(actor.user)
        for route in PORTAL_ROUTES:
            events_before = Event.objects.count()
            answer = client.post(route.path, {})
            templates = {t.name for t in answer.templates}
            refused_page = answer.status_code == 403 and "portal/refused.html" in templates
            if actor.membership is None:
                if not (answer.status_code == 403 and "portal/not_a_member.html" in templates):
                    wrong.append(f"{actor.name}: {route.label} answered {answer.status_code} to a non-member")
            elif may(actor.who, route.action):
                if refused_page or answer.status_code == 403:
                    wrong.append(f"{actor.name}: {route.label} refused but allowed")
            elif not refused_page:
                wrong.append(
                    f"{actor.name}: {route.label} answered {answer.status_code}, not the refusal page"
                )
            elif refusal(actor.who, route.action) not in answer.content.decode():
                wrong.append(f"{actor.name}: {route.label} refusal page does not say why")
            if route.action == Action.READ and Event.objects.count() != events_before:
                wrong.append(f"{actor.name}: {route.label} is declared a read but wrote an event")
    assert not wrong, "\n".join(wrong)


# --- the table, in the code and in the guide ----------------------------------------------------


def test_the_api_guide_carries_the_rule_table_exactly():
    guide = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    assert markdown_table() in guide, "docs/api.md's permission table differs from booking.rules.permissions"


def test_the_rule_roles_are_the_membership_roles():
    assert {role.value for role in ROLES} == set(Membership.Role.values)


def test_the_table_says_what_the_product_promises():
    viewer, mission, finance, admin = ROLES
    assert may(viewer, Action.READ) and not any(
        may(viewer, action)
        for action in Action
        if action not in (Action.SIGN_IN, Action.READ, Action.ACCOUNT, Action.LANGUAGE, Action.TOKEN_OWN)
    )
    for action in (
        Action.PAYLOAD_MANAGE,
        Action.QUOTE_CREATE,
        Action.BOOKING_HOLD,
        Action.EXPRESS_ORDER,
        Action.DEDICATED_REQUEST,
    ):
        assert may(mission, action) and not may(finance, action)
    assert may(finance, Action.BOOKING_CONFIRM) and not may(mission, Action.BOOKING_CONFIRM)
    # A customer's finance members see and download invoices; money received is recorded by the
    # provider's operators only.
    assert may(finance, Action.PAYMENT_VIEW) and may(admin, Action.PAYMENT_VIEW)
    assert not may(mission, Action.PAYMENT_VIEW) and not may(viewer, Action.PAYMENT_VIEW)
    assert not any(may(role, Action.PAYMENT_RECORD) for role in ROLES)
    assert may(Principal(operator=True), Action.PAYMENT_RECORD)
    assert all(
        may(admin, action)
        for action in Action
        if action
        not in (
            Action.LAUNCH_OPERATE,
            Action.DEDICATED_ANSWER,
            Action.MANIFEST_PROPOSE,
            Action.DOCUMENT_REVIEW,
            Action.PAYMENT_RECORD,
            Action.CONTRACT_DRAFT,
            Action.CONTRACT_ACTIVATE,
            Action.REFERENCE_EDIT,
        )
    )
    assert may(Principal(operator=True), Action.LAUNCH_OPERATE)
    assert may(Principal(operator=True), Action.DEDICATED_ANSWER) and not may(admin, Action.DEDICATED_ANSWER)
    assert not may(Principal(operator=True), Action.REFERENCE_EDIT)
    assert may(Principal(operator=True, platform=True), Action.REFERENCE_EDIT)
    assert not may(Principal(operator=True), Action.PAYLOAD_MANAGE)
