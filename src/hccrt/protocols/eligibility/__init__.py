"""The eligibility engine: every criterion of a protocol as an executable, explainable rule.

- :mod:`~hccrt.protocols.eligibility.facts`: the closed vocabulary of facts rules may name;
- :mod:`~hccrt.protocols.eligibility.rules`: the rule language (a small typed schema) and its
  load-time checks (used by :class:`hccrt.protocols.schema.Criterion`);
- :mod:`~hccrt.protocols.eligibility.candidate`: the screening input schema and the derived
  facts (clinical core and planning module), one row per candidate;
- :mod:`~hccrt.protocols.eligibility.engine`: evaluation (vectorised, three-valued), outcomes
  per criterion with explanations, overall outcome;
- :mod:`~hccrt.protocols.eligibility.log`: the screening log (CONSORT input).

The engine modules are imported lazily so that the protocol schema can import the rule
language without an import cycle.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "ScreeningInput": "candidate",
    "facts_frame": "candidate",
    "read_candidates": "candidate",
    "CriterionResult": "engine",
    "ScreeningResult": "engine",
    "screen": "engine",
    "screen_frame": "engine",
    "screen_all": "engine",
    "ScreeningLog": "log",
    "BatchResult": "engine",
    "screening_log": "log",
    "ie_records": "log",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = import_module(f"hccrt.protocols.eligibility.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(name)
