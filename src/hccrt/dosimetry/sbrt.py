"""SBRT for HCC: BED / EQD2, prescription checks and organ-at-risk constraints as data.

Linear-quadratic model (Fowler JF, Br J Radiol 1989;62:679; Withers HR et al. 1983 for
EQD2), n fractions of d Gy (total D = n d), alpha/beta in Gy::

    BED  = D (1 + d / (alpha/beta))
    EQDX = D (d + alpha/beta) / (X + alpha/beta)       EQD2 = BED / (1 + 2 / (alpha/beta))

alpha/beta defaults (:class:`AlphaBeta`): HCC tumour 10 Gy (the convention of liver SBRT
reports, e.g. Gkika 2017, Radiat Oncol 12:116); normal liver 2.5 Gy (QUANTEC liver, Pan CC
et al., IJROBP 2010;76:S94, Lyman-model fits; 2-3 Gy in use) [lit: from the reference note,
not checked against the paper]; other late-responding organs 3 Gy. All are configuration
recorded with the evaluation.

Organ-at-risk constraints are data (:class:`OarConstraint`, :class:`OarConstraintSet`) so
that a protocol file names its own table. :data:`TG101_5FX` holds the 5-fraction limits of
AAPM TG-101 (Benedict SH et al., Med Phys 2010;37:4078, Table III) for the organs near the
liver, as transcribed in the reference note ``dosimetry.md`` section 3.2 (not checked
against the printed table; liver 700 cc uses TG-101's 21 Gy). The chest-wall limit
V30Gy < 30 cc is from Dunlap NE et al., IJROBP 2010;76:796 (3-5 fractions) [not checked
against the paper]. The normal-liver (liver minus GTV) mean-dose limits of QUANTEC (Pan 2010)
are tabulated only for 3 and 6 fractions (:data:`QUANTEC_LIVER_MEAN`); a 5-fraction value
must come from the protocol, or be derived explicitly with :func:`convert_constraint`
(LQ iso-effect; the result says it is derived).

DVH points are reported per structure under keys: ``Dmax``, ``Dmean`` (Gy); ``D<v>cc`` (Gy
to the hottest v cc); ``D<p>%`` (Gy to the hottest p %); ``V<d>Gy`` (cc receiving >= d Gy);
``V<d>Gy%`` (% receiving >= d Gy); ``CV<d>Gy`` (critical volume: cc receiving < d Gy), and
``volume_cc`` (the structure's volume; with ``V<d>Gy`` it gives ``CV<d>Gy``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from hccrt.dosimetry._validate import (
    FloatOrArray,
    StrictModel,
    broadcast,
    out,
    quiet,
    real,
    scalar,
)
from hccrt.dosimetry.checks import CheckResult, Window
from hccrt.errors import InputError

__all__ = [
    "QUANTEC_LIVER_CRITICAL_VOLUME_5FX",
    "QUANTEC_LIVER_MEAN",
    "TG101_5FX",
    "AlphaBeta",
    "OarConstraint",
    "OarConstraintSet",
    "SbrtPrescriptionLimits",
    "bed_gy",
    "check_sbrt_prescription",
    "convert_constraint",
    "cumulative_eqd2_gy",
    "eqd2_gy",
    "eqdx_gy",
    "evaluate_oar_constraints",
]


def _fractions(n: Any) -> np.ndarray:
    arr = real(n, "fractions", ge=1.0, allowed="a whole number of fractions >= 1")
    if np.any(arr != np.round(arr)):
        raise InputError("fractions", n, "a whole number of fractions >= 1")
    return arr


@quiet
def bed_gy(total_dose_gy: Any, fractions: Any, alpha_beta_gy: Any) -> FloatOrArray:
    """Biologically effective dose: BED = D (1 + (D/n) / (alpha/beta))."""
    d = real(total_dose_gy, "total_dose_gy", ge=0.0)
    n = _fractions(fractions)
    ab = real(alpha_beta_gy, "alpha_beta_gy", gt=0.0)
    broadcast({"total_dose_gy": d, "fractions": n, "alpha_beta_gy": ab})
    return out(d * (1.0 + d / n / ab), total_dose_gy, fractions, alpha_beta_gy)


@quiet
def eqdx_gy(total_dose_gy: Any, fractions: Any, alpha_beta_gy: Any,
            reference_dose_per_fraction_gy: Any = 2.0) -> FloatOrArray:
    """Equivalent dose in X-Gy fractions: EQDX = D (d + alpha/beta) / (X + alpha/beta)."""
    d = real(total_dose_gy, "total_dose_gy", ge=0.0)
    n = _fractions(fractions)
    ab = real(alpha_beta_gy, "alpha_beta_gy", gt=0.0)
    x = real(reference_dose_per_fraction_gy, "reference_dose_per_fraction_gy", gt=0.0)
    broadcast({"total_dose_gy": d, "fractions": n, "alpha_beta_gy": ab,
               "reference_dose_per_fraction_gy": x})
    return out(d * (d / n + ab) / (x + ab), total_dose_gy, fractions, alpha_beta_gy,
               reference_dose_per_fraction_gy)


def eqd2_gy(total_dose_gy: Any, fractions: Any, alpha_beta_gy: Any) -> FloatOrArray:
    """Equivalent dose in 2-Gy fractions: EQD2 = BED / (1 + 2 / (alpha/beta))."""
    return eqdx_gy(total_dose_gy, fractions, alpha_beta_gy, 2.0)


def cumulative_eqd2_gy(courses: Sequence[tuple[float, int]], alpha_beta_gy: float) -> float:
    """Sum of the EQD2 of staged or sequential courses ``[(total_dose_gy, fractions), ...]``.

    Courses are summed in EQD2 without repair between courses (the conservative convention
    of re-irradiation summation; e.g. Sahgal A et al., IJROBP 2021;110:124 use cumulative
    EQD2 for re-irradiation limits). For an organ point, give that point's dose per course.
    """
    if isinstance(courses, str | bytes) or not isinstance(courses, Sequence) or not courses:
        raise InputError("courses", courses, "a non-empty list of (total_dose_gy, fractions)")
    total = 0.0
    for i, c in enumerate(courses):
        if not isinstance(c, Sequence) or len(c) != 2:
            raise InputError(f"courses[{i}]", c, "a pair (total_dose_gy, fractions)")
        total += float(eqd2_gy(c[0], c[1], alpha_beta_gy))
    return total


class AlphaBeta(StrictModel):
    """alpha/beta ratios (Gy) used by an SBRT evaluation (module docstring for sources)."""

    tumour_gy: float = Field(default=10.0, gt=0.0)
    normal_liver_gy: float = Field(default=2.5, gt=0.0)
    late_organs_gy: float = Field(default=3.0, gt=0.0)


class SbrtPrescriptionLimits(StrictModel):
    """A protocol's SBRT prescription rules (e.g. sbrt-bclcc: 25-40 Gy, 5 fx, 5-8 Gy/fx)."""

    total_dose_gy: Window
    fractions: tuple[int, ...] = Field(min_length=1)
    dose_per_fraction_gy: Window
    source: str = ""


