"""Hot reads compiled once (``selectors.kept_reads``): the same rows as the ORM, compiled once per
shape, never kept when a shape cannot be, and the scoped id fields still refuse other tenants."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from booking.api.serializers.bookings import BookingHoldSerializer
from booking.api.serializers.quotes import QuoteRequestSerializer
from booking.models import Launch
from booking.selectors.capacity import launch_ports, launch_ports_prefetch
from booking.selectors.kept_reads import MARKERS, KeptReads
from booking.services.quotes import quote_create
from customers.models import Membership, Payload
from tests.factories import (
    CustomerFactory,
    LaunchFactory,
    MembershipFactory,
    PayloadFactory,
    UserFactory,
    cubesat_3u_port,
    engine_world,
)

pytestmark = pytest.mark.django_db


def launch_read(pk):
    return (
        Launch.objects.select_related("provider", "vehicle_model", "vehicle__vehicle_model")
        .prefetch_related("ports")
        .filter(pk=pk)
    )


class Counting:
    """A builder that counts how often it is asked to build."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, value):
        self.calls += 1
        return self.build(value)


def test_a_kept_read_gives_the_orms_rows_with_their_related_objects_and_prefetches():
    world = engine_world()
    cubesat_3u_port(world.launch, count=4)
    other = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site)
    kept = KeptReads()
    for launch in (world.launch, other, world.launch):
        row = kept.get("launch", launch_read, launch.pk)
        plain = launch_read(launch.pk).get()
        assert row.pk == plain.pk == launch.pk
        fields = [field.attname for field in Launch._meta.concrete_fields]
        assert [getattr(row, name) for name in fields] == [getattr(plain, name) for name in fields]
        with CaptureQueriesContext(connection) as ctx:
            assert row.provider == world.provider
            assert row.vehicle_model == world.vehicle_model
            assert (row.vehicle and row.vehicle.vehicle_model) == (
                plain.vehicle and plain.vehicle.vehicle_model
            )
            assert [port.kind for port in row.ports.all()] == [port.kind for port in plain.ports.all()]
        assert ctx.captured_queries == []  # joined and prefetched, as the ORM's own read
        assert row._state.db == "default" and not row._state.adding


def test_a_shape_is_compiled_once_and_bound_to_each_value_after():
    world = engine_world()
    second = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site)
    kept, build = KeptReads(), Counting(launch_read)
    assert kept.get("launch", build, world.launch.pk).pk == world.launch.pk
    assert build.calls == 2  # the two marker compiles
    with CaptureQueriesContext(connection) as ctx:
        assert kept.get("launch", build, second.pk).pk == second.pk
        assert kept.get("launch", build, world.launch.pk).pk == world.launch.pk
    assert build.calls == 2  # no further build: the kept SQL, bound
    assert len(kept) == 1
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert str(second.pk) in selects[0] or connection.vendor == "postgresql"
    assert not any(str(marker) in sql for sql in selects for marker in MARKERS)


def test_none_found_and_many_found_answer_as_queryset_get():
    world = engine_world()
    kept = KeptReads()
    with pytest.raises(Launch.DoesNotExist):
        kept.get("launch", launch_read, world.launch.pk + 1000)
    LaunchFactory(vehicle_model=world.vehicle_model, site=world.site)
    by_model = lambda model_id: Launch.objects.filter(vehicle_model_id=model_id)  # noqa: E731
    with pytest.raises(Launch.MultipleObjectsReturned):
        kept.get("by model", by_model, world.vehicle_model.pk)


def test_a_shape_that_reads_the_clock_is_never_kept_and_still_answers_right():
    world = engine_world()
    kept = KeptReads()

    def before_now(pk):  # the clock differs between the two compiles: caught, never frozen
        return Launch.objects.filter(pk=pk, created_at__lte=timezone.now())

    build = Counting(before_now)
    assert kept.get("clock", build, world.launch.pk).pk == world.launch.pk
    assert kept.get("clock", build, world.launch.pk).pk == world.launch.pk
    assert build.calls == 2 + 2  # compiled twice once, then the plain ORM for each of the two calls


def test_a_value_that_is_not_a_plain_id_takes_the_plain_way():
    engine_world()
    kept, build = KeptReads(), Counting(launch_read)
    assert kept.rows("launch", build, True) == list(launch_read(True))  # a bool is no id
    assert len(kept) == 0 and build.calls == 1  # built for the plain read, never compiled
    assert kept.rows("launch", build, 0) == []
    assert len(kept) == 0
    naive = datetime(2026, 1, 1)  # noqa: DTZ001 - the point: a naive moment is never bound
    by_moment = lambda moment: Launch.objects.filter(created_at__lt=moment)  # noqa: E731
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert kept.rows("moment", by_moment, naive) == []
    assert len(kept) == 0


