"""CTCAE v5.0 grade of (radiation) pneumonitis from recorded clinical findings.

Source: NCI CTCAE v5.0 (27 Nov 2017), Respiratory, thoracic and mediastinal disorders,
term "Pneumonitis". CTCAE v5 has no separate "radiation pneumonitis" term; radiation
pneumonitis after Y-90 radioembolization (lung shunt) or SBRT is graded with "Pneumonitis".

=====  ===========================================================================
grade  NCI CTCAE v5.0 criteria
=====  ===========================================================================
1      Asymptomatic; clinical or diagnostic observations only; intervention not indicated
2      Symptomatic; medical intervention indicated; limiting instrumental ADL
3      Severe symptoms; limiting self care ADL; oxygen indicated
4      Life-threatening respiratory compromise; urgent intervention indicated (e.g.,
       tracheotomy or intubation)
5      Death
=====  ===========================================================================

Reading of the criteria (NCI CTCAE v5.0 introduction: "a semi-colon indicates 'or' within
the description of the grade"; the highest grade any recorded finding reaches is assigned):

- grade 5 if the pneumonitis was fatal;
- grade 4 if there is life-threatening respiratory compromise or urgent airway intervention
  (intubation, tracheotomy) is indicated;
- grade 3 if symptoms are severe, self-care ADL is limited, or oxygen is indicated;
- grade 2 if symptomatic, medical intervention (e.g. corticosteroids) is indicated, or
  instrumental ADL is limited;
- grade 1 if pneumonitis is present (clinical or diagnostic, e.g. imaging, observation)
  without any of the above;
- grade 0 if no pneumonitis was found (then no other finding may be recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hccrt.errors import InputError

__all__ = ["PNEUMONITIS_CRITERIA", "PneumonitisGrade", "grade_pneumonitis"]

Symptoms = Literal["none", "present", "severe"]
AdlLimitation = Literal["none", "instrumental", "self_care"]

PNEUMONITIS_CRITERIA: dict[int, str] = {
    1: "Asymptomatic; clinical or diagnostic observations only; intervention not indicated",
    2: "Symptomatic; medical intervention indicated; limiting instrumental ADL",
    3: "Severe symptoms; limiting self care ADL; oxygen indicated",
    4: "Life-threatening respiratory compromise; urgent intervention indicated (e.g., "
    "tracheotomy or intubation)",
    5: "Death",
}


@dataclass(frozen=True)
class PneumonitisGrade:
    """CTCAE v5.0 pneumonitis grade (0-5), the NCI text of that grade and the deciding findings."""

    grade: int
    criterion: str
    reasons: tuple[str, ...]


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InputError(field, value, "True or False")


def _choice(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    raise InputError(field, value, "one of " + ", ".join(repr(a) for a in allowed))


def grade_pneumonitis(
    *,
    present: bool,
    symptoms: Symptoms = "none",
    adl_limitation: AdlLimitation = "none",
    medical_intervention_indicated: bool = False,
    oxygen_indicated: bool = False,
    life_threatening_respiratory_compromise: bool = False,
    urgent_airway_intervention_indicated: bool = False,
    fatal: bool = False,
) -> PneumonitisGrade:
    """Grade pneumonitis (CTCAE v5.0) from the recorded findings.

    ``present``: pneumonitis found on clinical or diagnostic (e.g. CT) observation.
    ``symptoms``: ``"none"``, ``"present"`` or ``"severe"``. ``adl_limitation``: ``"none"``,
    ``"instrumental"`` or ``"self_care"``. The flags are the other CTCAE descriptors. Findings
    recorded while ``present`` is False raise :class:`InputError` (inconsistent record).
    """
    present = _bool(present, "present")
    symptoms = _choice(symptoms, "symptoms", ("none", "present", "severe"))  # type: ignore[assignment]
    adl = _choice(adl_limitation, "adl_limitation", ("none", "instrumental", "self_care"))
    flags = {
        "medical intervention indicated": _bool(
            medical_intervention_indicated, "medical_intervention_indicated"
        ),
        "oxygen indicated": _bool(oxygen_indicated, "oxygen_indicated"),
        "life-threatening respiratory compromise": _bool(
            life_threatening_respiratory_compromise, "life_threatening_respiratory_compromise"
        ),
        "urgent airway intervention indicated": _bool(
            urgent_airway_intervention_indicated, "urgent_airway_intervention_indicated"
        ),
        "death": _bool(fatal, "fatal"),
    }
    if not present:
        recorded = [name for name, on in flags.items() if on]
        if symptoms != "none":
            recorded.append(f"symptoms={symptoms}")
        if adl != "none":
            recorded.append(f"adl_limitation={adl}")
        if recorded:
            raise InputError(
                "present",
                False,
                "True when pneumonitis findings are recorded",
                detail="findings recorded without pneumonitis: " + ", ".join(recorded),
            )
        return PneumonitisGrade(0, "", ("no pneumonitis found",))

    levels: list[tuple[int, str]] = [(1, "pneumonitis on clinical or diagnostic observation")]
    if symptoms == "present":
        levels.append((2, "symptomatic"))
    if symptoms == "severe":
        levels.append((3, "severe symptoms"))
    if adl == "instrumental":
        levels.append((2, "limiting instrumental ADL"))
    if adl == "self_care":
        levels.append((3, "limiting self care ADL"))
    grade_of = {
        "medical intervention indicated": 2,
        "oxygen indicated": 3,
        "life-threatening respiratory compromise": 4,
        "urgent airway intervention indicated": 4,
        "death": 5,
    }
    levels += [(grade_of[name], name) for name, on in flags.items() if on]
    grade = max(level for level, _ in levels)
    reasons = tuple(reason for level, reason in levels if level == grade)
    return PneumonitisGrade(grade, PNEUMONITIS_CRITERIA[grade], reasons)
