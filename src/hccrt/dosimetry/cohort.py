"""Vectorised planning and checking of many Y-90 plans at once (synthetic cohorts, audits).

One call plans N territories with the same formulas as :func:`hccrt.dosimetry.plan.plan_y90`
(single tumour per territory) and evaluates the protocol limits of
:class:`hccrt.dosimetry.checks.Y90Limits` element-wise, returning a :class:`pandas.DataFrame`
with one row per plan: activities, doses and one status column per rule
(``pass``/``fail``/``not_evaluated``). The per-plan functions remain the reference: the tests
compare every column with them.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from hccrt.dosimetry import y90
from hccrt.dosimetry._validate import broadcast, real
from hccrt.dosimetry.checks import Y90Limits
from hccrt.dosimetry.constants import Y90Constants
from hccrt.errors import InputError

__all__ = ["plan_cohort"]


def _status(ok: np.ndarray, evaluable: np.ndarray | None = None) -> np.ndarray:
    s = np.where(ok, "pass", "fail").astype(object)
    if evaluable is not None:
        s[~evaluable] = "not_evaluated"
    return s


def plan_cohort(
    model: Literal["mird", "partition"],
    prescribed_dose_gy: Any,
    perfused_volume_ml: Any,
    lsf: Any,
    *,
    tumour_volume_ml: Any = 0.0,
    tnr: Any = None,
    lung_mass_kg: Any = None,
    constants: Y90Constants | None = None,
    limits: Y90Limits | None = None,
    nontumoral_liver_volume_ml: Any = None,
    previous_lung_dose_gy: Any = 0.0,
) -> pd.DataFrame:
    """Plan and check N territories.

    ``model="mird"``: ``prescribed_dose_gy`` is the perfused-volume dose. ``"partition"``: it
    is the tumour dose, and ``tumour_volume_ml`` (> 0, inside the perfused volume) and ``tnr``
    are required. Arguments are numbers or arrays of one length.
    """
    c = constants if constants is not None else Y90Constants()
    k = c.dose_constant_gy_kg_per_gbq
    d = real(prescribed_dose_gy, "prescribed_dose_gy", gt=0.0)
    vp = real(perfused_volume_ml, "perfused_volume_ml", gt=0.0)
    f = real(lsf, "lsf", ge=0.0, lt=1.0, allowed="a lung shunt fraction in [0, 1)")
    vt = real(tumour_volume_ml, "tumour_volume_ml", ge=0.0)
    ml = real(c.lung_mass_kg if lung_mass_kg is None else lung_mass_kg, "lung_mass_kg", gt=0.0)
    prev = real(previous_lung_dose_gy, "previous_lung_dose_gy", ge=0.0)
    fields = {"prescribed_dose_gy": d, "perfused_volume_ml": vp, "lsf": f,
              "tumour_volume_ml": vt, "lung_mass_kg": ml, "previous_lung_dose_gy": prev}
    if model == "partition":
        if tnr is None:
            raise InputError("tnr", None, "tumour-to-normal ratios for the partition model")
        fields["tnr"] = real(tnr, "tnr", gt=0.0)
    elif model != "mird":
        raise InputError("model", model, "'mird' or 'partition'")
    broadcast(fields)
    shape = np.broadcast_shapes(*(v.shape for v in fields.values()))
    n = int(np.prod(shape)) if shape else 1
    b = {key: np.broadcast_to(v, shape).reshape(n) for key, v in fields.items()}
    vn = b["perfused_volume_ml"] - b["tumour_volume_ml"]
    if np.any(vn < 0):
        i = int(np.argmax(vn < 0))
        raise InputError("tumour_volume_ml", float(b["tumour_volume_ml"][i]),
                         "at most the perfused volume", f"element {i}")
    m_t = b["tumour_volume_ml"] * c.tumour_density_g_per_ml / 1000.0
    m_n = vn * c.liver_density_g_per_ml / 1000.0
    m_p = m_t + m_n
    f, ml = b["lsf"], b["lung_mass_kg"]
    if model == "mird":
        a = np.asarray(y90.mird_activity_gbq(b["prescribed_dose_gy"], m_p, f, k))
        r = np.ones(n)
        d_t = d_n = np.full(n, np.nan)
        d_p = k * a * (1 - f) / m_p
        tumour_for_window = d_p
    else:
        r = b["tnr"]
        if np.any(m_t <= 0) or np.any(m_n <= 0):
            raise InputError("tumour_volume_ml", "array",
                             "> 0 and below the perfused volume for the partition model")
        a = np.asarray(y90.partition_activity_for_tumour_dose_gbq(
            b["prescribed_dose_gy"], m_t, m_n, r, f, k))
        p = y90.partition_doses(a, m_t, m_n, r, f, ml, k)
        d_t, d_n = np.asarray(p.tumour_dose_gy), np.asarray(p.normal_dose_gy)
        d_p = k * a * (1 - f) / m_p
        tumour_for_window = d_t
    d_l = k * a * f / ml
    df = pd.DataFrame({
        "activity_gbq": a, "vial_activity_at_administration_gbq": a / (1 - c.residual_fraction),
        "perfused_dose_gy": d_p, "tumour_dose_gy": d_t, "normal_liver_dose_gy": d_n,
        "lung_dose_gy": d_l, "cumulative_lung_dose_gy": b["previous_lung_dose_gy"] + d_l,
    })
    if limits is None:
        return df
    if limits.tumour_dose_gy is not None:
        w = limits.tumour_dose_gy
        df["tumour_dose_window"] = _status((tumour_for_window >= w.low)
                                           & (tumour_for_window <= w.high))
    if limits.normal_liver_dose_gy is not None:
        lim = limits.normal_liver_dose_gy
        df["normal_liver_dose"] = _status(lim.upper_ok(d_n), ~np.isnan(d_n)) if (
            model == "partition") else "not_evaluated"
    if limits.lung_dose_session_gy is not None:
        df["lung_dose_session"] = _status(limits.lung_dose_session_gy.upper_ok(d_l))
    if limits.lung_dose_cumulative_gy is not None:
        df["lung_dose_cumulative"] = _status(
            limits.lung_dose_cumulative_gy.upper_ok(df["cumulative_lung_dose_gy"].to_numpy()))
    if limits.lung_dose_at_reference is not None:
        ref = limits.lung_dose_at_reference
        if model == "partition":
            a_ref = ref.reference_tumour_dose_gy * (m_n + r * m_t) / (k * r * (1 - f))
            d_ref = k * a_ref * f / ml
            df["lung_dose_at_reference_gy"] = d_ref
            df["lung_dose_at_reference_tumour_dose"] = _status(
                ref.max_lung_dose_gy.upper_ok(d_ref))
        else:
            df["lung_dose_at_reference_tumour_dose"] = "not_evaluated"
    if limits.untreated_nontumoral_liver_fraction is not None:
        lim = limits.untreated_nontumoral_liver_fraction
        if nontumoral_liver_volume_ml is None:
            df["untreated_nontumoral_liver"] = "not_evaluated"
        else:
            tot = np.broadcast_to(real(nontumoral_liver_volume_ml, "nontumoral_liver_volume_ml",
                                       gt=0.0), shape).reshape(n)
            if np.any(vn > tot):
                raise InputError("nontumoral_liver_volume_ml", "array",
                                 "at least the perfused non-tumoral volume of each plan")
            frac = (tot - vn) / tot
            df["untreated_nontumoral_fraction"] = frac
            df["untreated_nontumoral_liver"] = _status(lim.lower_ok(frac))
    return df
