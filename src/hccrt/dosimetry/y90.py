"""Y-90 radioembolization dose models: MIRD single compartment, partition, multi-compartment.

All functions are pure and vectorised: each numeric argument may be a number or an array (one
value per plan); the result is a float when every argument was a number, an array otherwise.
Units are in the argument names (GBq, Gy, kg, mL, g/mL). Bad input raises
:class:`hccrt.errors.InputError`.

Formulas
--------
Local deposition, complete decay in place (MIRD; TheraSphere US package insert v12;
Dezarn WA et al., AAPM TG-144, Med Phys 2011;38:4824)::

    D [Gy] = K * A [GBq] / M [kg],   K = dose constant (see hccrt.dosimetry.constants)

MIRD single compartment ("standard model" of the glass label), with lung shunt fraction F::

    D_perfused = K * A * (1 - F) / M_perfused           A = D * M / (K * (1 - F))
    D_lung     = K * A * F / M_lung

Partition model (Ho S et al., Eur J Nucl Med 1996;23:947), tumour-to-normal ratio TNR of
99mTc-MAA count densities::

    A_T = A (1 - F) TNR M_T / (M_N + TNR M_T),   A_N = A (1 - F) M_N / (M_N + TNR M_T)
    D_T = K A_T / M_T = TNR * D_N,   D_N = K A_N / M_N,   A_L = A F

Multi-compartment generalisation (several tumours with their own uptake ratios r_i relative
to normal liver; Moran V et al., EJNMMI Phys 2020, multi-tumour partition model; MIRDy90,
JNM 2024;65:794)::

    D_i = K A (1 - F) r_i / sum_j (r_j M_j)

Lung shunt fraction (LSF) from 99mTc-MAA: counts C_lung / (C_lung + C_liver), with planar
counts as the geometric mean sqrt(anterior * posterior) of the two views (conjugate view
method, e.g. AAPM TG-144; Kennedy A et al., REBOC, IJROBP 2007;68:13).

CT lung mass (Kao YH et al., EJNMMI Res 2014;4:33, CT densitovolumetry): density in g/mL is
taken as 1 + HU/1000 for each voxel of the lung segmentation, clipped at 0 for HU < -1000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hccrt.dosimetry._validate import FloatOrArray, broadcast, out, quiet, real, scalar
from hccrt.errors import InputError

__all__ = [
    "PartitionDoses",
    "activity_for_lung_dose_gbq",
    "classic_from_kao",
    "lung_dose_gy",
    "lung_mass_from_ct_kg",
    "lung_shunt_fraction",
    "lung_shunt_fraction_planar",
    "mass_kg",
    "mird_activity_gbq",
    "mird_dose_gy",
    "multicompartment_activity_gbq",
    "multicompartment_doses_gy",
    "partition_activity_for_normal_dose_gbq",
    "partition_activity_for_tumour_dose_gbq",
    "partition_doses",
    "tumour_to_normal_ratio",
    "vial_activity_for_residual_gbq",
]

_LSF = {"ge": 0.0, "lt": 1.0, "allowed": "a lung shunt fraction in [0, 1)"}
_POS = {"gt": 0.0}


def _k(value: Any) -> np.ndarray:
    return real(value, "dose_constant_gy_kg_per_gbq", gt=0.0)


@quiet
def mass_kg(volume_ml: Any, density_g_per_ml: Any) -> FloatOrArray:
    """Mass in kg of a volume in mL at a density in g/mL: M = V * rho / 1000."""
    v = real(volume_ml, "volume_ml", **_POS)
    rho = real(density_g_per_ml, "density_g_per_ml", **_POS)
    broadcast({"volume_ml": v, "density_g_per_ml": rho})
    return out(v * rho / 1000.0, volume_ml, density_g_per_ml)


@quiet
def mird_activity_gbq(
    target_dose_gy: Any, perfused_mass_kg: Any, lsf: Any, dose_constant_gy_kg_per_gbq: Any
) -> FloatOrArray:
    """Activity (GBq) reaching the patient that gives ``target_dose_gy`` to the perfused mass.

    A = D * M / (K * (1 - LSF)). With ``lsf=0`` this is the label form A = D * M / K of the
    TheraSphere insert, which ignores the shunted activity.
    """
    d = real(target_dose_gy, "target_dose_gy", **_POS)
    m = real(perfused_mass_kg, "perfused_mass_kg", **_POS)
    f = real(lsf, "lsf", **_LSF)
    k = _k(dose_constant_gy_kg_per_gbq)
    broadcast({"target_dose_gy": d, "perfused_mass_kg": m, "lsf": f})
    return out(d * m / (k * (1.0 - f)), target_dose_gy, perfused_mass_kg, lsf,
               dose_constant_gy_kg_per_gbq)


@quiet
def mird_dose_gy(
    activity_gbq: Any, perfused_mass_kg: Any, lsf: Any, dose_constant_gy_kg_per_gbq: Any
) -> FloatOrArray:
    """Mean absorbed dose (Gy) to the perfused mass: D = K * A * (1 - LSF) / M."""
    a = real(activity_gbq, "activity_gbq", ge=0.0)
    m = real(perfused_mass_kg, "perfused_mass_kg", **_POS)
    f = real(lsf, "lsf", **_LSF)
    k = _k(dose_constant_gy_kg_per_gbq)
    broadcast({"activity_gbq": a, "perfused_mass_kg": m, "lsf": f})
    return out(k * a * (1.0 - f) / m, activity_gbq, perfused_mass_kg, lsf,
               dose_constant_gy_kg_per_gbq)


@quiet
def lung_dose_gy(
    activity_gbq: Any, lsf: Any, lung_mass_kg: Any, dose_constant_gy_kg_per_gbq: Any
) -> FloatOrArray:
    """Mean lung dose (Gy): D_L = K * A * LSF / M_lung."""
    a = real(activity_gbq, "activity_gbq", ge=0.0)
    f = real(lsf, "lsf", **_LSF)
    m = real(lung_mass_kg, "lung_mass_kg", **_POS)
    k = _k(dose_constant_gy_kg_per_gbq)
    broadcast({"activity_gbq": a, "lsf": f, "lung_mass_kg": m})
    return out(k * a * f / m, activity_gbq, lsf, lung_mass_kg, dose_constant_gy_kg_per_gbq)


@quiet
def activity_for_lung_dose_gbq(
    lung_dose_gy_max: Any, lsf: Any, lung_mass_kg: Any, dose_constant_gy_kg_per_gbq: Any
) -> FloatOrArray:
    """Largest activity (GBq) keeping the lung dose at ``lung_dose_gy_max``.

    A = D_L * M_lung / (K * LSF); infinite (no lung ceiling) when LSF = 0.
    """
    d = real(lung_dose_gy_max, "lung_dose_gy_max", ge=0.0)
    f = real(lsf, "lsf", **_LSF)
    m = real(lung_mass_kg, "lung_mass_kg", **_POS)
    k = _k(dose_constant_gy_kg_per_gbq)
    broadcast({"lung_dose_gy_max": d, "lsf": f, "lung_mass_kg": m})
    a = np.where(f > 0, d * m / (k * np.where(f > 0, f, 1.0)), np.inf)
    return out(a, lung_dose_gy_max, lsf, lung_mass_kg, dose_constant_gy_kg_per_gbq,
               allow_inf=True)


@quiet
def vial_activity_for_residual_gbq(activity_gbq: Any, residual_fraction: Any) -> FloatOrArray:
    """Vial activity at administration so that ``activity_gbq`` leaves the vial: A / (1 - R)."""
    a = real(activity_gbq, "activity_gbq", ge=0.0)
    r = real(residual_fraction, "residual_fraction", ge=0.0, lt=1.0,
             allowed="a residual fraction in [0, 1)")
    broadcast({"activity_gbq": a, "residual_fraction": r})
    return out(a / (1.0 - r), activity_gbq, residual_fraction)


@quiet
def lung_shunt_fraction(lung_counts: Any, liver_counts: Any) -> FloatOrArray:
    """LSF = C_lung / (C_lung + C_liver) from (SPECT or already combined planar) counts.

    Counts must be >= 0 and liver counts > 0 (an LSF of 1 would mean no liver uptake).
    """
    c_l = real(lung_counts, "lung_counts", ge=0.0)
    c_h = real(liver_counts, "liver_counts", gt=0.0)
    broadcast({"lung_counts": c_l, "liver_counts": c_h})
    return out(c_l / (c_l + c_h), lung_counts, liver_counts)


@quiet
def lung_shunt_fraction_planar(
    lung_anterior: Any, lung_posterior: Any, liver_anterior: Any, liver_posterior: Any
) -> FloatOrArray:
    """LSF from planar anterior/posterior counts by their geometric means.

    LSF = GM_lung / (GM_lung + GM_liver), GM = sqrt(anterior * posterior).
    """
    la = real(lung_anterior, "lung_anterior", ge=0.0)
    lp = real(lung_posterior, "lung_posterior", ge=0.0)
    ha = real(liver_anterior, "liver_anterior", gt=0.0)
    hp = real(liver_posterior, "liver_posterior", gt=0.0)
    broadcast({"lung_anterior": la, "lung_posterior": lp, "liver_anterior": ha,
               "liver_posterior": hp})
    gm_l = np.sqrt(la * lp)
    gm_h = np.sqrt(ha * hp)
    return out(gm_l / (gm_l + gm_h), lung_anterior, lung_posterior, liver_anterior,
               liver_posterior)


@quiet
def tumour_to_normal_ratio(
    tumour_counts: Any, tumour_volume_ml: Any, normal_counts: Any, normal_volume_ml: Any
) -> FloatOrArray:
    """TNR = (C_T / V_T) / (C_N / V_N), the MAA count-density ratio (Ho 1996)."""
    ct = real(tumour_counts, "tumour_counts", ge=0.0)
    vt = real(tumour_volume_ml, "tumour_volume_ml", **_POS)
    cn = real(normal_counts, "normal_counts", gt=0.0)
    vn = real(normal_volume_ml, "normal_volume_ml", **_POS)
    broadcast({"tumour_counts": ct, "tumour_volume_ml": vt, "normal_counts": cn,
               "normal_volume_ml": vn})
    return out((ct / vt) / (cn / vn), tumour_counts, tumour_volume_ml, normal_counts,
               normal_volume_ml)


@quiet
def lung_mass_from_ct_kg(lung_hu: Any, voxel_volume_ml: float) -> float:
    """Lung mass (kg) from the CT numbers (HU) of the voxels of a lung segmentation.

    M = sum_v V_v * max(0, 1 + HU_v / 1000) / 1000 (Kao 2014, CT densitovolumetry). HU below
    -1024 or above 3071 (outside the 12-bit CT range) are refused.
    """
    hu = real(lung_hu, "lung_hu", ge=-1024.0, le=3071.0)
    v = real(voxel_volume_ml, "voxel_volume_ml", gt=0.0)
    if v.ndim != 0:
        raise InputError("voxel_volume_ml", voxel_volume_ml, "a single number (mL per voxel)")
    rho = np.clip(1.0 + hu / 1000.0, 0.0, None)
    return float(out(rho.sum() * float(v) / 1000.0, 0.0))


@dataclass(frozen=True)
class PartitionDoses:
    """Activities (GBq) and mean doses (Gy) of the partition model for one activity."""

    activity_gbq: FloatOrArray
    tumour_activity_gbq: FloatOrArray
    normal_activity_gbq: FloatOrArray
    lung_activity_gbq: FloatOrArray
    tumour_dose_gy: FloatOrArray
    normal_dose_gy: FloatOrArray
    lung_dose_gy: FloatOrArray


def _partition_inputs(
    tumour_mass_kg: Any, normal_mass_kg: Any, tnr: Any, lsf: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    mt = real(tumour_mass_kg, "tumour_mass_kg", **_POS)
    mn = real(normal_mass_kg, "normal_mass_kg", **_POS)
    r = real(tnr, "tnr", **_POS)
    f = real(lsf, "lsf", **_LSF)
    return mt, mn, r, f


@quiet
def partition_doses(
    activity_gbq: Any,
    tumour_mass_kg: Any,
    normal_mass_kg: Any,
    tnr: Any,
    lsf: Any,
    lung_mass_kg: Any,
    dose_constant_gy_kg_per_gbq: Any,
) -> PartitionDoses:
    """Forward partition model: compartment activities and doses for an activity (Ho 1996)."""
    a = real(activity_gbq, "activity_gbq", ge=0.0)
    mt, mn, r, f = _partition_inputs(tumour_mass_kg, normal_mass_kg, tnr, lsf)
    ml = real(lung_mass_kg, "lung_mass_kg", **_POS)
    k = _k(dose_constant_gy_kg_per_gbq)
    broadcast({"activity_gbq": a, "tumour_mass_kg": mt, "normal_mass_kg": mn, "tnr": r,
               "lsf": f, "lung_mass_kg": ml})
    inputs = (activity_gbq, tumour_mass_kg, normal_mass_kg, tnr, lsf, lung_mass_kg,
              dose_constant_gy_kg_per_gbq)
    liver = a * (1.0 - f)
    denom = mn + r * mt
    a_t = liver * r * mt / denom
    a_n = liver * mn / denom
    a_l = a * f
    return PartitionDoses(
        activity_gbq=out(a, *inputs),
        tumour_activity_gbq=out(a_t, *inputs),
        normal_activity_gbq=out(a_n, *inputs),
        lung_activity_gbq=out(a_l, *inputs),
        tumour_dose_gy=out(k * a_t / mt, *inputs),
        normal_dose_gy=out(k * a_n / mn, *inputs),
        lung_dose_gy=out(k * a_l / ml, *inputs),
    )


@quiet
def partition_activity_for_tumour_dose_gbq(
    tumour_dose_gy: Any,
    tumour_mass_kg: Any,
    normal_mass_kg: Any,
    tnr: Any,
    lsf: Any,
    dose_constant_gy_kg_per_gbq: Any,
) -> FloatOrArray:
    """Activity (GBq) giving ``tumour_dose_gy``: A = D_T (M_N + TNR M_T) / (K TNR (1 - LSF))."""
    d = real(tumour_dose_gy, "tumour_dose_gy", **_POS)
    mt, mn, r, f = _partition_inputs(tumour_mass_kg, normal_mass_kg, tnr, lsf)
    k = _k(dose_constant_gy_kg_per_gbq)
    broadcast({"tumour_dose_gy": d, "tumour_mass_kg": mt, "normal_mass_kg": mn, "tnr": r,
               "lsf": f})
    a = d * (mn + r * mt) / (k * r * (1.0 - f))
    return out(a, tumour_dose_gy, tumour_mass_kg, normal_mass_kg, tnr, lsf,
               dose_constant_gy_kg_per_gbq)


@quiet
def partition_activity_for_normal_dose_gbq(
    normal_dose_gy: Any,
    tumour_mass_kg: Any,
    normal_mass_kg: Any,
    tnr: Any,
    lsf: Any,
    dose_constant_gy_kg_per_gbq: Any,
) -> FloatOrArray:
    """Activity (GBq) giving ``normal_dose_gy``: A = D_N (M_N + TNR M_T) / (K (1 - LSF))."""
    d = real(normal_dose_gy, "normal_dose_gy", **_POS)
    mt, mn, r, f = _partition_inputs(tumour_mass_kg, normal_mass_kg, tnr, lsf)
    k = _k(dose_constant_gy_kg_per_gbq)
    broadcast({"normal_dose_gy": d, "tumour_mass_kg": mt, "normal_mass_kg": mn, "tnr": r,
               "lsf": f})
    a = d * (mn + r * mt) / (k * (1.0 - f))
    return out(a, normal_dose_gy, tumour_mass_kg, normal_mass_kg, tnr, lsf,
               dose_constant_gy_kg_per_gbq)


def _compartments(
    masses_kg: Sequence[float], relative_uptake: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    m = real(masses_kg, "masses_kg", **_POS)
    r = real(relative_uptake, "relative_uptake", ge=0.0)
    if m.ndim != 1 or r.shape != m.shape:
        raise InputError(
            "relative_uptake", list(np.atleast_1d(r)),
            f"one uptake ratio per compartment ({m.size} masses given)",
        )
    if not np.any(r > 0):
        raise InputError("relative_uptake", list(r), "at least one compartment with uptake > 0")
    return m, r


@quiet
def multicompartment_doses_gy(
    activity_gbq: float,
    masses_kg: Sequence[float],
    relative_uptake: Sequence[float],
    lsf: float,
    lung_mass_kg: float,
    dose_constant_gy_kg_per_gbq: float,
) -> tuple[np.ndarray, float]:
    """Doses (Gy) to each compartment of one perfused territory, and the lung dose.

    ``relative_uptake`` r_i is each compartment's MAA count density relative to a reference
    (normal liver = 1 by convention). D_i = K A (1 - LSF) r_i / sum_j r_j M_j.
    """
    a = scalar(activity_gbq, "activity_gbq", ge=0.0)
    m, r = _compartments(masses_kg, relative_uptake)
    f = scalar(lsf, "lsf", **_LSF)
    ml = scalar(lung_mass_kg, "lung_mass_kg", **_POS)
    k = float(_k(dose_constant_gy_kg_per_gbq))
    doses = k * a * (1.0 - f) * r / float(np.sum(r * m))
    return np.asarray(out(doses, doses)), float(out(k * a * f / ml, 0.0))


@quiet
def multicompartment_activity_gbq(
    target_dose_gy: float,
    compartment: int,
    masses_kg: Sequence[float],
    relative_uptake: Sequence[float],
    lsf: float,
    dose_constant_gy_kg_per_gbq: float,
) -> float:
    """Activity (GBq) giving ``target_dose_gy`` to compartment number ``compartment``.

    A = D_i sum_j r_j M_j / (K (1 - LSF) r_i).
    """
    d = scalar(target_dose_gy, "target_dose_gy", **_POS)
    m, r = _compartments(masses_kg, relative_uptake)
    if isinstance(compartment, bool) or not isinstance(compartment, int | np.integer) or not (
        0 <= compartment < m.size
    ):
        raise InputError("compartment", compartment, f"an index 0..{m.size - 1}")
    if r[compartment] <= 0:
        raise InputError(
            "compartment", compartment, "a compartment with uptake > 0",
            "a compartment without uptake cannot be driven to a dose",
        )
    f = scalar(lsf, "lsf", **_LSF)
    k = float(_k(dose_constant_gy_kg_per_gbq))
    return float(out(d * float(np.sum(r * m)) / (k * (1.0 - f) * float(r[compartment])), 0.0))


@quiet
def classic_from_kao(
    tumour_lung_shunt_fraction: Any, activity_ratio: Any, tumour_mass_kg: Any,
    normal_mass_kg: Any,
) -> tuple[FloatOrArray, FloatOrArray]:
    """Convert Kao's partition definitions to the classic LSF and TNR.

    Kao YH et al. (Cardiovasc Intervent Radiol 2014, doi 10.1007/s00270-013-0783-z) define
    a tumour-to-lung shunt fraction
    TLSF = A_L / (A_T + A_L) and an *activity* ratio R = A_T / A_N, unlike the classic
    liver-to-lung LSF = A_L / (A_L + A_T + A_N) and the *concentration* ratio
    TNR = (A_T / M_T) / (A_N / M_N). With A_T = 1: A_L = TLSF / (1 - TLSF), A_N = 1 / R, so
    LSF = A_L / (A_L + 1 + 1 / R) and TNR = R M_N / M_T. Returns (lsf, tnr).
    """
    t = real(tumour_lung_shunt_fraction, "tumour_lung_shunt_fraction", ge=0.0, lt=1.0,
             allowed="a tumour-to-lung shunt fraction in [0, 1)")
    r = real(activity_ratio, "activity_ratio", gt=0.0)
    mt = real(tumour_mass_kg, "tumour_mass_kg", **_POS)
    mn = real(normal_mass_kg, "normal_mass_kg", **_POS)
    broadcast({"tumour_lung_shunt_fraction": t, "activity_ratio": r, "tumour_mass_kg": mt,
               "normal_mass_kg": mn})
    a_l = t / (1.0 - t)
    inputs = (tumour_lung_shunt_fraction, activity_ratio, tumour_mass_kg, normal_mass_kg)
    return out(a_l / (a_l + 1.0 + 1.0 / r), *inputs), out(r * mn / mt, *inputs)
