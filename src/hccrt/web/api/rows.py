"""Model instances from rows of hand-written SQL, converted as the ORM converts them.

The API's hot path (token + grants, the participant a form is saved for) reads rows with one
precompiled statement instead of building an ORM query on every request; this turns those
rows into the same instances the ORM would return (``Model.from_db`` with the backend's
converters, e.g. SQLite's text dates and booleans), with the per-field work done once per
database connection vendor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model


def select_list(alias: str, model: type[Model]) -> str:
    """``alias."col", ...`` for every concrete field of ``model``, in field order."""
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


_Steps = tuple[tuple[int, Any, tuple[Callable[..., Any], ...]], ...]


@functools.lru_cache(maxsize=64)
def _converters(model: type[Model], vendor: str, using: str) -> tuple[tuple[str, ...], _Steps]:
    """Attribute names, and per column the converters the ORM's compiler applies (the
    backend's, then the field's), for ``model`` on the ``using`` connection."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    steps = []
    for i, f in enumerate(fields):
        col = f.get_col(model._meta.db_table)
        found = (*connection.ops.get_db_converters(col), *col.get_db_converters(connection))
        if found:
            steps.append((i, col, tuple(found)))
    return tuple(f.attname for f in fields), tuple(steps)


def instance(model: type[Model], using: str, values: Sequence[Any]) -> Model:
    """``model`` from ``values`` (its concrete fields' columns, in :func:`select_list`
    order), as the ORM builds it from the same row."""
    connection = connections[using]
    names, steps = _converters(model, connection.vendor, using)
    values = list(values)
    for i, col, found in steps:
        for convert in found:
            values[i] = convert(values[i], col, connection)
    return model.from_db(using, list(names), values)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)
