"""Y-90 decay correction, glass dose-vial choice, resin dispensing and delivered activity.

Decay law (first-order, e.g. MIRD primer; Y-90 T1/2 = 64.1 h, TheraSphere US package insert
v12)::

    A(t) = A(t0) * exp(-ln 2 * (t - t0) / T1/2)

Times are timezone-aware :class:`datetime.datetime` values: a vial label's calibration time
(TheraSphere vials are calibrated at noon US Eastern time) and an administration time in
another zone are compared correctly; naive datetimes are refused.

Glass (TheraSphere) vials hold the whole prescribed activity and are administered entirely, so
planning means choosing a (vial size, administration time) pair such that the vial's decayed
activity equals the required vial activity (prescribed activity / (1 - expected residual)).
Stock sizes 3, 5, 7, 10, 15 and 20 GBq are those of the US package insert v12; the stock is
data (:class:`GlassVialStock`) because later labels allow other sizes. The usable window after
calibration (shelf life) and whether use before calibration is allowed are inputs without a
default: they depend on the label in force and must be stated, not guessed. Glass spheres do
not decay, so an older vial carries more spheres per GBq: the estimate uses about 1.2e6
spheres per 3 GBq at calibration (insert v12), i.e. 4e5 spheres per calibrated GBq.

Resin (SIR-Spheres) activity is drawn from a vial (3 GBq +/- 10 % at calibration, in 5 mL of
water; Selwyn R et al., Med Phys 2008, doi 10.1118/1.2889621) after decay correction; the
volume to draw is proportional to the activity fraction needed.

Delivered activity follows the dose-calibrator practice of measuring the vial before and the
residual (vial, lines, catheter) after administration, both decay-corrected to the
administration time (AAPM MPPG 14.a, Busse NC et al., JACMP 2024;25:e14157; Hoang et al.,
JVIR, residual and decay). Prescribed versus delivered differences of 20 % or more are medical
events under US NRC licensing guidance for microspheres (10 CFR 35.1000) [not checked against
the current revision].
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from pydantic import Field, field_validator

from hccrt.dosimetry._validate import (
    FloatOrArray,
    StrictModel,
    aware,
    broadcast,
    out,
    quiet,
    real,
    scalar,
)
from hccrt.dosimetry.constants import Y90_HALF_LIFE_H
from hccrt.errors import InputError

__all__ = [
    "THERASPHERE_SIZES_GBQ",
    "DeliveredActivity",
    "GlassVialStock",
    "ResinDispense",
    "ResinVial",
    "VialChoice",
    "activity_at_gbq",
    "decay_factor",
    "delivered_activity",
    "glass_time_for_vial",
    "glass_vial_for_time",
    "hours_between",
    "resin_dispense",
    "time_for_activity",
]

#: Upper bound of the usable windows (h): a year, far beyond any Y-90 label.
_YEAR_H = 24.0 * 366

#: Slack for floating-point rounding when comparing a deviation with its tolerance.
_ROUNDING = 1e-12

#: TheraSphere dose sizes, GBq (US package insert v12, "Description").
THERASPHERE_SIZES_GBQ: tuple[float, ...] = (3.0, 5.0, 7.0, 10.0, 15.0, 20.0)


@quiet
def decay_factor(elapsed_h: Any, half_life_h: Any = Y90_HALF_LIFE_H) -> FloatOrArray:
    """exp(-ln2 * t / T1/2); ``elapsed_h`` may be negative (correction back in time)."""
    t = real(elapsed_h, "elapsed_h")
    th = real(half_life_h, "half_life_h", gt=0.0)
    broadcast({"elapsed_h": t, "half_life_h": th})
    return out(np.exp(-math.log(2.0) * t / th), elapsed_h, half_life_h)


def hours_between(start: datetime, end: datetime, *, start_field: str = "start",
                  end_field: str = "end") -> float:
    """Hours from ``start`` to ``end`` (negative if ``end`` is earlier); both timezone-aware."""
    s = aware(start, start_field)
    e = aware(end, end_field)
    return (e - s).total_seconds() / 3600.0


@quiet
def activity_at_gbq(
    activity_gbq: Any, reference_time: datetime, time: datetime,
    half_life_h: float = Y90_HALF_LIFE_H,
) -> FloatOrArray:
    """Activity at ``time`` of a source holding ``activity_gbq`` at ``reference_time``."""
    a = real(activity_gbq, "activity_gbq", ge=0.0)
    dt = hours_between(reference_time, time, start_field="reference_time", end_field="time")
    return out(a * decay_factor(dt, half_life_h), activity_gbq)


def time_for_activity(
    reference_activity_gbq: float, reference_time: datetime, target_activity_gbq: float,
    half_life_h: float = Y90_HALF_LIFE_H,
) -> datetime:
    """Time at which a source of ``reference_activity_gbq`` at ``reference_time`` holds
    ``target_activity_gbq``: t = t0 + T1/2 / ln2 * ln(A0 / A)."""
    a0 = scalar(reference_activity_gbq, "reference_activity_gbq", gt=0.0)
    a = scalar(target_activity_gbq, "target_activity_gbq", gt=0.0)
    th = scalar(half_life_h, "half_life_h", gt=0.0)
    aware(reference_time, "reference_time")
    hours = th / math.log(2.0) * math.log(a0 / a)
    try:
        return reference_time + timedelta(hours=hours)
    except OverflowError:
        raise InputError("target_activity_gbq", a, "an activity reached within the calendar",
                         f"{hours:.3g} h from the reference time") from None


class GlassVialStock(StrictModel):
    """Glass dose vials that can be ordered for one calibration time.

    ``shelf_life_h``: hours after calibration during which a vial may be administered (from
    the label in force). ``earliest_use_before_calibration_h``: hours before calibration a
    vial may already be used (0 = not before calibration).
    """

    calibration_time: datetime
    shelf_life_h: float = Field(gt=0.0, le=_YEAR_H)
    earliest_use_before_calibration_h: float = Field(default=0.0, ge=0.0, le=_YEAR_H)
    sizes_gbq: tuple[float, ...] = THERASPHERE_SIZES_GBQ
    spheres_per_gbq_at_calibration: float = Field(default=4.0e5, gt=0.0)

    @field_validator("calibration_time")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None or v.tzinfo.utcoffset(v) is None:
            raise ValueError("a timezone-aware datetime (the label's calibration time)")
        return v

    @field_validator("sizes_gbq")
    @classmethod
    def _sizes(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v or any(not (s > 0 and math.isfinite(s)) for s in v):
            raise ValueError("one or more positive vial sizes in GBq")
        return tuple(sorted(v))

    def window(self) -> tuple[datetime, datetime]:
        """Earliest and latest administration time allowed for these vials."""
        return (
            self.calibration_time - timedelta(hours=self.earliest_use_before_calibration_h),
            self.calibration_time + timedelta(hours=self.shelf_life_h),
        )


class VialChoice(StrictModel):
    """A glass vial and administration time, with the resulting activity and sphere count."""

    vial_gbq: float
    calibration_time: datetime
    administration_time: datetime
    hours_after_calibration: float
    decay_factor: float
    activity_at_administration_gbq: float
    required_activity_gbq: float
    deviation_fraction: float
    estimated_spheres: float


def _check_in_window(stock: GlassVialStock, t: datetime, field: str) -> None:
    lo, hi = stock.window()
    if t < lo:
        raise InputError(
            field, t.isoformat(), f"a time from {lo.isoformat()} to {hi.isoformat()}",
            "administration before the vial's calibration time"
            + ("" if stock.earliest_use_before_calibration_h == 0 else " window"),
        )
    if t > hi:
        raise InputError(
            field, t.isoformat(), f"a time from {lo.isoformat()} to {hi.isoformat()}",
            f"beyond the vial's shelf life of {stock.shelf_life_h:g} h after calibration",
        )


def _choice(stock: GlassVialStock, size: float, t: datetime, required: float,
            half_life_h: float) -> VialChoice:
    dt = hours_between(stock.calibration_time, t)
    df = float(decay_factor(dt, half_life_h))
    act = size * df
    return VialChoice(
        vial_gbq=size, calibration_time=stock.calibration_time, administration_time=t,
        hours_after_calibration=dt, decay_factor=df, activity_at_administration_gbq=act,
        required_activity_gbq=required, deviation_fraction=(act - required) / required,
        estimated_spheres=stock.spheres_per_gbq_at_calibration * size,
    )


def glass_time_for_vial(
    required_activity_gbq: float, vial_gbq: float, stock: GlassVialStock,
    half_life_h: float = Y90_HALF_LIFE_H,
) -> VialChoice:
    """Administration time at which a ``vial_gbq`` vial holds ``required_activity_gbq``.

    ``required_activity_gbq`` is the activity the vial must hold at administration (the
    prescribed activity divided by 1 - expected residual). Raises :class:`InputError` when
    that time falls outside the stock's usable window, naming the window.
    """
    req = scalar(required_activity_gbq, "required_activity_gbq", gt=0.0)
    size = scalar(vial_gbq, "vial_gbq", gt=0.0)
    if size not in stock.sizes_gbq:
        raise InputError("vial_gbq", vial_gbq, f"one of the stock sizes {stock.sizes_gbq} GBq")
    t = time_for_activity(size, stock.calibration_time, req, half_life_h)
    _check_in_window(stock, t, "administration_time")
    return _choice(stock, size, t, req, half_life_h)


def glass_vial_for_time(
    required_activity_gbq: float, administration_time: datetime, stock: GlassVialStock,
    half_life_h: float = Y90_HALF_LIFE_H, max_deviation: float = 0.10,
) -> VialChoice:
    """Stock vial whose activity at ``administration_time`` is nearest the required activity.

    The deviation must stay within ``max_deviation`` (default 10 %: EANM position on Euratom
    2013/59 art. 56, Konijnenberg M et al. 2021, "administer within 10 % of the intended
    activity"). Otherwise :class:`InputError` lists, for each size, the administration time
    that would give the required activity, when it falls inside the usable window.
    """
    req = scalar(required_activity_gbq, "required_activity_gbq", gt=0.0)
    tol = scalar(max_deviation, "max_deviation", ge=0.0, lt=1.0)
    aware(administration_time, "administration_time")
    _check_in_window(stock, administration_time, "administration_time")
    choices = [_choice(stock, s, administration_time, req, half_life_h) for s in stock.sizes_gbq]
    best = min(choices, key=lambda c: (abs(c.deviation_fraction), c.vial_gbq))
    if abs(best.deviation_fraction) <= tol + _ROUNDING:
        return best
    options = []
    for s in stock.sizes_gbq:
        try:
            alt = glass_time_for_vial(req, s, stock, half_life_h)
        except InputError:
            continue
        options.append(f"{s:g} GBq at "
                       f"{alt.administration_time.isoformat(timespec='minutes')}")
    hint = ("what would work: " + "; ".join(options)) if options else (
        "no stock size reaches it inside the usable window; order another calibration")
    raise InputError(
        "required_activity_gbq", req,
        f"an activity within {tol:.0%} of a stock vial at {administration_time.isoformat()} "
        f"(nearest: {best.vial_gbq:g} GBq vial holding {best.activity_at_administration_gbq:.3f}"
        " GBq)",
        hint,
    )


class ResinVial(StrictModel):
    """A resin microsphere vial as labelled: activity at calibration, volume, usable window."""

    activity_gbq: float = Field(default=3.0, gt=0.0)
    calibration_time: datetime
    volume_ml: float = Field(default=5.0, gt=0.0)
    shelf_life_h: float = Field(gt=0.0, le=_YEAR_H)
    earliest_use_before_calibration_h: float = Field(default=0.0, ge=0.0, le=_YEAR_H)

    @field_validator("calibration_time")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None or v.tzinfo.utcoffset(v) is None:
            raise ValueError("a timezone-aware datetime (the label's calibration time)")
        return v


class ResinDispense(StrictModel):
    """What to draw from a resin vial at the dispensing time."""

    dispense_time: datetime
    administration_time: datetime
    activity_to_draw_gbq: float
    volume_to_draw_ml: float
    vial_activity_at_dispense_gbq: float
    activity_at_administration_gbq: float


def resin_dispense(
    required_activity_gbq: float, vial: ResinVial, dispense_time: datetime,
    administration_time: datetime, half_life_h: float = Y90_HALF_LIFE_H,
) -> ResinDispense:
    """Activity and volume to draw at ``dispense_time`` so the dose holds
    ``required_activity_gbq`` at ``administration_time`` (both inside the vial's window)."""
    req = scalar(required_activity_gbq, "required_activity_gbq", gt=0.0)
    dt_admin = hours_between(dispense_time, administration_time, start_field="dispense_time",
                             end_field="administration_time")
    if dt_admin < 0:
        raise InputError("administration_time", administration_time.isoformat(),
                         f"a time at or after dispense_time {dispense_time.isoformat()}")
    lo = vial.calibration_time - timedelta(hours=vial.earliest_use_before_calibration_h)
    hi = vial.calibration_time + timedelta(hours=vial.shelf_life_h)
    for name, t in (("dispense_time", dispense_time), ("administration_time",
                                                        administration_time)):
        if not lo <= t <= hi:
            raise InputError(name, t.isoformat(),
                             f"a time from {lo.isoformat()} to {hi.isoformat()}",
                             "outside the vial's usable window")
    draw = req / float(decay_factor(dt_admin, half_life_h))
    vial_now = float(activity_at_gbq(vial.activity_gbq, vial.calibration_time, dispense_time,
                                     half_life_h))
    if draw > vial_now:
        raise InputError(
            "required_activity_gbq", req,
            f"at most {vial_now * float(decay_factor(dt_admin, half_life_h)):.3f} GBq at "
            f"administration from this vial",
            f"would need {draw:.3f} GBq at dispensing; the vial holds {vial_now:.3f} GBq",
        )
    return ResinDispense(
        dispense_time=dispense_time, administration_time=administration_time,
        activity_to_draw_gbq=draw, volume_to_draw_ml=vial.volume_ml * draw / vial_now,
        vial_activity_at_dispense_gbq=vial_now, activity_at_administration_gbq=req,
    )


class DeliveredActivity(StrictModel):
    """Delivered activity at the administration time from pre- and post-administration assays."""

    administration_time: datetime
    vial_activity_at_administration_gbq: float
    residual_activity_at_administration_gbq: float
    delivered_activity_gbq: float
    residual_fraction: float


def delivered_activity(
    pre_assay_gbq: float, pre_assay_time: datetime, residual_gbq: float,
    residual_assay_time: datetime, administration_time: datetime,
    half_life_h: float = Y90_HALF_LIFE_H,
) -> DeliveredActivity:
    """Delivered activity = vial activity minus residual, both decay-corrected to
    ``administration_time``.

    The vial is assayed before the administration and the residual after it (the order the
    practice describes; a time at the administration itself is accepted on either side):
    a vial assay after, or a residual assay before, the administration is refused, since
    it is either a mistyped time or not the measurement the formula needs.
    """
    pre = scalar(pre_assay_gbq, "pre_assay_gbq", gt=0.0)
    res = scalar(residual_gbq, "residual_gbq", ge=0.0)
    vial_before_h = hours_between(pre_assay_time, administration_time,
                                  start_field="pre_assay_time", end_field="administration_time")
    residual_after_h = hours_between(administration_time, residual_assay_time,
                                     start_field="administration_time",
                                     end_field="residual_assay_time")  # fmt: skip
    if vial_before_h < 0:
        raise InputError("pre_assay_time", pre_assay_time.isoformat(),
                         f"a time at or before administration {administration_time.isoformat()}",
                         "the vial is assayed before it is administered")
    if residual_after_h < 0:
        raise InputError("residual_assay_time", residual_assay_time.isoformat(),
                         f"a time at or after administration {administration_time.isoformat()}",
                         "the residual is assayed after the administration")
    a_pre = float(activity_at_gbq(pre, pre_assay_time, administration_time, half_life_h))
    a_res = float(activity_at_gbq(res, residual_assay_time, administration_time, half_life_h))
    if a_res > a_pre:
        raise InputError(
            "residual_gbq", res,
            f"a residual below the vial activity ({a_pre:.4f} GBq at administration)",
            f"residual corrected to administration is {a_res:.4f} GBq",
        )
    return DeliveredActivity(
        administration_time=administration_time, vial_activity_at_administration_gbq=a_pre,
        residual_activity_at_administration_gbq=a_res, delivered_activity_gbq=a_pre - a_res,
        residual_fraction=a_res / a_pre,
    )