def test_text_where_the_field_wants_an_id_answers_as_the_orm_and_is_never_kept():
    world = engine_world()
    kept, build = KeptReads(), Counting(launch_read)
    # The id field refuses the text markers: the shape is marked unkeepable, the ORM answers.
    assert kept.rows("launch", build, str(world.launch.pk))[0].pk == world.launch.pk
    assert kept.rows("launch", build, str(world.launch.pk))[0].pk == world.launch.pk
    # The same key with an id is another shape, and that one is kept.
    with CaptureQueriesContext(connection):
        assert kept.get("launch", build, world.launch.pk).pk == world.launch.pk
        calls = build.calls
        assert kept.get("launch", build, world.launch.pk).pk == world.launch.pk
    assert build.calls == calls


def test_a_shape_of_several_values_binds_each_in_its_places():
    world = engine_world()
    later = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name="Later flight")
    kept = KeptReads()
    moment = timezone.now() + timedelta(days=1)

    def build(model_id, name, before):
        return Launch.objects.filter(vehicle_model_id=model_id, name=name, created_at__lt=before).order_by(
            "pk"
        )

    builds = Counting(lambda values: build(*values))
    for name in (later.name, world.launch.name, "No such flight", later.name):
        values = (world.vehicle_model.pk, name, moment)
        got = kept.rows("by model, name, moment", lambda *v: builds(v), values)
        assert [launch.pk for launch in got] == [launch.pk for launch in build(*values)]
    assert (
        kept.rows(
            "by model, name, moment",
            lambda *v: builds(v),
            (world.vehicle_model.pk, later.name, moment - timedelta(days=30)),
        )
        == []
    )
    if connection.vendor == "postgresql":
        assert builds.calls == 2  # compiled once with two sets of markers, then bound
    else:
        # SQLite takes a datetime as text: the marker is rewritten, so the shape is never kept.
        assert builds.calls == 2 + 5


def test_a_value_the_orm_rewrites_leaves_no_marker_and_the_shape_is_never_kept():
    world = engine_world()
    kept = KeptReads()
    builds = Counting(lambda text: Launch.objects.filter(name__icontains=text))
    for text in (world.launch.name[2:6], "nothing like it", world.launch.name.upper()):
        assert [launch.pk for launch in kept.rows("contains", builds, text)] == [
            launch.pk for launch in Launch.objects.filter(name__icontains=text)
        ]
    assert builds.calls == 2 + 3  # the two compiles differ outside any marker: the plain ORM each time


def test_an_empty_scope_is_not_kept():
    kept = KeptReads()
    nothing = lambda pk: Payload.objects.filter(pk__in=[]).filter(pk=pk)  # noqa: E731
    assert kept.rows("empty", nothing, 5) == []
    assert kept.rows("empty", nothing, 6) == []


def test_a_kept_get_reads_without_the_default_order_as_queryset_get_does():
    world = engine_world()
    kept = KeptReads()
    with CaptureQueriesContext(connection) as ctx:
        kept.get("launch", lambda pk: Launch.objects.filter(pk=pk), world.launch.pk)
        kept.get("launch", lambda pk: Launch.objects.filter(pk=pk), world.launch.pk)
        Launch.objects.get(pk=world.launch.pk)
    kept_sql, again, plain = (q["sql"] for q in ctx.captured_queries)
    assert "ORDER BY" not in kept_sql and "ORDER BY" not in plain
    assert "ORDER BY" in str(Launch.objects.filter(pk=world.launch.pk).query)  # the model's own order
    assert again.replace(str(world.launch.pk), "?") == kept_sql.replace(str(world.launch.pk), "?")


