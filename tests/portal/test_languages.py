"""Two languages: the member chooses Chinese on the account page and reads the portal, the dates,
the API's refusals and the e-mails in it; a browser that asks for Chinese gets it before any
choice; English is the default."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from booking.dates import day_text, when_short
from booking.models import Event
from booking.services.tokens import api_token_create
from customers.models import UserProfile


def test_english_by_default_and_chinese_when_the_browser_asks(member_client):
    english = member_client.get(reverse("portal:dashboard")).content.decode()
    assert "Launches, bookings and payments at a glance." in english and 'lang="en-gb"' in english
    chinese = member_client.get(reverse("portal:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "发射、预订和付款一览。" in chinese.content.decode()
    assert chinese["Content-Language"] == "zh-hans"


def test_the_member_chooses_chinese_and_keeps_it_across_sign_ins(member_client, world):
    answer = member_client.post(reverse("language"), {"language": "zh-hans", "next": "/portal/account/"})
    assert answer.status_code == 302 and answer["Location"] == "/portal/account/"
    assert UserProfile.objects.get(user=world["member"]).language == "zh-hans"
    assert Event.objects.filter(verb="account.language_changed").count() == 1
    page = member_client.get(reverse("portal:account"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "您的账户" in page and 'lang="zh-hans"' in page
    member_client.logout()
    member_client.force_login(User.objects.get(pk=world["member"].pk))  # a sign-in loads the user afresh
    page = member_client.get(reverse("portal:bookings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "您保留、确认、已飞行或已取消的所有席位和发射。" in page
    # Back to the browser's language.
    member_client.post(reverse("language"), {"language": "", "next": "/portal/"})
    assert "Every seat and launch" in member_client.get(reverse("portal:bookings")).content.decode()


def test_a_language_the_service_does_not_offer_is_refused_with_the_choices(member_client):
    answer = member_client.post(reverse("language"), {"language": "tlh", "next": "/portal/"})
    assert answer.status_code == 400 and "简体中文" in answer.content.decode()


def test_the_next_address_never_leaves_the_site(client):
    answer = client.post(reverse("language"), {"language": "zh-hans", "next": "https://evil.example/"})
    assert answer["Location"] == "/" and answer.cookies["django_language"].value == "zh-hans"


def test_the_api_answers_in_the_token_users_language(world):
    UserProfile.objects.create(user=world["member"], language="zh-hans")
    key = api_token_create(user=world["member"], membership=world["member"].memberships.get(), name="ci")[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert (
        api.get("/api/v1/launches/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
        == "令牌无效或已被吊销。"
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answer = api.get("/api/v1/launches/", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200 and answer["Content-Language"] == "zh-hans"


def test_dates_are_written_the_chinese_way_in_chinese():
    moment = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)
    template = Template('{% load times %}{{ moment|shown:"moment" }} · {{ moment|shown:"day" }}')
    with translation.override("zh-hans"):
        assert template.render(Context({"moment": moment})) == "2026年12月2日 14:05 UTC · 2026年12月2日"
        assert day_text(moment) == "2026年12月2日" and when_short(moment) == "12月2日 14:05 UTC"
    with translation.override("en-gb"):
        assert template.render(Context({"moment": moment})) == "2 Dec 2026, 14:05 UTC · 2 Dec 2026"
        assert day_text(moment) == "02 Dec 2026"
