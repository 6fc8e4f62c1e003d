"""Y-90 plan records: inputs + constants + results, recomputable exactly.

A :class:`Y90Plan` holds every input and every constant (:class:`Y90Constants`) it was
computed with, the hccrt version and the formulas used, so that the same numbers can be
recomputed later from the record alone (:meth:`Y90Plan.recompute`), e.g. after a JSON round
trip through the database. A :class:`Y90Session` groups the plans of several perfused
territories treated in one session (lung doses add up).

Models (see :mod:`hccrt.dosimetry.y90` and :mod:`hccrt.dosimetry.resin` for the formulas and
their sources):

- ``"mird"``: single compartment (glass label "standard model"); drivers ``perfused_dose`` or
  ``activity``. Tumour and normal liver receive the perfused-volume dose (uniform uptake is
  the model's assumption).
- ``"partition"``: Ho 1996 partition model, generalised to several tumours in one territory
  (each with its own tumour-to-normal ratio); drivers ``tumour_dose`` (tumour number
  ``target_tumour``), ``normal_liver_dose`` or ``activity``.
- ``"bsa"``: resin BSA method with the lung-shunt reduction table (driver ``bsa``); the doses
  it implies are reported with the partition model when every tumour has a TNR, otherwise
  with the single-compartment model.

Whatever the model, the lung dose is K A LSF / M_lung, the vial activity at administration
is A / (1 - residual) and the perfused-volume dose is K A (1 - LSF) / M_perfused.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

import hccrt
from hccrt.clinical.body import bsa as body_surface_area
from hccrt.dosimetry import resin, y90
from hccrt.dosimetry._validate import StrictModel, scalar
from hccrt.dosimetry.constants import Y90Constants
from hccrt.errors import InputError

__all__ = [
    "DeliveryReport",
    "Tumour",
    "Y90Plan",
    "Y90PlanInput",
    "Y90Result",
    "Y90Session",
    "delivery_report",
    "plan_y90",
    "untreated_nontumoral_fraction",
]

Device = Literal["glass", "resin"]
Model = Literal["mird", "partition", "bsa"]
Driver = Literal["perfused_dose", "tumour_dose", "normal_liver_dose", "activity", "bsa"]

_DRIVERS: dict[str, tuple[str, ...]] = {
    "mird": ("perfused_dose", "activity"),
    "partition": ("tumour_dose", "normal_liver_dose", "activity"),
    "bsa": ("bsa",),
}


class Tumour(StrictModel):
    """A tumour inside the perfused territory: volume (mL) and MAA tumour-to-normal ratio."""

    name: str = "tumour"
    volume_ml: float = Field(gt=0.0, le=1e5)
    tnr: float | None = Field(default=None, ge=1e-3, le=1e4)


class Y90PlanInput(StrictModel):
    """Everything a Y-90 plan is computed from (constants apart)."""

    device: Device
    model: Model
    driver: Driver
    prescribed_value: float | None = Field(
        default=None, gt=0.0, le=1e5, description="Gy for a dose driver, GBq for 'activity'"
    )
    territory: str = "perfused territory"
    perfused_volume_ml: float = Field(gt=0.0, le=1e5, description="includes the tumours in it")
    tumours: tuple[Tumour, ...] = ()
    target_tumour: int = Field(default=0, ge=0)
    lsf: float = Field(ge=0.0, lt=1.0)
    lung_mass_kg: float | None = Field(default=None, gt=0.0, le=5.0,
                                       description="None: the constants' lung mass")
    # resin BSA method
    bsa_m2: float | None = Field(default=None, gt=0.2, le=5.0)
    height_cm: float | None = None
    weight_kg: float | None = None
    liver_volume_ml: float | None = Field(default=None, gt=0.0, le=1e5,
                                          description="whole liver including tumour")
    liver_tumour_volume_ml: float | None = Field(default=None, ge=0.0, le=1e5,
                                                 description="all tumour in the liver")
    bsa_lobar_variant: resin.LobarVariant = "scale_all"
    shunt_table: resin.ShuntReductionTable = resin.DEFAULT_SHUNT_REDUCTION

    @property
    def tumour_volume_ml(self) -> float:
        return float(sum(t.volume_ml for t in self.tumours))

    @property
    def normal_volume_ml(self) -> float:
        return self.perfused_volume_ml - self.tumour_volume_ml

    @model_validator(mode="after")
    def _consistent(self) -> Y90PlanInput:
        if self.driver not in _DRIVERS[self.model]:
            raise ValueError(
                f"driver: one of {_DRIVERS[self.model]} for model {self.model!r}"
            )
        if self.driver != "bsa" and self.prescribed_value is None:
            raise ValueError("prescribed_value: a dose in Gy (or GBq for 'activity') is required")
        if self.tumour_volume_ml > self.perfused_volume_ml:
            raise ValueError(
                f"tumours: a total tumour volume ({self.tumour_volume_ml:g} mL) that fits in the "
                f"perfused volume ({self.perfused_volume_ml:g} mL)"
            )
        if self.model == "partition":
            if not self.tumours or any(t.tnr is None for t in self.tumours):
                raise ValueError("tumours: at least one tumour, each with tnr, for the partition "
                                 "model")
            if self.normal_volume_ml <= 0:
                raise ValueError("perfused_volume_ml: larger than the total tumour volume "
                                 "(the partition model needs normal liver)")
        if self.driver == "tumour_dose" and self.target_tumour >= len(self.tumours):
            raise ValueError(f"target_tumour: an index of the {len(self.tumours)} tumours")
        if self.model == "bsa":
            if self.device != "resin":
                raise ValueError("device: 'resin' (the BSA method applies to resin only)")
            if self.bsa_m2 is None and (self.height_cm is None or self.weight_kg is None):
                raise ValueError("bsa_m2: a BSA, or height_cm and weight_kg, for the BSA method")
            if self.liver_volume_ml is None or self.liver_tumour_volume_ml is None:
                raise ValueError("liver_volume_ml: whole liver and liver_tumour_volume_ml for "
                                 "the BSA method")
            if self.perfused_volume_ml > self.liver_volume_ml:
                raise ValueError("perfused_volume_ml: at most liver_volume_ml")
            if self.tumour_volume_ml > self.liver_tumour_volume_ml:
                raise ValueError("liver_tumour_volume_ml: at least the tumour volume in the "
                                 f"perfused territory ({self.tumour_volume_ml:g} mL)")
        return self


class Y90Result(StrictModel):
    """Planned activities (GBq) and mean absorbed doses (Gy)."""

    treatable: bool
    reason: str | None = None
    activity_gbq: float
    vial_activity_at_administration_gbq: float
    unreduced_activity_gbq: float | None = None
    shunt_reduction_factor: float | None = None
    bsa_m2: float | None = None
    perfused_mass_kg: float
    perfused_dose_gy: float
    normal_liver_dose_gy: float | None
    normal_liver_activity_gbq: float
    tumour_doses_gy: tuple[float, ...]
    tumour_dose_gy: float | None
    lung_activity_gbq: float
    lung_mass_kg: float
    lung_dose_gy: float
    dose_model: Literal["single_compartment", "partition"]
    formula: str


def _masses(inp: Y90PlanInput, c: Y90Constants) -> tuple[np.ndarray, np.ndarray, float]:
    """Compartment masses (normal first, then tumours), uptake ratios, perfused mass."""
    m_n = inp.normal_volume_ml * c.liver_density_g_per_ml / 1000.0
    m_t = [t.volume_ml * c.tumour_density_g_per_ml / 1000.0 for t in inp.tumours]
    masses = np.array([m_n, *m_t])
    ratios = np.array([1.0, *[t.tnr if t.tnr is not None else 1.0 for t in inp.tumours]])
    return masses, ratios, float(masses.sum())


def _doses(inp: Y90PlanInput, c: Y90Constants, activity: float, partition: bool,
           formula: str, *, treatable: bool = True, reason: str | None = None,
           unreduced_activity_gbq: float | None = None,
           shunt_reduction_factor: float | None = None,
           bsa_m2: float | None = None) -> Y90Result:
    k = c.dose_constant_gy_kg_per_gbq
    masses, ratios, m_p = _masses(inp, c)
    lung_mass = inp.lung_mass_kg if inp.lung_mass_kg is not None else c.lung_mass_kg
    liver_activity = activity * (1.0 - inp.lsf)
    perfused = k * liver_activity / m_p
    if partition:  # every compartment has mass > 0 (checked by Y90PlanInput)
        doses, _ = y90.multicompartment_doses_gy(activity, masses, ratios, inp.lsf,
                                                 lung_mass, k)
    else:
        doses = np.full(masses.shape, perfused)
    normal_dose = float(doses[0]) if masses[0] > 0 else None
    tumour_doses = tuple(float(d) for d in doses[1:])
    return Y90Result(
        activity_gbq=activity,
        vial_activity_at_administration_gbq=activity / (1.0 - c.residual_fraction),
        perfused_mass_kg=m_p,
        perfused_dose_gy=perfused,
        normal_liver_dose_gy=normal_dose,
        normal_liver_activity_gbq=float(doses[0] * masses[0] / k),
        tumour_doses_gy=tumour_doses,
        tumour_dose_gy=tumour_doses[inp.target_tumour] if tumour_doses else None,
        lung_activity_gbq=activity * inp.lsf,
        lung_mass_kg=lung_mass,
        lung_dose_gy=k * activity * inp.lsf / lung_mass,
        dose_model="partition" if partition else "single_compartment",
        formula=formula,
        treatable=treatable,
        reason=reason,
        unreduced_activity_gbq=unreduced_activity_gbq,
        shunt_reduction_factor=shunt_reduction_factor,
        bsa_m2=bsa_m2,
    )


def _solve(inp: Y90PlanInput, c: Y90Constants) -> Y90Result:
    k = c.dose_constant_gy_kg_per_gbq
    masses, ratios, m_p = _masses(inp, c)
    if inp.model == "mird":
        if inp.driver == "activity":
            a = float(inp.prescribed_value)  # type: ignore[arg-type]
        else:
            a = float(y90.mird_activity_gbq(inp.prescribed_value, m_p, inp.lsf, k))
        return _doses(inp, c, a, False,
                      "MIRD single compartment: A = D M / (K (1 - LSF)); D_L = K A LSF / M_lung")
    if inp.model == "partition":
        if inp.driver == "activity":
            a = float(inp.prescribed_value)  # type: ignore[arg-type]
        else:
            index = 0 if inp.driver == "normal_liver_dose" else 1 + inp.target_tumour
            a = y90.multicompartment_activity_gbq(
                inp.prescribed_value, index, masses, ratios, inp.lsf, k)  # type: ignore[arg-type]
        return _doses(inp, c, a, True,
                      "partition model (Ho 1996), multi-compartment form: "
                      "D_i = K A (1 - LSF) r_i / sum_j r_j M_j; D_L = K A LSF / M_lung")
    # resin BSA
    if inp.bsa_m2 is not None:
        bsa = inp.bsa_m2
    else:
        bsa = body_surface_area(height_cm=inp.height_cm, weight_kg=inp.weight_kg,  # type: ignore[arg-type]
                                method="dubois")
    lobar = inp.perfused_volume_ml < inp.liver_volume_ml  # type: ignore[operator]
    unreduced = float(resin.resin_bsa_activity_gbq(
        bsa, inp.liver_tumour_volume_ml, inp.liver_volume_ml,
        inp.perfused_volume_ml if lobar else None,
        inp.tumour_volume_ml if lobar and inp.bsa_lobar_variant == "scale_bsa_term" else None,
        inp.bsa_lobar_variant,
    ))
    factor = float(resin.shunt_reduction_factor(inp.lsf, inp.shunt_table))
    partition = bool(inp.tumours) and all(t.tnr is not None for t in inp.tumours) and (
        inp.normal_volume_ml > 0)
    formula = ("resin BSA method: A = (BSA - 0.2) + V_T / V_liver"
               + (f", lobar variant {inp.bsa_lobar_variant}" if lobar else "")
               + "; x lung-shunt reduction factor; doses by "
               + ("the partition model" if partition else "the single-compartment model"))
    if np.isnan(factor):
        return _doses(
            inp, c, 0.0, partition, formula, treatable=False,
            reason=f"LSF {inp.lsf:.1%} is in the do-not-treat band of the shunt table "
            f"({inp.shunt_table.source})",
            unreduced_activity_gbq=unreduced, bsa_m2=bsa,
        )
    return _doses(inp, c, unreduced * factor, partition, formula,
                  unreduced_activity_gbq=unreduced, shunt_reduction_factor=factor, bsa_m2=bsa)


class Y90Plan(StrictModel):
    """A computed Y-90 plan: inputs, constants, results, and the version that computed it."""

    inputs: Y90PlanInput
    constants: Y90Constants
    result: Y90Result
    hccrt_version: str

    def recompute(self) -> Y90Plan:
        """The same plan recomputed from the recorded inputs and constants."""
        return plan_y90(self.inputs, self.constants)

    def is_reproducible(self) -> bool:
        """True when recomputing gives exactly (bit for bit) the recorded result."""
        return self.recompute().result == self.result

    def at_activity(self, activity_gbq: float) -> Y90Result:
        """Doses for another activity reaching the patient (e.g. the delivered activity)."""
        a = scalar(activity_gbq, "activity_gbq", ge=0.0)
        partition = self.result.dose_model == "partition"
        r = self.result
        return _doses(self.inputs, self.constants, a, partition, r.formula,
                      treatable=r.treatable, reason=r.reason,
                      unreduced_activity_gbq=r.unreduced_activity_gbq,
                      shunt_reduction_factor=r.shunt_reduction_factor, bsa_m2=r.bsa_m2)


def plan_y90(inputs: Y90PlanInput, constants: Y90Constants | None = None) -> Y90Plan:
    """Compute a Y-90 plan; ``constants`` defaults to :class:`Y90Constants` ()."""
    if not isinstance(inputs, Y90PlanInput):
        raise InputError("inputs", type(inputs).__name__, "a Y90PlanInput")
    c = constants if constants is not None else Y90Constants()
    return Y90Plan(inputs=inputs, constants=c, result=_solve(inputs, c),
                   hccrt_version=hccrt.__version__)


class Y90Session(StrictModel):
    """Plans of the territories treated in one session (one administration day)."""

    plans: tuple[Y90Plan, ...] = Field(min_length=1)

    @property
    def lung_dose_gy(self) -> float:
        """Session lung dose: the territories' lung doses add up."""
        return float(sum(p.result.lung_dose_gy for p in self.plans))

    @property
    def activity_gbq(self) -> float:
        return float(sum(p.result.activity_gbq for p in self.plans))

    @property
    def perfused_nontumoral_volume_ml(self) -> float:
        return float(sum(p.inputs.normal_volume_ml for p in self.plans))


