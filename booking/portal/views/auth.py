"""Sign-in pages that need more than Django's own views: a password reset that is rate limited."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from launchbook.security import duration_words, reset_request_allowed


class LimitedPasswordResetView(auth_views.PasswordResetView):
    """Sends at most ``LAUNCHBOOK_PASSWORD_RESET_LIMIT`` reset mails an hour per e-mail address and
    per client address; past that the form says how long to wait and sends nothing."""

    def form_valid(self, form) -> HttpResponse:
        wait = reset_request_allowed(self.request, form.cleaned_data["email"])
        if wait is not None:
            form.add_error(
                None,
                "Too many password-reset requests for this address or from this connection. "
                f"Try again in {duration_words(wait)}.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
