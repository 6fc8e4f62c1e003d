"""Radioembolization-induced liver disease (REILD): classification and Braat 2017 grading.

Definitions
-----------
- **Sangro 2008** (Sangro B, Gil-Alzugaray B, Rodriguez J, et al. Liver disease induced by
  radioembolization of liver tumors: description and possible risk factors. *Cancer*
  2008;112:1538-46): a clinical picture of **jaundice and ascites appearing 4 to 8 weeks after
  radioembolization** (abstract), in the absence of tumour progression and of bile-duct
  occlusion. Encoded window: day 28 to day 56 after treatment, inclusive.
- **Braat 2017** (Braat MNGJA, van Erpecum KJ, Zonnenberg BA, et al. Radioembolization-induced
  liver disease: a systematic review. *Eur J Gastroenterol Hepatol* 2017;29:144-52): "a
  symptomatic post-radioembolization deterioration in the ability of the liver to maintain its
  (normal or pre-procedural) synthetic, excretory and detoxifying functions, characterized by
  jaundice and the development of or increase in ascites, hyperbilirubinemia and
  hypoalbuminemia, developing at least two weeks to four months after radioembolization, in the
  absence of tumor progression or biliary obstruction" (as quoted in van Roekel C, PhD thesis,
  Utrecht 2020, ch. 2). Encoded window: day 14 to day 120 inclusive (four months taken as 120
  days); hypoalbuminaemia = albumin below the LLN within the window.

Operational choices (documented variants, all parameters)
---------------------------------------------------------
- "Jaundice" is operationalised as total bilirubin >= ``bilirubin_threshold`` within the window,
  default **3.0 mg/dL (51.3 umol/L)**, the threshold used for REILD in later series of the
  Pamplona group; it could not be checked against the 2008 paper's full text and is a
  parameter for that reason.
- Ascites must be new or increased and recorded within the window (date of the observation).
- Tumour progression and biliary obstruction are exclusions that a clinician adjudicates; they
  are inputs (``True``/``False``) and are never inferred. When the other criteria are met and
  an exclusion has not been adjudicated (``None``), the result is indeterminate (``met=None``).

Braat 2017 hepatotoxicity grade (same source)
---------------------------------------------
0 no liver toxicity (no CTCAE grade change over baseline); 1 minor: only AST, ALT, ALP and/or
GGT increased, none beyond a newly developed CTCAE grade 1; 2 moderate, self-limiting, no
medical intervention; 3 REILD manageable with non-invasive treatment (diuretics,
ursodeoxycholic acid, steroids); 4 REILD needing invasive treatment (paracentesis, transfusion,
haemodialysis, TIPS); 5 fatal REILD. The CTCAE terms compared with baseline are blood
bilirubin increased, AST/ALT/ALP/GGT increased and hypoalbuminemia (the liver laboratory terms
of :mod:`hccrt.clinical.ctcae`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hccrt.errors import InputError
from hccrt.units import Quantity, as_value, convert

__all__ = [
    "BRAAT_2017",
    "BRAAT_LIVER_TERMS",
    "DEFINITIONS",
    "SANGRO_2008",
    "BraatGrade",
    "ReildDefinition",
    "ReildResult",
    "braat_hepatotoxicity_grade",
    "classify_reild",
]


@dataclass(frozen=True)
class ReildDefinition:
    """A published REILD definition: its time window (days after treatment, inclusive) and
    whether hypoalbuminaemia is required."""

    key: str
    citation: str
    window_days: tuple[int, int]
    requires_hypoalbuminemia: bool


SANGRO_2008 = ReildDefinition(
    "sangro2008", "Sangro B et al., Cancer 2008;112:1538-46", (28, 56), False
)
BRAAT_2017 = ReildDefinition(
    "braat2017", "Braat MNGJA et al., Eur J Gastroenterol Hepatol 2017;29:144-52", (14, 120), True
)
DEFINITIONS: dict[str, ReildDefinition] = {d.key: d for d in (SANGRO_2008, BRAAT_2017)}

Observation = tuple[dt.date, Any]


@dataclass(frozen=True)
class ReildResult:
    """Whether REILD criteria are met (``True``/``False``, ``None`` = indeterminate) and why."""

    met: bool | None
    definition: str
    window: tuple[dt.date, dt.date]
    reasons: tuple[str, ...]
    jaundice_date: dt.date | None = None
    ascites_date: dt.date | None = None
    hypoalbuminemia_date: dt.date | None = None


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise InputError(field, value, "a date")


def _tristate(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InputError(field, value, "True, False or None (not adjudicated)")


def _observations(
    series: Iterable[Observation] | None, field: str, unit: str, analyte: str, default_unit: str
) -> list[tuple[dt.date, float]]:
    if series is None:
        return []
    if isinstance(series, str | bytes) or not isinstance(series, Iterable):
        raise InputError(field, series, "a sequence of (date, value) pairs")
    out: list[tuple[dt.date, float]] = []
    for i, item in enumerate(series):
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise InputError(f"{field}[{i}]", item, "a (date, value) pair")
        day = _date(item[0], f"{field}[{i}] date")
        raw = item[1]
        if isinstance(raw, str | Quantity):
            value = as_value(raw, unit, analyte=analyte, field=f"{field}[{i}]")
        else:
            number = as_value(raw, default_unit, field=f"{field}[{i}]")
            value = float(convert(number, default_unit, unit, analyte=analyte))
        if not math.isfinite(value) or value < 0:
            raise InputError(f"{field}[{i}]", raw, "a finite value >= 0")
        out.append((day, value))
    return out


def classify_reild(
    *,
    treatment_date: dt.date,
    bilirubin: Iterable[Observation],
    ascites_dates: Iterable[dt.date],
    tumour_progression: bool | None,
    biliary_obstruction: bool | None,
    albumin: Iterable[Observation] | None = None,
    albumin_lln: float | str | Quantity | None = None,
    definition: str | ReildDefinition = "sangro2008",
    bilirubin_threshold: float | str | Quantity = "3.0 mg/dL",
    bilirubin_unit: str = "mg/dL",
    albumin_unit: str = "g/dL",
) -> ReildResult:
    """Decide whether REILD criteria are met after one radioembolization.

    Parameters
    ----------
    treatment_date:
        Date of the radioembolization.
    bilirubin:
        Post-treatment total bilirubin as ``(date, value)`` pairs; a value is a number in
        ``bilirubin_unit`` or a quantity/string such as ``"60 umol/L"``.
    ascites_dates:
        Dates on which new or increased ascites was recorded (clinical or imaging).
    tumour_progression, biliary_obstruction:
        Adjudicated exclusions within the window: ``True``, ``False`` or ``None`` (not
        adjudicated).
    albumin, albumin_lln:
        Post-treatment albumin ``(date, value)`` pairs and the lower limit of normal; needed
        by the Braat 2017 definition (hypoalbuminaemia).
    definition:
        ``"sangro2008"`` (default) or ``"braat2017"``, or a :class:`ReildDefinition`.
    bilirubin_threshold:
        Bilirubin at or above which jaundice is counted (default 3.0 mg/dL; module docstring).

    Returns a :class:`ReildResult`: ``met`` is ``True`` when every criterion is met and both
    exclusions are adjudicated absent, ``False`` when a criterion is not met or an exclusion is
    present, ``None`` when the criteria are met but an exclusion is not adjudicated.
    """
    if isinstance(definition, str):
        if definition not in DEFINITIONS:
            raise InputError("definition", definition, "one of " + ", ".join(DEFINITIONS))
        definition = DEFINITIONS[definition]
    if not isinstance(definition, ReildDefinition):
        raise InputError("definition", definition, "a definition name or ReildDefinition")
    t0 = _date(treatment_date, "treatment_date")
    start = t0 + dt.timedelta(days=definition.window_days[0])
    end = t0 + dt.timedelta(days=definition.window_days[1])
    progression = _tristate(tumour_progression, "tumour_progression")
    obstruction = _tristate(biliary_obstruction, "biliary_obstruction")

    threshold = as_value(
        bilirubin_threshold
        if isinstance(bilirubin_threshold, str | Quantity)
        else Quantity(bilirubin_threshold, bilirubin_unit),
        "umol/L",
        analyte="bilirubin",
        field="bilirubin_threshold",
    )
    if threshold <= 0:
        raise InputError("bilirubin_threshold", bilirubin_threshold, "> 0")
    bili = _observations(bilirubin, "bilirubin", "umol/L", "bilirubin", bilirubin_unit)
    if ascites_dates is None or isinstance(ascites_dates, str | bytes):
        raise InputError("ascites_dates", ascites_dates, "a sequence of dates (may be empty)")
    ascites = [_date(d, f"ascites_dates[{i}]") for i, d in enumerate(ascites_dates)]
    for day, _ in bili:
        if day < t0:
            raise InputError("bilirubin", day, f"dates on or after treatment ({t0})")

    def in_window(day: dt.date) -> bool:
        return start <= day <= end

    reasons: list[str] = []
    jaundice = [d for d, v in bili if in_window(d) and v >= threshold * (1 - 1e-12)]
    jaundice_date = min(jaundice) if jaundice else None
    asc = [d for d in ascites if in_window(d)]
    ascites_date = min(asc) if asc else None
    window_text = f"day {definition.window_days[0]}-{definition.window_days[1]}"
    criteria_met = True
    if jaundice_date is None:
        criteria_met = False
        reasons.append(f"no bilirubin >= threshold in the window ({window_text})")
    else:
        reasons.append(f"bilirubin >= threshold on {jaundice_date}")
    if ascites_date is None:
        criteria_met = False
        reasons.append(f"no new or increased ascites in the window ({window_text})")
    else:
        reasons.append(f"new or increased ascites on {ascites_date}")

    hypo_date: dt.date | None = None
    if definition.requires_hypoalbuminemia:
        if albumin is None or albumin_lln is None:
            if criteria_met:
                return ReildResult(
                    None,
                    definition.key,
                    (start, end),
                    (*reasons, "albumin and its LLN are needed for hypoalbuminaemia"),
                    jaundice_date,
                    ascites_date,
                )
        else:
            lln = as_value(
                albumin_lln
                if isinstance(albumin_lln, str | Quantity)
                else Quantity(albumin_lln, albumin_unit),
                "g/L",
                analyte="albumin",
                field="albumin_lln",
            )
            alb = _observations(albumin, "albumin", "g/L", "albumin", albumin_unit)
            low = [d for d, v in alb if in_window(d) and v < lln * (1 - 1e-12)]
            hypo_date = min(low) if low else None
            if hypo_date is None:
                criteria_met = False
                reasons.append(f"no albumin below LLN in the window ({window_text})")
            else:
                reasons.append(f"albumin below LLN on {hypo_date}")

    met: bool | None
    if progression:
        reasons.append("excluded: tumour progression")
    if obstruction:
        reasons.append("excluded: biliary obstruction")
    if progression or obstruction or not criteria_met:
        met = False
    elif progression is None or obstruction is None:
        met = None
        missing = [
            name
            for name, v in (
                ("tumour progression", progression),
                ("biliary obstruction", obstruction),
            )
            if v is None
        ]
        reasons.append("criteria met; not adjudicated: " + ", ".join(missing))
    else:
        met = True
        reasons.append("no tumour progression and no biliary obstruction (adjudicated)")
    return ReildResult(
        met, definition.key, (start, end), tuple(reasons), jaundice_date, ascites_date, hypo_date
    )


# --------------------------------------------------------------------------- Braat grading

BRAAT_LIVER_TERMS: tuple[str, ...] = (
    "bilirubin_increased",
    "ast_increased",
    "alt_increased",
    "alp_increased",
    "ggt_increased",
    "hypoalbuminemia",
)
_ENZYMES = frozenset({"ast_increased", "alt_increased", "alp_increased", "ggt_increased"})

BRAAT_GRADE_TEXT: dict[int, str] = {
    0: "No liver toxicity (no CTCAE grade change over baseline)",
    1: "Minor liver toxicity: only AST, ALT, ALP and/or GGT increased, not beyond a newly "
    "developed CTCAE grade 1",
    2: "Moderate liver toxicity with a self-limiting course; no medical intervention",
    3: "REILD manageable with non-invasive treatment (diuretics, ursodeoxycholic acid, steroids)",
    4: "REILD necessitating invasive treatment (paracentesis, transfusion, haemodialysis, TIPS)",
    5: "Fatal REILD",
}


@dataclass(frozen=True)
class BraatGrade:
    """Braat 2017 hepatotoxicity grade (0-5) with its text and the findings that decided it."""

    grade: int
    text: str
    reasons: tuple[str, ...]


def _grades(mapping: Mapping[str, Any] | None, field: str) -> dict[str, int]:
    if mapping is None or not isinstance(mapping, Mapping):
        raise InputError(field, mapping, "a mapping CTCAE term key -> grade 0-5")
    out: dict[str, int] = {}
    for key, value in mapping.items():
        if key not in BRAAT_LIVER_TERMS:
            raise InputError(field, key, "term keys: " + ", ".join(BRAAT_LIVER_TERMS))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise InputError(f"{field}[{key}]", value, "an integer grade 0-5")
        out[key] = value
    return out


def braat_hepatotoxicity_grade(
    *,
    baseline_grades: Mapping[str, int],
    worst_grades: Mapping[str, int],
    reild: bool,
    reild_treatment: Literal["none", "noninvasive", "invasive"] = "none",
    fatal: bool = False,
    medical_intervention: bool = False,
) -> BraatGrade:
    """Braat 2017 hepatotoxicity grade after radioembolization.

    ``baseline_grades`` / ``worst_grades``: CTCAE v5.0 grades of the liver laboratory terms
    (:data:`BRAAT_LIVER_TERMS`) at baseline and the worst after treatment; a term absent from
    ``worst_grades`` is taken as unchanged. ``reild``: REILD diagnosed (e.g.
    :func:`classify_reild` met). ``reild_treatment``: the most invasive REILD treatment.
    ``fatal``: death from REILD. ``medical_intervention``: treatment given for liver toxicity
    without REILD, which the Braat scale does not grade (raises :class:`InputError`).
    """
    base = _grades(baseline_grades, "baseline_grades")
    worst = _grades(worst_grades, "worst_grades")
    for name, flag in (
        ("reild", reild),
        ("fatal", fatal),
        ("medical_intervention", medical_intervention),
    ):
        if not isinstance(flag, bool):
            raise InputError(name, flag, "True or False")
    if reild_treatment not in ("none", "noninvasive", "invasive"):
        raise InputError("reild_treatment", reild_treatment, "'none', 'noninvasive' or 'invasive'")
    if (fatal or reild_treatment != "none") and not reild:
        raise InputError("reild", reild, "True when a REILD treatment or a fatal REILD is recorded")
    if reild:
        if fatal:
            return BraatGrade(5, BRAAT_GRADE_TEXT[5], ("fatal REILD",))
        if reild_treatment == "invasive":
            return BraatGrade(4, BRAAT_GRADE_TEXT[4], ("REILD, invasive treatment",))
        return BraatGrade(
            3, BRAAT_GRADE_TEXT[3], (f"REILD, treatment: {reild_treatment} (non-invasive)",)
        )
    worsened = {
        term: (base.get(term, 0), grade)
        for term, grade in worst.items()
        if grade > base.get(term, 0)
    }
    if not worsened:
        if medical_intervention:
            raise InputError(
                "medical_intervention", True, "False when no CTCAE grade worsened and no REILD"
            )
        return BraatGrade(0, BRAAT_GRADE_TEXT[0], ("no CTCAE grade change over baseline",))
    changes = tuple(f"{t}: grade {b} -> {w}" for t, (b, w) in sorted(worsened.items()))
    if medical_intervention:
        raise InputError(
            "medical_intervention",
            True,
            "False: liver toxicity needing intervention without REILD is not a Braat grade",
        )
    if set(worsened) <= _ENZYMES and all(w <= 1 for _, w in worsened.values()):
        return BraatGrade(1, BRAAT_GRADE_TEXT[1], changes)
    return BraatGrade(2, BRAAT_GRADE_TEXT[2], changes)
