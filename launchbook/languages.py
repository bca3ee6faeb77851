"""Which language a request is answered in: the account's own choice, then the browser's.

Django's LocaleMiddleware reads the browser's Accept-Language (English by default); this
middleware, after it, applies the language a signed-in user chose on their account. The choice is
copied into the session at sign-in and whenever it changes, so a page costs no query for it. The
API's token authentication applies the token user's choice the same way
(``booking.api.authentication``); e-mails are written in the recipient's
(``booking.services.notifications``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from booking.rules.permissions import Action, Principal, may, refusal
from booking.services.accounts import user_language_set
from customers.selectors import user_language

#: The session key holding the signed-in user's chosen language ("" or absent: none chosen).
SESSION_LANGUAGE_KEY = "launchbook_language"


def is_supported(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def request_language_apply(request: HttpRequest, language: str) -> None:
    """Answer the rest of ``request`` in ``language`` (when it is one of ours)."""
    if language and is_supported(language):
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


def session_language_remember(request: HttpRequest, language: str) -> None:
    """Keep the user's chosen language with their session and answer this request in it."""
    if hasattr(request, "session"):
        request.session[SESSION_LANGUAGE_KEY] = language
    if language:
        request_language_apply(request, language)
    else:
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


class AccountLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None:
            request_language_apply(request, session.get(SESSION_LANGUAGE_KEY, ""))
        return self.get_response(request)


@receiver(user_logged_in)
def remember_language_at_sign_in(
    sender: object, request: HttpRequest | None, user: object, **kwargs: object
) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LANGUAGE_KEY] = user_language(user)  # type: ignore[arg-type]


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language picker of every page (portal, admin, home): POST ``language`` ("" for the
    browser's) and ``next``. Signed in, the choice is kept with the account; otherwise in the
    language cookie, as Django's own ``set_language`` does."""
    signed_in = request.user.is_authenticated
    who = Principal(signed_in=signed_in)
    if not may(who, Action.LANGUAGE):
        raise PermissionDenied(refusal(who, Action.LANGUAGE))
    language = request.POST.get("language", "")
    if language and not is_supported(language):
        return HttpResponseBadRequest(
            translation.gettext("Choose one of the languages offered: %(choices)s.")
            % {"choices": ", ".join(name for _code, name in settings.LANGUAGES)}
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if signed_in:
        user_language_set(user=request.user, language=language, actor=request.user)  # type: ignore[arg-type]
        session_language_remember(request, language)
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600)
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