def check_sbrt_prescription(
    total_dose_gy: float, fractions: int, limits: SbrtPrescriptionLimits,
    alpha_beta: AlphaBeta | None = None,
) -> list[CheckResult]:
    """Check a prescription against a protocol; report BED10 and EQD2 of the tumour too."""
    d = scalar(total_dose_gy, "total_dose_gy", gt=0.0)
    n = int(_fractions(fractions))
    ab = alpha_beta or AlphaBeta()
    per = d / n
    src = limits.source
    tw, fw = limits.total_dose_gy, limits.dose_per_fraction_gy
    bed = float(bed_gy(d, n, ab.tumour_gy))
    eqd2 = float(eqd2_gy(d, n, ab.tumour_gy))
    bio = f" (BED{ab.tumour_gy:g} {bed:.1f} Gy, EQD2 {eqd2:.1f} Gy)"

    def res(rule: str, ok: bool, value: float, limit: str, unit: str, msg: str) -> CheckResult:
        return CheckResult(rule=rule, status="pass" if ok else "fail", value=value, limit=limit,
                           unit=unit, message=msg, source=src)

    return [
        res("sbrt_total_dose", tw.low <= d <= tw.high, d, f"{tw.low:g}-{tw.high:g}", "Gy",
            f"total dose {d:g} Gy" + bio),
        res("sbrt_fractions", n in limits.fractions, float(n),
            " or ".join(str(f) for f in limits.fractions), "fractions", f"{n} fractions"),
        res("sbrt_dose_per_fraction", fw.low <= per <= fw.high, per, f"{fw.low:g}-{fw.high:g}",
            "Gy", f"{per:g} Gy per fraction"),
    ]


