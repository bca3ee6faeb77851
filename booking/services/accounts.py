"""A person's own settings that belong to no organisation: the language they read in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from booking.errors import InvalidRequest
from booking.services.events import Actor, event_record
from customers.models import UserProfile


def user_language_set(*, user: User, language: str, actor: Actor) -> UserProfile:
    """Keep ``language`` ("" for the browser's) as the language ``user`` reads pages, e-mails and
    API answers in. Caller checked the actor may choose it (themselves)."""
    names = dict(settings.LANGUAGES)
    if language and language not in names:
        raise InvalidRequest(
            _("%(language)s is not a language of this service; choose one of %(choices)s.")
            % {"language": language, "choices": ", ".join(names)}
        )
    with transaction.atomic():
        profile, _created = UserProfile.objects.get_or_create(user=user)
        before = profile.language
        profile.language = language
        profile.save(update_fields=["language"])
        event_record(
            verb="account.language_changed",
            subject=profile,
            actor=actor,
            before={"language": before},
            after={"language": language},
            message=f"{user.get_username()} reads in {names.get(language, 'the browser language')}",
        )
    return profile
