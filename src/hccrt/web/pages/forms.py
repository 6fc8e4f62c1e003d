"""Forms shared by every area: sign-in, and the reason-for-change field of edits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied

from hccrt.web import security


class SignInForm(AuthenticationForm):
    """Django's sign-in with the shared login throttle named in the error, not hidden."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "blocked": "Too many failed sign-ins for this user name from this address; "
                   "try again in 15 minutes or ask an administrator.",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if username and security.login_blocked(username, address):
            raise forms.ValidationError(self.error_messages["blocked"], code="blocked")
        try:
            return super().clean()
        except PermissionDenied as exc:  # the throttled backend refused before checking
            raise forms.ValidationError(self.error_messages["blocked"], code="blocked") from exc


class ReasonForChangeField(forms.CharField):
    """The reason the audit trail requires for any change after the first save."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Reason for change")
        kwargs.setdefault("help_text", "Required for any change to saved data; kept in the "
                                       "audit trail with your name and the time.")
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)
