"""Staging and tumour burden: BCLC 2022, CNLC 2022, Milan, up-to-seven, Couinaud adjacency.

Tumour burden is given either as the list of nodule diameters (``nodules``, cm) or as the
number of nodules and the largest diameter (``n_nodules`` and ``largest_cm``); every rule
below depends only on those two numbers. Diameters must lie in (0, 30] cm.

Sources and explicit rules
--------------------------
- **BCLC 2022**: Reig M et al., J Hepatol 2022;76:681-93 (Figure 1). Decision order:
  1. ECOG PS >= 3, or end-stage liver function -> D;
  2. macrovascular invasion, extrahepatic spread, or PS 1-2 -> C;
  3. (PS 0, preserved liver function) single nodule <= 2 cm -> 0;
  4. single nodule of any size, or 2-3 nodules all <= 3 cm -> A;
  5. otherwise (multinodular beyond A) -> B.
  *Liver function* (explicit rule where the guideline is silent): Child-Pugh A counts as
  preserved and Child-Pugh C as end-stage. BCLC 2022 does not assign Child-Pugh B a stage by
  class alone (it asks for clinical judgement, ALBI and MELD), so for Child-Pugh B the caller
  must state ``liver_function="preserved"`` or ``"end-stage"``; without it an
  :class:`InputError` is raised rather than a guess. ``liver_function`` may also be given
  without a Child-Pugh class.
- **CNLC 2022**: China Liver Cancer Staging, Guidelines for the Diagnosis and Treatment of
  Primary Liver Cancer (2022 edition, National Health Commission of China; English version
  Zhou J et al., Liver Cancer 2023;12:405-44). Ia: single <= 5 cm; Ib: single > 5 cm, or
  2-3 nodules with largest <= 3 cm; IIa: 2-3 nodules with largest > 3 cm; IIb: >= 4
  nodules; IIIa: macrovascular tumour thrombus; IIIb: extrahepatic metastasis (any vascular
  invasion); all with PS 0-2 and Child-Pugh A/B. IV: PS 3-4 or Child-Pugh C, whatever the
  tumour.
- **Milan**: Mazzaferro V et al., NEJM 1996;334:693-9: single tumour <= 5 cm, or 2-3 tumours
  each <= 3 cm, no macrovascular invasion, no extrahepatic spread.
- **Up-to-seven**: Mazzaferro V et al., Lancet Oncol 2009;10:35-43: largest diameter (cm) +
  number of tumours <= 7, with no macrovascular invasion or extrahepatic spread.
- **Couinaud segments**: Couinaud C, Le foie: etudes anatomiques et chirurgicales, Masson
  1957; planes as in Bismuth H, World J Surg 1982;6:3-9. Segments share a face across the
  planes of the hepatic veins, the umbilical fissure and the portal (transverse) plane:

  ====  ==========================================================================
  seg   adjacent segments (face contact)
  ====  ==========================================================================
  1     2 (fissure of the ligamentum venosum), 4 (hilar plate, paracaval), 7, 8
        (paracaval portion against the right posterior and anterior sectors)
  2     1, 3 (left hepatic vein), 4 (umbilical fissure)
  3     2, 4 (umbilical fissure)
  4     1, 2, 3, 5, 8 (middle hepatic vein)
  5     4, 6 (right hepatic vein), 8 (portal plane)
  6     5, 7 (portal plane)
  7     1, 6, 8 (right hepatic vein)
  8     1, 4, 5, 7
  ====  ==========================================================================

  Segments meeting only along an edge or a point (5-7, 6-8) are not adjacent. Check: every
  named anatomical resection of the Brisbane 2000 terminology (Strasberg SM, HPB
  2000;2:333-9: sections, hemilivers, trisections, with or without segment 1) is contiguous
  in this graph. Segments 4a
  and 4b are accepted as ``"4a"``/``"4b"`` and treated as segment 4. A different graph may be
  passed as ``adjacency``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from hccrt.errors import InputError

__all__ = [
    "COUINAUD_ADJACENCY",
    "BclcResult",
    "CnlcResult",
    "UpToSevenResult",
    "bclc",
    "cnlc",
    "couinaud_contiguous",
    "milan",
    "parse_child_pugh_class",
    "parse_segments",
    "tumour_burden",
    "up_to_seven",
]

_MAX_CM = 30.0

COUINAUD_ADJACENCY: Mapping[int, frozenset[int]] = {
    1: frozenset({2, 4, 7, 8}),
    2: frozenset({1, 3, 4}),
    3: frozenset({2, 4}),
    4: frozenset({1, 2, 3, 5, 8}),
    5: frozenset({4, 6, 8}),
    6: frozenset({5, 7}),
    7: frozenset({1, 6, 8}),
    8: frozenset({1, 4, 5, 7}),
}


def _bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InputError(field, value, "True or False")


def _ecog(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= 4:
        raise InputError("ecog", value, "an integer from 0 to 4")
    return int(value)


def _child_pugh_class(value: object, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if isinstance(value, str) and value.strip().upper() in ("A", "B", "C"):
        return value.strip().upper()
    raise InputError("child_pugh_class", value, "'A', 'B' or 'C'")


def parse_child_pugh_class(value: object) -> str:
    """Normalise a Child-Pugh class ``"A"``, ``"B"`` or ``"C"`` (any case)."""
    cls = _child_pugh_class(value)
    assert cls is not None
    return cls


def tumour_burden(
    nodules: Sequence[float] | None = None,
    *,
    n_nodules: int | None = None,
    largest_cm: float | None = None,
) -> tuple[int, float]:
    """Return ``(number of nodules, largest diameter in cm)`` from either form of input."""
    if nodules is not None:
        if n_nodules is not None or largest_cm is not None:
            raise InputError(
                "nodules", nodules, "either nodules or n_nodules with largest_cm, not both"
            )
        if type(nodules) is not list and (
            isinstance(nodules, str | bytes) or not isinstance(nodules, Iterable)
        ):
            raise InputError("nodules", nodules, "a list of diameters in cm")
        sizes = list(nodules)
        if not sizes:
            raise InputError("nodules", nodules, "at least one diameter in cm")
        return len(sizes), max(_diameter(size, "nodules") for size in sizes)
    if n_nodules is None or largest_cm is None:
        raise InputError("nodules", None, "a list of diameters, or both n_nodules and largest_cm")
    if (
        isinstance(n_nodules, bool)
        or not isinstance(n_nodules, numbers.Integral)
        or not 1 <= n_nodules <= 100
    ):
        raise InputError("n_nodules", n_nodules, "an integer from 1 to 100")
    return int(n_nodules), _diameter(largest_cm, "largest_cm")


def _diameter(value: object, field: str) -> float:
    if type(value) is not float and (
        isinstance(value, bool) or not isinstance(value, numbers.Real)
    ):
        raise InputError(field, value, f"diameters in cm, greater than 0 and at most {_MAX_CM:g}")
    x = float(value)
    if not (math.isfinite(x) and 0 < x <= _MAX_CM):
        raise InputError(field, value, f"diameters in cm, greater than 0 and at most {_MAX_CM:g}")
    return x


# --- BCLC -----------------------------------------------------------------------------------

LiverFunction = Literal["preserved", "end-stage"]


@dataclass(frozen=True)
class BclcResult:
    """BCLC stage (``"0"``, ``"A"``, ``"B"``, ``"C"``, ``"D"``) and the rule that decided it."""

    stage: str
    reason: str


def bclc(
    nodules: Sequence[float] | None = None,
    *,
    n_nodules: int | None = None,
    largest_cm: float | None = None,
    ecog: int,
    child_pugh_class: str | None = None,
    liver_function: LiverFunction | None = None,
    macrovascular_invasion: bool = False,
    extrahepatic_spread: bool = False,
) -> BclcResult:
    """BCLC 2022 stage (Reig 2022); see the module docstring for the rule order and Child-Pugh B.

    Args:
        nodules / n_nodules, largest_cm: tumour burden (see :func:`tumour_burden`).
        ecog: ECOG performance status 0-4.
        child_pugh_class: ``"A"``, ``"B"`` or ``"C"`` (optional if ``liver_function`` given).
        liver_function: ``"preserved"`` or ``"end-stage"``; required for Child-Pugh B. With
            Child-Pugh A an explicit ``"end-stage"`` is honoured as the clinician's judgement;
            Child-Pugh C with ``"preserved"`` is a contradiction and raises InputError.
        macrovascular_invasion: portal or hepatic vein tumour invasion (macroscopic).
        extrahepatic_spread: extrahepatic metastasis, including nodes.
    """
    n, largest = tumour_burden(nodules, n_nodules=n_nodules, largest_cm=largest_cm)
    ps = _ecog(ecog)
    cp = _child_pugh_class(child_pugh_class, required=False)
    mvi = _bool(macrovascular_invasion, "macrovascular_invasion")
    ehs = _bool(extrahepatic_spread, "extrahepatic_spread")
    if liver_function is not None and liver_function not in ("preserved", "end-stage"):
        raise InputError("liver_function", liver_function, "'preserved' or 'end-stage'")
    if cp == "C" and liver_function == "preserved":
        raise InputError(
            "liver_function", liver_function, "'end-stage' (or omitted) for Child-Pugh C"
        )
    if liver_function is None:
        if cp is None:
            raise InputError(
                "child_pugh_class", None, "'A', 'B' or 'C', or liver_function given explicitly"
            )
        if cp == "B":
            raise InputError(
                "liver_function",
                None,
                "'preserved' or 'end-stage' when Child-Pugh class is B",
                "BCLC 2022 does not stage Child-Pugh B by class alone; a clinician decides",
            )
        liver_function = "preserved" if cp == "A" else "end-stage"
    if ps >= 3:
        return BclcResult("D", f"ECOG PS {ps} (> 2)")
    if liver_function == "end-stage":
        return BclcResult("D", "end-stage liver function" + (f" (Child-Pugh {cp})" if cp else ""))
    if mvi or ehs or ps in (1, 2):
        why = [
            text
            for flag, text in (
                (mvi, "macrovascular invasion"),
                (ehs, "extrahepatic spread"),
                (ps in (1, 2), f"ECOG PS {ps}"),
            )
            if flag
        ]
        return BclcResult("C", ", ".join(why))
    if n == 1 and largest <= 2.0:
        return BclcResult("0", "single nodule <= 2 cm, PS 0, preserved liver function")
    if n == 1:
        return BclcResult("A", "single nodule > 2 cm, PS 0, preserved liver function")
    if n <= 3 and largest <= 3.0:
        return BclcResult("A", f"{n} nodules all <= 3 cm, PS 0, preserved liver function")
    return BclcResult("B", f"multinodular beyond A ({n} nodules, largest {largest:g} cm)")


# --- CNLC -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CnlcResult:
    """CNLC 2022 stage (``"Ia"`` .. ``"IV"``) and the rule that decided it."""

    stage: str
    reason: str


def cnlc(
    nodules: Sequence[float] | None = None,
    *,
    n_nodules: int | None = None,
    largest_cm: float | None = None,
    ecog: int,
    child_pugh_class: str,
    macrovascular_invasion: bool = False,
    extrahepatic_spread: bool = False,
) -> CnlcResult:
    """China Liver Cancer Staging (CNLC) 2022 stage; see the module docstring."""
    n, largest = tumour_burden(nodules, n_nodules=n_nodules, largest_cm=largest_cm)
    ps = _ecog(ecog)
    cp = _child_pugh_class(child_pugh_class)
    mvi = _bool(macrovascular_invasion, "macrovascular_invasion")
    ehs = _bool(extrahepatic_spread, "extrahepatic_spread")
    if ps >= 3:
        return CnlcResult("IV", f"ECOG PS {ps} (3-4)")
    if cp == "C":
        return CnlcResult("IV", "Child-Pugh C")
    if ehs:
        return CnlcResult("IIIb", "extrahepatic metastasis")
    if mvi:
        return CnlcResult("IIIa", "macrovascular tumour thrombus")
    if n == 1:
        if largest <= 5.0:
            return CnlcResult("Ia", "single tumour <= 5 cm")
        return CnlcResult("Ib", "single tumour > 5 cm")
    if n <= 3:
        if largest <= 3.0:
            return CnlcResult("Ib", f"{n} tumours, largest <= 3 cm")
        return CnlcResult("IIa", f"{n} tumours, largest > 3 cm")
    return CnlcResult("IIb", f"{n} tumours (>= 4)")


# --- Milan and up-to-seven ------------------------------------------------------------------


def milan(
    nodules: Sequence[float] | None = None,
    *,
    n_nodules: int | None = None,
    largest_cm: float | None = None,
    macrovascular_invasion: bool = False,
    extrahepatic_spread: bool = False,
) -> bool:
    """True when within the Milan criteria (Mazzaferro 1996)."""
    n, largest = tumour_burden(nodules, n_nodules=n_nodules, largest_cm=largest_cm)
    mvi = _bool(macrovascular_invasion, "macrovascular_invasion")
    ehs = _bool(extrahepatic_spread, "extrahepatic_spread")
    if mvi or ehs:
        return False
    if n == 1:
        return largest <= 5.0
    return n <= 3 and largest <= 3.0


@dataclass(frozen=True)
class UpToSevenResult:
    """Largest diameter (cm) + number of tumours, and whether within up-to-seven."""

    total: float
    within: bool


def up_to_seven(
    nodules: Sequence[float] | None = None,
    *,
    n_nodules: int | None = None,
    largest_cm: float | None = None,
    macrovascular_invasion: bool = False,
    extrahepatic_spread: bool = False,
) -> UpToSevenResult:
    """Up-to-seven criterion (Mazzaferro 2009): largest (cm) + number <= 7, no MVI/EHS."""
    n, largest = tumour_burden(nodules, n_nodules=n_nodules, largest_cm=largest_cm)
    mvi = _bool(macrovascular_invasion, "macrovascular_invasion")
    ehs = _bool(extrahepatic_spread, "extrahepatic_spread")
    total = round(largest + n, 9)
    return UpToSevenResult(total, total <= 7 and not mvi and not ehs)


# --- Couinaud -------------------------------------------------------------------------------


_ARABIC = {str(i): i for i in range(1, 9)}  # ASCII digits only (not '¹' or other numerals)


def parse_segments(segments: Iterable[object] | str, field: str = "segments") -> frozenset[int]:
    """Normalise segments given as ints, strings (``"4a"``), Roman numerals or ``"2,3,4"``."""
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}
    if isinstance(segments, str):
        items: list[object] = [s for s in segments.replace(";", ",").split(",") if s.strip()]
    elif isinstance(segments, Iterable):
        items = list(segments)
    else:
        raise InputError(field, segments, "Couinaud segments 1-8 (4a/4b count as 4)")
    out: set[int] = set()
    for item in items:
        seg: int | None = None
        if isinstance(item, int) and not isinstance(item, bool):
            seg = item
        elif isinstance(item, str):
            key = item.strip().upper()
            for prefix in ("SEGMENT", "SEG", "S"):
                if key.startswith(prefix):
                    key = key.removeprefix(prefix).strip()
                    break
            if key in ("4A", "4B", "IVA", "IVB"):
                seg = 4
            elif key in _ARABIC:
                seg = _ARABIC[key]
            elif key in roman:
                seg = roman[key]
        if seg is None or not 1 <= seg <= 8:
            raise InputError(field, item, "Couinaud segments 1-8 (4a/4b count as 4)")
        out.add(seg)
    if not out:
        raise InputError(field, segments, "at least one Couinaud segment 1-8")
    return frozenset(out)


def couinaud_contiguous(
    segments: Iterable[object] | str,
    adjacency: Mapping[int, Iterable[int]] = COUINAUD_ADJACENCY,
) -> bool:
    """True when the given segments form one connected region of the adjacency graph."""
    segs = parse_segments(segments)
    start = next(iter(segs))
    seen = {start}
    stack = [start]
    while stack:
        current = stack.pop()
        for neighbour in adjacency.get(current, ()):
            if neighbour in segs and neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return seen == segs
