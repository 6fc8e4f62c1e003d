"""HAIC FOLFOX dosing by body surface area, with capping, rounding, reductions and schedule.

Doses are mg/m2 x BSA (m2). BSA comes from :func:`hccrt.clinical.body.bsa` (Mosteller 1987
default, DuBois 1916) or is given in m2.

- Capping: ASCO (Griggs JJ et al., JCO 2012;30:1553; update JCO 2021;39:2037) recommends full
  weight-based doses with actual body weight, without capping BSA at 2.0 m2. The regimen's
  ``bsa_cap_m2`` is therefore None by default; a protocol that caps sets it, and the capped
  and uncapped doses are both recorded.
- Rounding: HOPA position statement (Fahrenbruch R et al., J Oncol Pract 2018;14:e130):
  rounding within 10 % of the ordered dose is acceptable; increments are local policy. The
  result keeps the calculated dose, the rounded dose and the deviation, and flags deviations
  beyond the tolerance.
- Regimens are data (:class:`HaicRegimen`). :data:`FOLFOX_HAIC_SIRT_HAIC` holds the sirt-haic
  registration (NCT07070076): oxaliplatin 135 mg/m2 over 3 h, leucovorin 400 mg/m2 over
  1.5 h, 5-FU 400 mg/m2 over 2 h then 2400 mg/m2 over 46 h, every 3-4 weeks, 2 or 4 cycles;
  the protocol file is authoritative. :data:`MFOLFOX_HAIC_HE_2017` is the mFOLFOX-HAIC of He
  MK et al., Chin J Cancer 2017 (oxaliplatin 85 mg/m2, every 3 weeks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import Field, model_validator

from hccrt.clinical.body import bsa as body_surface_area
from hccrt.dosimetry._validate import StrictModel, scalar
from hccrt.dosimetry.checks import CheckResult
from hccrt.errors import InputError

__all__ = [
    "FOLFOX_HAIC_SIRT_HAIC",
    "MFOLFOX_HAIC_HE_2017",
    "DoseModification",
    "DrugDose",
    "DrugOrder",
    "HaicCycleDoses",
    "HaicRegimen",
    "check_haic_schedule",
    "check_weight_change",
    "haic_cycle_dates",
    "haic_doses",
]


class DrugDose(StrictModel):
    """One administration of a regimen: ``label`` is unique (e.g. "5-FU bolus")."""

    label: str
    drug: str
    dose_mg_per_m2: float = Field(gt=0.0)
    infusion_h: float = Field(gt=0.0)
    route: str = "hepatic arterial infusion"
    rounding_increment_mg: float | None = Field(default=None, gt=0.0)


class HaicRegimen(StrictModel):
    """A HAIC regimen as a protocol states it."""

    name: str
    drugs: tuple[DrugDose, ...] = Field(min_length=1)
    cycle_interval_days_min: int = Field(gt=0)
    cycle_interval_days_max: int = Field(gt=0)
    cycles_allowed: tuple[int, ...] = Field(min_length=1)
    bsa_cap_m2: float | None = Field(default=None, gt=0.0)
    rounding_tolerance_pct: float = Field(default=10.0, ge=0.0, le=100.0)
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> HaicRegimen:
        labels = [d.label for d in self.drugs]
        if len(set(labels)) != len(labels):
            raise ValueError("drugs: unique drug labels")
        if self.cycle_interval_days_min > self.cycle_interval_days_max:
            raise ValueError("cycle_interval_days_min: at most cycle_interval_days_max")
        return self


FOLFOX_HAIC_SIRT_HAIC = HaicRegimen(
    name="FOLFOX-HAIC (sirt-haic)",
    drugs=(
        DrugDose(label="oxaliplatin", drug="oxaliplatin", dose_mg_per_m2=135, infusion_h=3),
        DrugDose(label="leucovorin", drug="leucovorin", dose_mg_per_m2=400, infusion_h=1.5),
        DrugDose(label="5-FU bolus", drug="fluorouracil", dose_mg_per_m2=400, infusion_h=2),
        DrugDose(label="5-FU infusion", drug="fluorouracil", dose_mg_per_m2=2400,
                 infusion_h=46),
    ),
    cycle_interval_days_min=21, cycle_interval_days_max=28, cycles_allowed=(2, 4),
    source="sirt-haic registration NCT07070076 (shared/protocols.md); protocol file governs",
)

MFOLFOX_HAIC_HE_2017 = HaicRegimen(
    name="mFOLFOX-HAIC (He 2017)",
    drugs=(
        DrugDose(label="oxaliplatin", drug="oxaliplatin", dose_mg_per_m2=85, infusion_h=2),
        DrugDose(label="leucovorin", drug="leucovorin", dose_mg_per_m2=400, infusion_h=2),
        DrugDose(label="5-FU bolus", drug="fluorouracil", dose_mg_per_m2=400, infusion_h=0.25),
        DrugDose(label="5-FU infusion", drug="fluorouracil", dose_mg_per_m2=2400,
                 infusion_h=46),
    ),
    cycle_interval_days_min=21, cycle_interval_days_max=21, cycles_allowed=(1, 2, 3, 4, 5, 6),
    source="He MK et al., Chin J Cancer 2017 (infusion times other than 46 h are indicative)",
)


class DoseModification(StrictModel):
    """A documented dose reduction of one drug in one cycle."""

    cycle: int = Field(ge=1)
    label: str
    reduction_pct: float = Field(gt=0.0, le=100.0)
    reason: str = Field(min_length=3)


class DrugOrder(StrictModel):
    """The dose of one administration for one cycle."""

    label: str
    drug: str
    dose_mg_per_m2: float
    reduction_pct: float
    reduction_reason: str | None
    calculated_mg: float
    rounded_mg: float
    rounding_deviation_pct: float
    within_rounding_tolerance: bool
    infusion_h: float
    rate_mg_per_h: float
    route: str


class HaicCycleDoses(StrictModel):
    """All orders of one cycle with the BSA used."""

    regimen: str
    cycle: int
    bsa_m2: float
    bsa_uncapped_m2: float
    bsa_method: str
    capped: bool
    orders: tuple[DrugOrder, ...]


def haic_doses(
    regimen: HaicRegimen,
    *,
    cycle: int = 1,
    bsa_m2: float | None = None,
    height_cm: float | None = None,
    weight_kg: float | None = None,
    bsa_method: Literal["mosteller", "dubois"] = "mosteller",
    modifications: Sequence[DoseModification] = (),
) -> HaicCycleDoses:
    """Doses (mg) of one cycle: mg/m2 x BSA (capped if the regimen caps), minus documented
    reductions for this cycle, rounded to each drug's increment (nearest)."""
    if not isinstance(regimen, HaicRegimen):
        raise InputError("regimen", type(regimen).__name__, "a HaicRegimen")
    if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 1:
        raise InputError("cycle", cycle, "a cycle number >= 1")
    if bsa_m2 is not None:
        if height_cm is not None or weight_kg is not None:
            raise InputError("bsa_m2", bsa_m2, "either bsa_m2 or height_cm and weight_kg")
        bsa = scalar(bsa_m2, "bsa_m2", gt=0.3, le=4.0,
                     allowed="a body surface area in (0.3, 4] m2")
        method = "given"
    else:
        if height_cm is None or weight_kg is None:
            raise InputError("height_cm", height_cm, "height_cm and weight_kg (or bsa_m2)")
        bsa = body_surface_area(height_cm=height_cm, weight_kg=weight_kg, method=bsa_method)
        method = bsa_method
    used = min(bsa, regimen.bsa_cap_m2) if regimen.bsa_cap_m2 is not None else bsa
    labels = {d.label for d in regimen.drugs}
    reductions: dict[str, DoseModification] = {}
    for m in modifications:
        if not isinstance(m, DoseModification):
            raise InputError("modifications", m, "DoseModification records")
        if m.label not in labels:
            raise InputError("modifications.label", m.label, f"one of {sorted(labels)}")
        if m.cycle == cycle:
            if m.label in reductions:
                raise InputError("modifications", m.label, "one reduction per drug and cycle")
            reductions[m.label] = m
    orders = []
    for d in regimen.drugs:
        mod = reductions.get(d.label)
        pct = mod.reduction_pct if mod else 0.0
        calc = d.dose_mg_per_m2 * used * (1.0 - pct / 100.0)
        if d.rounding_increment_mg:
            rounded = round(calc / d.rounding_increment_mg) * d.rounding_increment_mg
        else:
            rounded = calc
        dev = (rounded - calc) / calc * 100.0 if calc > 0 else 0.0
        orders.append(DrugOrder(
            label=d.label, drug=d.drug, dose_mg_per_m2=d.dose_mg_per_m2, reduction_pct=pct,
            reduction_reason=mod.reason if mod else None, calculated_mg=calc,
            rounded_mg=rounded, rounding_deviation_pct=dev,
            within_rounding_tolerance=abs(dev) <= regimen.rounding_tolerance_pct,
            infusion_h=d.infusion_h, rate_mg_per_h=rounded / d.infusion_h, route=d.route,
        ))
    return HaicCycleDoses(regimen=regimen.name, cycle=cycle, bsa_m2=used, bsa_uncapped_m2=bsa,
                          bsa_method=method, capped=used < bsa, orders=tuple(orders))


