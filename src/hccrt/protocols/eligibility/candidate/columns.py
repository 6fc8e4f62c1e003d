"""The flat screening table's vocabulary: every input column, its type and meaning."""

from __future__ import annotations

import math

from hccrt.protocols.eligibility.facts import FACTS, LAB_ANALYTES
from hccrt.units import CANONICAL_UNIT

NEVER = -math.inf  # a dated event that never happened: infinitely long ago
#: Plain facts read straight from a column of the same name (everything not derived, not lab).
PLAIN_FACTS: tuple[str, ...] = tuple(
    n for n, s in FACTS.items() if s.kind != "lab" and not s.is_derived
)
_EXTRA_INPUTS: dict[str, str] = {
    "candidate_id": "text",
    "screening_date": "date",
    "treatment_start_date": "date",
    "birth_date": "date",
    "age": "number",
    "consent_date": "date",
    "segments": "segments",
    "maa_lsf": "number",
    "maa_tnr": "number",
    "tumour_volume_ml": "number",
    "treated_nontumoral_volume_ml": "number",
    "nontumoral_liver_volume_ml": "number",
    "lung_mass_kg": "number",
}
_BOUNDS: dict[str, tuple[float, float, str]] = {
    "age": (0, 120, "years"),
    "maa_lsf": (0, 0.999, "(a fraction)"),
    "maa_tnr": (0.01, 1000, ""),
    "tumour_volume_ml": (0.01, 20000, "mL"),
    "treated_nontumoral_volume_ml": (0, 20000, "mL"),
    "nontumoral_liver_volume_ml": (0.01, 20000, "mL"),
    "lung_mass_kg": (0.1, 5, "kg"),
}
_LAB_SUFFIXES = ("", "_unit", "_date", "_uln")
#: Every column a flat screening table may have (attestation columns come in addition).
INPUT_COLUMNS: tuple[str, ...] = (
    *_EXTRA_INPUTS,
    *(f"{a}{s}" for a in LAB_ANALYTES for s in _LAB_SUFFIXES),
    *(n for n in PLAIN_FACTS if n not in _EXTRA_INPUTS),
)


def input_columns() -> list[tuple[str, str, str]]:
    """(column, type, meaning) of every flat input column, for users preparing a file."""
    extra = {
        "candidate_id": ("text", "identifier, one row per candidate"),
        "screening_date": ("date", "date of the screening assessment (reference of windows)"),
        "treatment_start_date": ("date", "planned start of study treatment (optional)"),
        "birth_date": ("date", "date of birth (age in completed years is derived)"),
        "age": ("number", "age in completed years at screening, if no birth date"),
        "consent_date": ("date", "date written consent was signed"),
        "segments": ("text", "Couinaud segments involved, e.g. 5,6,7"),
        "maa_lsf": ("number", "lung shunt fraction on 99mTc-MAA (0-1)"),
        "maa_tnr": ("number", "tumour-to-normal liver uptake ratio on 99mTc-MAA"),
        "tumour_volume_ml": ("number", "tumour volume, mL"),
        "treated_nontumoral_volume_ml": ("number", "non-tumorous liver in the treated "
                                         "(perfused) volume, mL"),
        "nontumoral_liver_volume_ml": ("number", "total non-tumorous liver volume, mL"),
        "lung_mass_kg": ("number", "lung mass, kg (default 1 kg, label convention)"),
    }
    rows: list[tuple[str, str, str]] = [(k, *v) for k, v in extra.items()]
    for a in LAB_ANALYTES:
        label = FACTS[a].label
        unit = "no unit" if CANONICAL_UNIT[a] == "1" else f"e.g. {CANONICAL_UNIT[a]}"
        rows += [(a, "number", f"{label} (or '1.2 mg/dL' with its unit)"),
                 (f"{a}_unit", "unit", f"unit of {label} ({unit})"),
                 (f"{a}_date", "date", f"date of the {label} result"),
                 (f"{a}_uln", "number", f"site upper limit of normal of {label}, same unit")]
    lab_columns = {f"{a}{suffix}" for a in LAB_ANALYTES for suffix in _LAB_SUFFIXES}
    for name in INPUT_COLUMNS:
        if name in extra or name in lab_columns:
            continue
        spec = FACTS[name]
        kind = spec.kind + (f" ({' / '.join(spec.choices)})" if spec.choices else "")
        kind += f", {spec.unit}" if spec.unit else ""
        rows.append((name, "yes/no" if spec.kind == "bool" else kind, spec.label))
    return rows
