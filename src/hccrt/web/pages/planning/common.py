"""What the planning pages share: the participant, the protocol, write rights, error mapping.

No clinical rule lives here: numbers come from :mod:`hccrt.dosimetry` and
:mod:`hccrt.clinical`; this module only fetches rows through the capture layer (site-isolated
querysets) and turns the core's :class:`~hccrt.errors.InputError` and the models'
``ValidationError`` into messages next to the form fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone

from hccrt.errors import HccrtError, InputError
from hccrt.web.capture import access
from hccrt.web.capture.models import protocol_model
from hccrt.web.core.models import Participant
from hccrt.web.pages.shell import visible_participants


def participant_for(request: HttpRequest, pk: int) -> Participant:
    """The participant if the user may read it (site isolation); 404 otherwise, so another
    site's participants are not even confirmed to exist."""
    found = (visible_participants(request.user).select_related("protocol", "site")
             .filter(pk=pk).first())  # fmt: skip
    if found is None:
        raise Http404("No such participant at your sites.")
    return found


def can(user: Any, resource: str, op: str, site_id: int) -> bool:
    """True when ``user`` may ``op`` ('read'/'write') ``resource`` at ``site_id``."""
    sites = access.allowed_sites(user, resource, op)
    return sites is None or site_id in sites


def core_protocol(participant: Participant) -> Any:
    """The validated core protocol of the participant's stored protocol version."""
    return protocol_model(participant.protocol_id)


def visible_arm(user: Any, participant: Participant) -> str | None:
    """The participant's arm when the user may see it (and it is assigned), else None."""
    from hccrt.web.capture.models import protocol_facts

    if not participant.arm:
        return None
    masked = protocol_facts(participant.protocol_id).masked
    return participant.arm if access.sees_arm(user, participant.site_id, masked) else None


def intervention_kinds(protocol: Any, arm: str | None = None) -> set[str]:
    """Intervention kinds of the protocol (of one arm when given)."""
    return {str(i.kind) for a in protocol.arms if arm in (None, a.id) for i in a.interventions}


class FieldErrors:
    """Errors to show next to fields: ``form_field -> [message]`` plus form-wide messages.

    ``aliases`` maps the core's field names (e.g. ``tumours.0.volume_ml``) to form fields;
    a name that is neither a form field nor an alias is shown as a form-wide error that still
    names the core's field.
    """

    def __init__(self, form: forms.Form, aliases: Mapping[str, str] | None = None) -> None:
        self.form = form
        self.aliases = dict(aliases or {})

    def target(self, core_field: str) -> str | None:
        name = core_field.removeprefix("inputs.")
        if name in self.aliases:
            return self.aliases[name]
        if name in self.form.fields:
            return name
        head = name.split(".")[0]
        if head in self.aliases:
            return self.aliases[head]
        return head if head in self.form.fields else None

    def add(self, core_field: str, message: str) -> None:
        field = self.target(core_field)
        if field is None:
            self.form.add_error(None, f"{core_field}: {message}")
        else:
            self.form.add_error(field, message)

    def input_error(self, exc: InputError) -> None:
        text = f"got {exc.value!r}; allowed: {exc.allowed}"
        if exc.detail:
            text += f" ({exc.detail})"
        self.add(exc.field, text)

    def validation_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for key, errors in exc.error_dict.items():
                for err in errors:
                    self.add(key, " ".join(err.messages))
        else:
            for message in exc.messages:
                self.form.add_error(None, message)

    def core(self, exc: HccrtError) -> None:
        if isinstance(exc, InputError):
            self.input_error(exc)
        else:
            self.form.add_error(None, str(exc))


def aware(value: datetime | None) -> datetime | None:
    """A naive ``datetime-local`` value read in the site's time zone (settings.TIME_ZONE)."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_current_timezone())


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def status_class(status: str) -> str:
    """CSS badge class of a check status (the word is always shown too)."""
    return {"pass": "pass", "fail": "fail", "warning": "warning",
            "not_evaluated": "missing"}.get(status, "info")  # fmt: skip