_KEY = re.compile(
    r"^(?:(?P<dmax>Dmax)|(?P<dmean>Dmean)|D(?P<dcc>\d+(?:\.\d+)?)cc|D(?P<dpct>\d+(?:\.\d+)?)%"
    r"|V(?P<vcc>\d+(?:\.\d+)?)Gy|V(?P<vpct>\d+(?:\.\d+)?)Gy%|CV(?P<cv>\d+(?:\.\d+)?)Gy)$"
)


def _unit(key: str) -> str:
    m = _KEY.match(key)
    if m is None:
        raise ValueError(
            "a DVH key: Dmax, Dmean, D<v>cc, D<p>%, V<d>Gy, V<d>Gy%, CV<d>Gy (e.g. D5cc, CV21Gy)")
    if m["vcc"] or m["cv"]:
        return "cc"
    if m["vpct"]:
        return "%"
    return "Gy"


class OarConstraint(StrictModel):
    """One organ-at-risk limit: ``key`` (see module docstring) must stay below (``max``) or
    above (``min``, critical-volume rules) ``limit``, for a number of fractions."""

    structure: str
    key: str
    limit: float = Field(ge=0.0)
    bound: Literal["max", "min"] = "max"
    inclusive: bool = False
    fractions: int = Field(ge=1)
    source: str
    severity: Literal["fail", "warning"] = "fail"

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        _unit(v)
        return v

    @property
    def unit(self) -> str:
        return _unit(self.key)


class OarConstraintSet(StrictModel):
    """A named table of constraints for one fractionation."""

    name: str
    constraints: tuple[OarConstraint, ...]


def _tg(structure: str, key: str, limit: float, bound: str = "max",
        source: str = "AAPM TG-101 (Benedict 2010) Table III, 5 fractions") -> OarConstraint:
    return OarConstraint(structure=structure, key=key, limit=limit, bound=bound,  # type: ignore[arg-type]
                         inclusive=bound == "min", fractions=5, source=source)


#: AAPM TG-101 5-fraction limits for organs near the liver (see module docstring).
TG101_5FX = OarConstraintSet(name="AAPM TG-101, 5 fractions", constraints=(
    _tg("liver_minus_gtv", "CV21Gy", 700.0, "min"),
    _tg("spinal_cord", "D0.35cc", 23.0), _tg("spinal_cord", "D1.2cc", 14.5),
    _tg("spinal_cord", "Dmax", 30.0),
    _tg("esophagus", "D5cc", 19.5), _tg("esophagus", "Dmax", 35.0),
    _tg("stomach", "D10cc", 18.0), _tg("stomach", "Dmax", 32.0),
    _tg("duodenum", "D5cc", 18.0), _tg("duodenum", "D10cc", 12.5),
    _tg("duodenum", "Dmax", 32.0),
    _tg("bowel", "D5cc", 19.5), _tg("bowel", "Dmax", 35.0),
    _tg("colon", "D20cc", 25.0), _tg("colon", "Dmax", 38.0),
    _tg("kidneys_cortex", "CV17.5Gy", 200.0, "min"),
    _tg("heart", "D15cc", 32.0), _tg("heart", "Dmax", 38.0),
    _tg("skin", "D10cc", 36.5), _tg("skin", "Dmax", 39.5),
    _tg("chest_wall", "V30Gy", 30.0,
        source="Dunlap NE et al., IJROBP 2010;76:796 (3-5 fractions) [not checked]"),
))

#: QUANTEC (Pan 2010, after Schefter 2005) critical-volume rule for 3-5 fractions: at least
#: 700 cc of normal liver below 15 Gy, here for 5 fractions [lit].
QUANTEC_LIVER_CRITICAL_VOLUME_5FX = OarConstraint(
    structure="liver_minus_gtv", key="CV15Gy", limit=700.0, bound="min", inclusive=True,
    fractions=5, source="QUANTEC, Pan CC et al., IJROBP 2010;76:S94 (Schefter 2005), 3-5 fx "
    "[not checked against the paper]")