@pytest.mark.django_db(transaction=True)
def test_a_kept_locking_read_is_refused_outside_a_transaction_as_the_orm_refuses_it():
    world = engine_world()
    kept = KeptReads()
    locking = lambda pk: Launch.objects.select_for_update().filter(pk=pk)  # noqa: E731
    with transaction.atomic():
        assert kept.get("lock", locking, world.launch.pk).pk == world.launch.pk
    with pytest.raises(TransactionManagementError):
        kept.get("lock", locking, world.launch.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        kept.get("lock", locking, world.launch.pk)
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in ctx.captured_queries[-1]["sql"]


# The change of DATABASES is the point of the test: Django's warning about it is expected.
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_database_settings_changing_forgets_the_shapes(settings):
    world = engine_world()
    kept = KeptReads()
    kept.get("launch", launch_read, world.launch.pk)
    assert len(kept) == 1
    settings.DATABASES = {**settings.DATABASES}
    assert len(kept) == 0


def test_the_oldest_shapes_go_beyond_the_size():
    world = engine_world()
    kept = KeptReads(size=2)
    for key in ("a", "b", "c"):
        kept.get(key, launch_read, world.launch.pk)
    assert len(kept) == 2


def test_the_kept_payload_field_refuses_another_customers_payload_after_its_own_scope_was_kept():
    world = engine_world()
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.ADMIN)
    stranger_customer = CustomerFactory(name="Other sat maker", slug="other-sat")
    stranger = UserFactory(username="other-engineer")
    MembershipFactory(user=stranger, customer=stranger_customer, role=Membership.Role.ADMIN)
    theirs = PayloadFactory(customer=stranger_customer, name="THEIRS-1")

    def field_read(user, payload_id):
        request = APIRequestFactory().post("/api/v1/quotes/")
        request.user = user
        serializer = QuoteRequestSerializer(
            data={"payload": payload_id, "launch": world.launch.pk}, context={"request": request}
        )
        serializer.is_valid()
        return serializer

    mine = field_read(world.user, world.payload.pk)
    assert "payload" not in mine.errors and mine.validated_data["payload"] == world.payload
    again = field_read(world.user, world.payload.pk)  # the kept shape, bound
    assert again.validated_data["payload"].pk == world.payload.pk
    refused = field_read(world.user, theirs.pk)
    assert refused.errors["payload"] == [f"No payload of yours has id {theirs.pk}."]
    assert field_read(stranger, theirs.pk).validated_data["payload"] == theirs
    assert field_read(stranger, world.payload.pk).errors["payload"] == [
        f"No payload of yours has id {world.payload.pk}."
    ]


def test_the_kept_quote_field_of_the_hold_refuses_another_customers_quote():
    world = engine_world()
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.ADMIN)
    stranger_customer = CustomerFactory(name="Other sat maker", slug="other-sat")
    stranger = UserFactory(username="other-engineer")
    MembershipFactory(user=stranger, customer=stranger_customer, role=Membership.Role.ADMIN)
    ours = quote_create(payload=world.payload, launch=world.launch, actor=world.user, customer=world.customer)
    theirs_payload = PayloadFactory(customer=stranger_customer, name="THEIRS-2", mass_kg=Decimal("5.0"))
    theirs = quote_create(
        payload=theirs_payload, launch=world.launch, actor=stranger, customer=stranger_customer
    )

    def hold_read(user, quote_id):
        request = APIRequestFactory().post("/api/v1/bookings/")
        request.user = user
        serializer = BookingHoldSerializer(data={"quote": quote_id}, context={"request": request})
        serializer.is_valid()
        return serializer

    assert hold_read(world.user, ours.pk).validated_data["quote"] == ours
    assert hold_read(world.user, ours.pk).validated_data["quote"].launch == world.launch  # kept
    assert hold_read(world.user, theirs.pk).errors["quote"] == [f"No quote of yours has id {theirs.pk}."]
    assert hold_read(stranger, theirs.pk).validated_data["quote"] == theirs
    assert hold_read(stranger, ours.pk).errors["quote"] == [f"No quote of yours has id {ours.pk}."]


def test_the_kept_ports_of_a_launch_stand_in_for_djangos_prefetch():
    world = engine_world()
    cubesat_3u_port(world.launch, count=4)
    plain = list(Launch.objects.prefetch_related("ports").get(pk=world.launch.pk).ports.all())
    for _ in range(2):  # compiled on the first, bound on the second
        launch = Launch.objects.get(pk=world.launch.pk)
        with CaptureQueriesContext(connection) as ctx:
            launch_ports_prefetch(launch)
            launch_ports_prefetch(launch)  # already there: nothing read again
        assert len(ctx.captured_queries) == 1
        with CaptureQueriesContext(connection) as ctx:
            ports = list(launch.ports.all())
            assert all(port.launch is launch for port in ports)
            assert launch_ports(launch) == ports
        assert ctx.captured_queries == []
        assert [(p.pk, p.kind, p.count) for p in ports] == [(p.pk, p.kind, p.count) for p in plain]
