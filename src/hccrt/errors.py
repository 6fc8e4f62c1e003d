"""Typed errors shared by the whole core.

Every error raised on bad input names the field, the value received and what is allowed, so
that a form, an API response or a CLI message can show it next to the field.
"""

from __future__ import annotations

from typing import Any


class HccrtError(Exception):
    """Base class of every error hccrt raises on purpose."""


class InputError(HccrtError, ValueError):
    """A value given to the core is invalid.

    ``field`` is the name of the input (as the caller knows it, e.g. ``"bilirubin"``),
    ``value`` the value received and ``allowed`` a human-readable statement of what is allowed.
    """

    def __init__(self, field: str, value: Any, allowed: str, detail: str | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.detail = detail
        message = f"{field}: got {value!r}; allowed: {allowed}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class UnitError(InputError):
    """A unit is unknown, or cannot be converted to the unit required."""


class ProtocolError(HccrtError):
    """A protocol file is invalid: names the file and the field path."""