#: QUANTEC (Pan 2010) normal-liver mean-dose limits for primary liver cancer, Child-Pugh A.
QUANTEC_LIVER_MEAN: tuple[OarConstraint, ...] = (
    OarConstraint(structure="liver_minus_gtv", key="Dmean", limit=13.0, fractions=3,
                  source="QUANTEC, Pan CC et al., IJROBP 2010;76:S94 (primary liver cancer)"),
    OarConstraint(structure="liver_minus_gtv", key="Dmean", limit=18.0, fractions=6,
                  source="QUANTEC, Pan CC et al., IJROBP 2010;76:S94 (primary liver cancer)"),
)


def convert_constraint(constraint: OarConstraint, fractions: int,
                       alpha_beta_gy: float) -> OarConstraint:
    """An iso-effective (LQ, equal BED) dose limit for another number of fractions.

    Solves n d (1 + d / ab) = BED of the original limit for d. Only dose limits (keys in
    Gy) can be converted; the result's ``source`` says it was derived. For a mean dose this
    treats the mean as a uniform dose, an approximation the source text records.
    """
    n = int(_fractions(fractions))
    ab = scalar(alpha_beta_gy, "alpha_beta_gy", gt=0.0)
    if constraint.unit != "Gy":
        raise InputError("constraint.key", constraint.key, "a dose key (Dmax, Dmean, D<v>cc)")
    bed = float(bed_gy(constraint.limit, constraint.fractions, ab))
    # n d^2 / ab + n d - bed = 0
    d = (-n + np.sqrt(n * n + 4.0 * n / ab * bed)) / (2.0 * n / ab)
    return constraint.model_copy(update={
        "limit": float(n * d), "fractions": n,
        "source": f"derived from {constraint.limit:g} Gy in {constraint.fractions} fx by LQ "
                  f"iso-effect (alpha/beta {ab:g} Gy"
                  + (", mean dose treated as uniform" if constraint.key == "Dmean" else "")
                  + f"); original: {constraint.source}",
    })


def _value(points: Mapping[str, float], key: str) -> tuple[float | None, str]:
    if key in points:
        return float(points[key]), "reported"
    m = _KEY.match(key)
    if m is not None and m["cv"] and "volume_cc" in points and f"V{m['cv']}Gy" in points:
        return float(points["volume_cc"]) - float(points[f"V{m['cv']}Gy"]), (
            f"volume_cc - V{m['cv']}Gy")
    return None, ""


def evaluate_oar_constraints(
    dvh: Mapping[str, Mapping[str, float]], constraints: OarConstraintSet | Sequence[
        OarConstraint], fractions: int,
) -> list[CheckResult]:
    """Evaluate a plan's reported DVH points against a constraint table.

    ``dvh`` maps structure -> {key: value}. A constraint whose structure or point is not
    reported is ``not_evaluated``; a constraint for another number of fractions is refused
    (convert it explicitly with :func:`convert_constraint`).
    """
    n = int(_fractions(fractions))
    items = constraints.constraints if isinstance(constraints, OarConstraintSet) else tuple(
        constraints)
    if not isinstance(dvh, Mapping):
        raise InputError("dvh", type(dvh).__name__, "a mapping structure -> {DVH key: value}")
    results: list[CheckResult] = []
    for c in items:
        if c.fractions != n:
            raise InputError(
                "fractions", n, f"{c.fractions} (the constraint {c.structure} {c.key} is for "
                f"{c.fractions} fractions)", "convert it with convert_constraint()")
        op = ("<=" if c.inclusive else "<") if c.bound == "max" else (
            ">=" if c.inclusive else ">")
        limit = f"{op} {c.limit:g}"
        rule = f"oar:{c.structure}:{c.key}"
        points = dvh.get(c.structure)
        v, how = _value(points, c.key) if isinstance(points, Mapping) else (None, "")
        if v is None:
            results.append(CheckResult(rule=rule, status="not_evaluated", value=None,
                                       limit=limit, unit=c.unit,
                                       message=f"{c.structure} {c.key} not reported",
                                       source=c.source))
            continue
        real(v, f"dvh.{c.structure}.{c.key}", ge=0.0)
        if c.bound == "max":
            ok = v <= c.limit if c.inclusive else v < c.limit
        else:
            ok = v >= c.limit if c.inclusive else v > c.limit
        results.append(CheckResult(
            rule=rule, status="pass" if ok else c.severity, value=v, limit=limit, unit=c.unit,
            message=f"{c.structure} {c.key} = {v:g} {c.unit} ({how}); limit {limit} {c.unit}",
            source=c.source))
    return results
