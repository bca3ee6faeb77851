"""A password change ends every API token of the user.

Django calls ``password_changed(password, user)`` on each of ``AUTH_PASSWORD_VALIDATORS`` whenever
a user is saved with a newly set password: the portal's change and reset views, the admin's
password forms and ``manage.py changepassword`` alike. Hooking there catches every path; a signal
on one view would miss the others.
"""

from __future__ import annotations

from typing import Any

from booking.services.tokens import api_tokens_revoke_for_user


class RevokeApiTokensOnPasswordChange:
    """Registered as a password validator for its hook; it never refuses a password."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def get_help_text(self) -> str:
        return "Setting a new password revokes all your API tokens; integrations need new ones."

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        api_tokens_revoke_for_user(user=user, reason="the password was changed")
