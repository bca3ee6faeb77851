"""Customers in the operator admin: a provider's operators see only the customers with a contract
with their provider (and those customers' payloads and documents); only all-providers operators
change who belongs to a customer or its export screening."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import Customer, Membership, Payload
from tests.customers.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_catalog, db):
    return demo_catalog


def login(client, settings, username):
    assert client.login(username=username, password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    return client


def test_provider_operator_sees_only_customers_with_a_contract_with_its_provider(demo, client, settings):
    login(client, settings, "expace-ops")
    # InterSpace flies with Galactic Energy only; CMSA has an ExPace contract for its cargo mission.
    interspace, gomspace = Customer.objects.get(slug="interspace"), Customer.objects.get(slug="gomspace")
    page = client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert "Gomspace" in page and "Jilin" in page and "CMSA" in page
    assert "InterSpace" not in page
    assert client.get(reverse("admin:customers_customer_change", args=[interspace.pk])).status_code == 302
    assert client.get(reverse("admin:customers_customer_change", args=[gomspace.pk])).status_code == 200

    theirs = Payload.objects.get(name="Zengzhang-1")
    payloads = client.get(reverse("admin:customers_payload_changelist")).content.decode()
    assert "GOMX-5A" in payloads and "Zengzhang-1" not in payloads
    assert client.get(reverse("admin:customers_payload_change", args=[theirs.pk])).status_code == 302
    # A customer's payloads are the customer's: a provider operator reads them, adds none.
    assert client.get(reverse("admin:customers_payload_add")).status_code == 403

    DocumentFactory(customer=interspace, payload=theirs)
    DocumentFactory(customer=gomspace, payload=Payload.objects.get(name="GOMX-5A"))
    documents = client.get(reverse("admin:customers_document_changelist"))
    assert [d.customer for d in documents.context["cl"].result_list] == [gomspace]


def test_the_all_providers_operator_sees_every_customer(demo, client, settings):
    login(client, settings, "operator")
    cmsa = Customer.objects.get(slug="cmsa")
    assert "CMSA" in client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert client.get(reverse("admin:customers_customer_change", args=[cmsa.pk])).status_code == 200


def test_only_all_providers_operators_change_who_belongs_to_a_customer(demo, client, settings):
    gomspace = Customer.objects.get(slug="gomspace")
    expace_ops = Membership._meta.get_field("user").related_model.objects.get(username="expace-ops")
    add_url = reverse("admin:customers_membership_add")
    data = {"user": expace_ops.pk, "customer": gomspace.pk, "role": Membership.Role.ADMIN}

    login(client, settings, "expace-ops")
    assert client.get(add_url).status_code == 403
    assert client.post(add_url, data).status_code == 403
    assert not Membership.objects.filter(user=expace_ops).exists()
    # Nor through the customer's page: the inline is read-only for a provider operator.
    page = client.get(reverse("admin:customers_customer_change", args=[gomspace.pk]))
    [memberships] = page.context["inline_admin_formsets"]
    assert not memberships.has_add_permission and not memberships.has_change_permission
    # Members of customers outside its providers' contracts are not even listed.
    listed = client.get(reverse("admin:customers_membership_changelist")).context["cl"].result_list
    assert {m.customer.slug for m in listed} == {"gomspace", "jilin", "cmsa"}

    client.logout()
    login(client, settings, "operator")
    assert client.post(add_url, data).status_code == 302
    assert Membership.objects.filter(user=expace_ops, customer=gomspace).exists()


def test_export_screening_is_read_only_for_provider_operators(demo, client, settings):
    gomspace = Customer.objects.get(slug="gomspace")
    url = reverse("admin:customers_customer_change", args=[gomspace.pk])
    login(client, settings, "expace-ops")
    assert "export_screening" not in client.get(url).context["adminform"].form.fields
    client.logout()
    login(client, settings, "operator")
    assert "export_screening" in client.get(url).context["adminform"].form.fields
