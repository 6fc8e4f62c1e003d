"""Calls into the clinical core, with its typed errors turned into form errors.

The web layer holds no clinical rule: a model's ``clean()`` calls the core through
:func:`core_call`, and an :class:`hccrt.errors.InputError` (field, value, allowed) becomes a
Django ``ValidationError`` on the model field, carrying the value and the rule so that the API
can answer ``{"field", "value", "rule"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError

from hccrt.errors import InputError

T = TypeVar("T")


def field_error(field: str, value: Any, rule: str) -> ValidationError:
    return ValidationError(
        {field: ValidationError(f"got {value!r}; allowed: {rule}", code="invalid",
                                params={"value": value, "rule": rule})}
    )


def core_call(fn: Callable[..., T], *args: Any, fields: dict[str, str] | None = None,
              default_field: str | None = None, prefix: str = "", **kwargs: Any) -> T:  # fmt: skip
    """Run ``fn``; map an InputError's field through ``fields`` (or ``prefix``) onto a field."""
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        name = (fields or {}).get(exc.field, exc.field if default_field is None else default_field)
        raise field_error(prefix + name, exc.value, exc.allowed) from exc
