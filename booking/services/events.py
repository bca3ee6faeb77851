"""The audit log: every state change writes one Event row, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models, transaction

from booking.models import (
    Event,
    Launch,
)
from booking.signals import events_committed, events_published
from customers.models import Customer
from vehicles.models import Provider

Actor = AbstractBaseUser | AnonymousUser | None


def user_or_none(actor: Actor) -> User | None:
    """The user behind an actor, or ``None`` for the system and anonymous visitors."""
    return cast(User, actor) if actor is not None and getattr(actor, "is_authenticated", False) else None


def actor_label(actor: Actor, *, system: str = "system") -> str:
    user = user_or_none(actor)
    return system if user is None else user.get_username()


def event_record(
    *,
    verb: str,
    subject: models.Model,
    actor: Actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    customer: Customer | None = None,
    provider: Provider | None = None,
    launch: Launch | None = None,
    system: str = "system",
) -> Event:
    """Write one Event. Caller is inside the transaction that made the change it describes.

    Published verbs (see ``webhooks.PUBLISHED_VERBS``) are sent to webhooks after commit.
    """
    event = Event.objects.create(
        verb=verb,
        actor=user_or_none(actor),
        actor_label=actor_label(actor, system=system),
        subject_type=subject._meta.model_name or type(subject).__name__.lower(),
        subject_id=subject.pk,
        customer=customer,
        provider=provider,
        launch=launch,
        before=before or {},
        after=after or {},
        message=message[:300],
    )
    events_publish([event])
    return event


def status_change_record(
    *,
    subject: models.Model,
    status: str,
    state: Callable[[Any], dict[str, Any]],
    verb: str,
    actor: Actor,
    message: str,
    changes: dict[str, Any] | None = None,
    after_extra: dict[str, Any] | None = None,
    customer: Customer | None = None,
    provider: Provider | None = None,
    launch: Launch | None = None,
    system: str = "system",
) -> Event:
    """Move ``subject`` to ``status`` (with the other field ``changes``), save those fields and
    write its Event: the row's ``state`` before and after (plus ``after_extra``), published and
    so notified after commit like every ``event_record``.

    Caller holds the subject's row lock, inside the transaction that makes the change, and has
    checked the move is allowed.
    """
    before = state(subject)
    fields = {"status": status, **(changes or {})}
    for name, value in fields.items():
        setattr(subject, name, value)
    subject.save(update_fields=[*fields, "updated_at"])
    return event_record(
        verb=verb,
        subject=subject,
        actor=actor,
        before=before,
        after={**state(subject), **(after_extra or {})},
        message=message,
        customer=customer,
        provider=provider,
        launch=launch,
        system=system,
    )


def events_record(events: Sequence[Event]) -> list[Event]:
    """Save many unsaved Events (built with ``launches.event_new``) in one INSERT and publish them.

    The bulk form of ``event_record``; caller is inside the transaction that made the changes.
    """
    created = Event.objects.bulk_create(events)
    events_publish(created)
    return created


@dataclass(frozen=True)
class ForTheWorker:
    """What a listener of ``signals.events_published`` answers: the Events the worker is to take
    up once the change commits (their notifications, their webhook deliveries)."""

    event_ids: list[int]


def events_publish(events: Sequence[Event]) -> None:
    """Announce saved Events (``signals.events_published``): every writer of Events calls this, so
    no event is missed. The webhooks and the notifications listen, and customers' endpoints and
    members hear of them once the change is committed, never before: the Events their listeners
    answer (``ForTheWorker``) go to the worker in one ``signals.events_committed`` after commit,
    one task for both.
    """
    wanted: dict[int, None] = {}  # in order, each once (a bulk write publishes hundreds)
    for _listener, answer in events_published.send(sender=Event, events=events):
        if isinstance(answer, ForTheWorker):
            wanted.update(dict.fromkeys(answer.event_ids))
    event_ids = list(wanted)
    if event_ids:
        transaction.on_commit(lambda: events_committed.send(sender=Event, event_ids=event_ids), robust=True)


def event_new(
    *,
    verb: str,
    subject_type: str,
    subject_id: int,
    actor: Actor,
    launch_id: int | None,
    provider_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    customer: Customer | None = None,
    system: str = "readiness",
) -> Event:
    """An unsaved Event, for services that write many at once with ``events.events_record``.

    Mirrors ``events.event_record``; caller saves it inside the transaction that made the change.
    """
    return Event(
        verb=verb,
        actor=user_or_none(actor),
        actor_label=actor_label(actor, system=system),
        subject_type=subject_type,
        subject_id=subject_id,
        customer=customer,
        provider_id=provider_id,
        launch_id=launch_id,
        before=before or {},
        after=after or {},
        message=message[:300],
    )
