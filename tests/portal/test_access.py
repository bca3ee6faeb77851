"""Who may see what in the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booking.portal.nav import nav_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=/portal/")


def test_member_signs_in_with_the_form_and_lands_on_the_dashboard(client, world):
    response = client.post(
        reverse("portal:login"), {"username": "gom", "password": "launchbook-test"}, follow=True
    )
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/portal/"
    assert "Gomspace" in response.content.decode()


def test_staff_user_without_membership_sees_the_members_only_page(client, world):
    staff = UserFactory(username="ops", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("portal:payloads"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "This portal is for customer members" in text
    assert "operator admin" in text


def test_customer_cannot_open_another_customers_booking(member_client, world):
    response = member_client.get(reverse("portal:booking_detail", args=["LB-OTH01"]))
    assert response.status_code == 404
    response = member_client.get(reverse("portal:booking_readiness", args=["LB-OTH01"]))
    assert response.status_code == 404


def test_customer_cannot_open_another_customers_payload_or_launch(member_client, world, client):
    from tests.factories import LaunchFactory, PayloadFactory

    foreign_payload = PayloadFactory(customer=world["other"])
    assert member_client.get(reverse("portal:payload_edit", args=[foreign_payload.pk])).status_code == 404
    unrelated = LaunchFactory()
    assert member_client.get(reverse("portal:launch_detail", args=[unrelated.pk])).status_code == 404
    # The shared launch is visible: the member has a booking on it.
    assert member_client.get(reverse("portal:launch_detail", args=[world["launch"].pk])).status_code == 200


def test_lists_show_only_the_members_organisation(member_client, world):
    text = member_client.get(reverse("portal:bookings")).content.decode()
    assert "LB-GOM01" in text
    assert "LB-OTH01" not in text
    text = member_client.get(reverse("portal:payloads")).content.decode()
    assert "GOMX-5A" in text
    assert world["other_booking"].payload.name not in text


@pytest.mark.parametrize("role_user", ["member", "outsider"])
def test_every_navigation_link_answers_200(client, world, role_user):
    client.force_login(world[role_user])
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    items = nav_for(response.wsgi_request)
    assert {"Dashboard", "Bookings", "Payloads", "Contracts", "Documents", "Events"} <= {
        i["label"] for i in items
    }
    for item in items:
        page = client.get(item["url"])
        assert page.status_code == 200, item
        assert item["url"] in page.content.decode()  # the nav is on every page
    for extra in ["portal:account", "portal:payload_create", "portal:password_change"]:
        assert client.get(reverse(extra)).status_code == 200


def test_member_of_two_organisations_switches_between_them(client, world):
    from tests.factories import MembershipFactory

    MembershipFactory(user=world["member"], customer=world["other"])
    client.force_login(world["member"])
    assert "LB-OTH01" not in client.get(reverse("portal:bookings")).content.decode()
    response = client.post(reverse("portal:switch_customer"), {"customer": world["other"].pk})
    assert response.status_code == 302
    assert "LB-OTH01" in client.get(reverse("portal:bookings")).content.decode()
    assert client.get(reverse("portal:booking_detail", args=["LB-GOM01"])).status_code == 404


def test_switching_to_an_organisation_one_is_not_a_member_of_is_refused(member_client, world):
    response = member_client.post(
        reverse("portal:switch_customer"), {"customer": world["other"].pk}, follow=True
    )
    assert "You are not a member of that organisation." in response.content.decode()
    assert "LB-OTH01" not in member_client.get(reverse("portal:bookings")).content.decode()


def test_sign_out_ends_the_session(member_client, world):
    response = member_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert member_client.get(reverse("portal:dashboard")).status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client, world, mailoutbox):
    response = client.post(reverse("portal:password_reset"), {"email": world["member"].email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == "Reset your Launchbook password"
    link = next(line for line in body.splitlines() if "/portal/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    set_password_url = response.request["PATH_INFO"]
    response = client.post(
        set_password_url, {"new_password1": "orbit-Kuaizhou-77", "new_password2": "orbit-Kuaizhou-77"}
    )
    assert response.status_code == 302
    assert client.login(username="gom", password="orbit-Kuaizhou-77")
