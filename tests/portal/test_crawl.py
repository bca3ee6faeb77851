"""Tried as a new user would: follow every portal link from the dashboard; none is dead, none fails."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.contrib.auth.models import User

from tests.browser.world import demo_world

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/(?:portal|admin)/[^"#]*)')


def crawl(client, start: str, prefix: str, limit: int = 400) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link.startswith(prefix) and link not in seen:
                queue.append(link)
    return seen


def test_every_portal_link_a_customer_can_reach_works(client):
    demo_world()
    client.force_login(User.objects.get(username="gomspace"))
    seen = crawl(client, "/portal/", "/portal/")
    broken = {url: status for url, status in seen.items() if status != 200}
    assert not broken, broken
    assert {"/portal/", "/portal/payloads/", "/portal/bookings/LB-24A7K/", "/portal/contracts/"} <= set(seen)
    assert len(seen) > 15


def test_every_admin_link_from_the_operator_home_works(client):
    demo_world()
    client.force_login(User.objects.get(username="expace-ops"))
    seen = crawl(client, "/admin/", "/admin/", limit=120)
    errors = {url: status for url, status in seen.items() if status >= 500 or status == 404}
    assert not errors, errors