def haic_cycle_dates(first: date, cycles: int, interval_days: int) -> tuple[date, ...]:
    """Planned cycle start dates every ``interval_days`` days."""
    if not isinstance(first, date):
        raise InputError("first", first, "a date")
    for name, v in (("cycles", cycles), ("interval_days", interval_days)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(name, v, "a whole number >= 1")
    return tuple(first + timedelta(days=interval_days * i) for i in range(cycles))


def check_haic_schedule(cycle_dates: Sequence[date], regimen: HaicRegimen,
                        complete: bool = True) -> list[CheckResult]:
    """Check intervals between cycles (e.g. 21-28 days) and, when ``complete``, the count."""
    if isinstance(cycle_dates, str | bytes) or not isinstance(cycle_dates, Sequence) or not (
        cycle_dates
    ) or not all(isinstance(d, date) for d in cycle_dates):
        raise InputError("cycle_dates", cycle_dates, "a non-empty list of dates")
    if list(cycle_dates) != sorted(cycle_dates):
        raise InputError("cycle_dates", [d.isoformat() for d in cycle_dates], "dates in order")
    lo, hi = regimen.cycle_interval_days_min, regimen.cycle_interval_days_max
    out = []
    for i in range(1, len(cycle_dates)):
        gap = (cycle_dates[i] - cycle_dates[i - 1]).days
        out.append(CheckResult(
            rule=f"haic_interval_cycle_{i + 1}", status="pass" if lo <= gap <= hi else "fail",
            value=float(gap), limit=f"{lo}-{hi}", unit="days",
            message=f"cycle {i + 1} starts {gap} days after cycle {i}", source=regimen.source))
    if complete:
        n = len(cycle_dates)
        out.append(CheckResult(
            rule="haic_cycle_count", status="pass" if n in regimen.cycles_allowed else "fail",
            value=float(n), limit=" or ".join(map(str, regimen.cycles_allowed)), unit="cycles",
            message=f"{n} cycles given", source=regimen.source))
    return out


def check_weight_change(weight_at_dosing_kg: float, current_weight_kg: float,
                        threshold_pct: float = 10.0) -> CheckResult:
    """Warn when weight changed by ``threshold_pct`` % or more since the BSA was computed.

    Recalculating doses after a 5-10 % weight change is common practice (HOPA position
    statement, Fahrenbruch 2018, and institutional policies) [lit]; the threshold is a
    protocol or site parameter.
    """
    w0 = scalar(weight_at_dosing_kg, "weight_at_dosing_kg", gt=0.0, le=500.0)
    w1 = scalar(current_weight_kg, "current_weight_kg", gt=0.0, le=500.0)
    t = scalar(threshold_pct, "threshold_pct", gt=0.0, le=100.0)
    change = (w1 - w0) / w0 * 100.0
    ok = abs(change) < t
    return CheckResult(
        rule="haic_weight_change", status="pass" if ok else "warning", value=change,
        limit=f"< {t:g}", unit="%",
        message=f"weight {w0:g} -> {w1:g} kg ({change:+.1f} %)"
        + ("" if ok else "; recalculate BSA and doses"),
        source="HOPA 2018 / site policy (threshold is a parameter)")