def untreated_nontumoral_fraction(
    nontumoral_liver_volume_ml: float, treated_nontumoral_volume_ml: float
) -> float:
    """Fraction of the non-tumoral liver left untreated ("hepatic reserve").

    (V_NT,total - V_NT,treated) / V_NT,total, as used by the EANM 2022 guideline (Weber M
    et al., EJNMMI 2022;49:1682, Table 2 footnote: reserve >= 30 %), DOSISPHERE-01 and the
    rescue protocol.
    """
    total = scalar(nontumoral_liver_volume_ml, "nontumoral_liver_volume_ml", gt=0.0)
    treated = scalar(treated_nontumoral_volume_ml, "treated_nontumoral_volume_ml",
                     ge=0.0)
    if treated > total:
        raise InputError("treated_nontumoral_volume_ml", treated,
                         f"at most the non-tumoral liver volume ({total:g} mL)")
    return (total - treated) / total


class DeliveryReport(StrictModel):
    """Prescribed versus delivered activity and the doses recomputed at the delivered one.

    ``medical_event`` flags a difference of 20 % or more (US NRC licensing guidance for Y-90
    microspheres under 10 CFR 35.1000 [threshold as summarised in the reference note; check
    the current revision]); ``within_10_percent`` is the EANM level-1 target (Konijnenberg M
    et al., EANM position on Euratom 2013/59 art. 56, 2021).
    """

    prescribed_activity_gbq: float
    delivered_activity_gbq: float
    difference_pct: float
    within_10_percent: bool
    medical_event: bool
    delivered: Y90Result


def delivery_report(plan: Y90Plan, delivered_activity_gbq: float) -> DeliveryReport:
    """Compare the delivered activity (e.g. :func:`hccrt.dosimetry.decay.delivered_activity`)
    with the plan and recompute the doses with the plan's own model and constants."""
    if not isinstance(plan, Y90Plan):
        raise InputError("plan", type(plan).__name__, "a Y90Plan")
    delivered = scalar(delivered_activity_gbq, "delivered_activity_gbq", ge=0.0, le=1e3)
    prescribed = plan.result.activity_gbq
    if prescribed <= 0:
        raise InputError("plan", plan.inputs.territory, "a plan with a prescribed activity > 0",
                         plan.result.reason)
    diff = (delivered - prescribed) / prescribed * 100.0
    return DeliveryReport(
        prescribed_activity_gbq=prescribed, delivered_activity_gbq=delivered,
        difference_pct=diff, within_10_percent=abs(diff) <= 10.0 + _ROUNDING_PCT,
        medical_event=abs(diff) >= 20.0 - _ROUNDING_PCT, delivered=plan.at_activity(delivered))


#: Slack (percentage points) for floating-point rounding at the 10 % and 20 % thresholds.
_ROUNDING_PCT = 1e-9
