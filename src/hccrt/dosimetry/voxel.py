"""Voxel dosimetry for Y-90: local deposition (LDM), kernel convolution (VSV), DVH metrics.

Images are numpy arrays plus their voxel size; callers keep the geometry (spacing, origin,
direction; e.g. from SimpleITK or pydicom) next to the arrays, and every map returned has the
input's shape, so the geometry carries over unchanged.

- LDM (EANM dosimetry SOP, Chiesa C et al., EJNMMI Phys 2021,
  doi 10.1186/s40658-021-00394-3: the recommended method for Y-90; patient-relative
  calibration): the administered liver activity A (1 - LSF) is shared in proportion to the
  counts, normalised over a VOI (whole liver or perfused volume), and deposited locally::

      D_v [Gy] = K A (1 - LSF) (C_v / sum_VOI C) / m_v [kg],   m_v = rho_v V_v / 1000

- VSV (MIRD Pamphlet 17, Bolch WE et al., JNM 1999;40:11S): D = A~ (*) S with A~ the
  cumulated activity per voxel (MBq s; permanent trapping: A~ = A T1/2 / ln 2) and S the
  voxel S values (mGy / (MBq s)) of the same voxel size. Linear (zero-padded) convolution by
  ``scipy.signal.fftconvolve``; circular FFT convolution is never used. No kernel data ship
  with hccrt: pass a published kernel (e.g. Lanconelli et al., Phys Med Biol 2012;57:517),
  resampled to the image voxel size.
- DVH metrics: D_x = dose received by at least x % of the VOI (the (100 - x)-th percentile,
  linear interpolation between voxels); V_x = % of the VOI receiving >= x Gy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import signal

from hccrt.dosimetry._validate import real, scalar
from hccrt.dosimetry.constants import Y90_HALF_LIFE_H
from hccrt.errors import InputError

__all__ = ["dvh_metrics", "ldm_dose_map_gy", "vsv_dose_map_gy"]


def _image(values: Any, field: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim not in (2, 3):
        raise InputError(field, f"array of shape {arr.shape}", "a 2-D or 3-D image array")
    return real(arr, field, ge=0.0)


def _mask(mask: Any, shape: tuple[int, ...], field: str) -> np.ndarray:
    if mask is None:
        return np.ones(shape, dtype=bool)
    m = np.asarray(mask)
    if m.shape != shape or m.dtype != bool:
        raise InputError(field, f"{m.dtype} array of shape {m.shape}",
                         f"a boolean array of shape {shape}")
    if not m.any():
        raise InputError(field, "empty mask", "a mask with at least one voxel")
    return m


def ldm_dose_map_gy(
    counts: Any,
    voxel_volume_ml: float,
    activity_gbq: float,
    lsf: float,
    dose_constant_gy_kg_per_gbq: float,
    density_g_per_ml: Any = 1.05,
    normalisation_mask: Any = None,
) -> np.ndarray:
    """Absorbed dose map (Gy) by local deposition of the liver activity, see module docstring.

    ``density_g_per_ml`` is a number or a map (e.g. from CT); its default 1.05 g/mL is the
    soft-tissue density of the EANM-community tools (Taranis, sirt_dosimetry).
    """
    c = _image(counts, "counts")
    v = scalar(voxel_volume_ml, "voxel_volume_ml", gt=0.0)
    a = scalar(activity_gbq, "activity_gbq", ge=0.0)
    f = scalar(lsf, "lsf", ge=0.0, lt=1.0, allowed="a lung shunt fraction in [0, 1)")
    k = scalar(dose_constant_gy_kg_per_gbq, "dose_constant_gy_kg_per_gbq", gt=0.0)
    rho = real(density_g_per_ml, "density_g_per_ml", gt=0.0)
    if rho.ndim and rho.shape != c.shape:
        raise InputError("density_g_per_ml", f"array of shape {rho.shape}",
                         f"a number or an array of shape {c.shape}")
    m = _mask(normalisation_mask, c.shape, "normalisation_mask")
    total = float(c[m].sum())
    if total <= 0:
        raise InputError("counts", 0.0, "counts > 0 inside the normalisation mask")
    mass_kg = rho * v / 1000.0
    return k * a * (1.0 - f) * (c / total) / mass_kg


def vsv_dose_map_gy(
    activity_gbq_map: Any,
    kernel_mgy_per_mbq_s: Any,
    half_life_h: float = Y90_HALF_LIFE_H,
    dtype: type[np.floating] = np.float64,
) -> np.ndarray:
    """Absorbed dose map (Gy) for permanently trapped activity by voxel-S-value convolution.

    ``activity_gbq_map`` is the activity per voxel (GBq) at administration; the kernel has odd
    sizes, is centred, and matches the image voxel size. float32 halves memory and time at
    ~1e-6 relative precision.
    """
    a = _image(activity_gbq_map, "activity_gbq_map")
    s = np.asarray(kernel_mgy_per_mbq_s)
    if s.ndim != a.ndim or any(n % 2 == 0 for n in s.shape):
        raise InputError("kernel_mgy_per_mbq_s", f"array of shape {s.shape}",
                         f"a {a.ndim}-D kernel with odd sizes, centred")
    s = real(s, "kernel_mgy_per_mbq_s", ge=0.0)
    th = scalar(half_life_h, "half_life_h", gt=0.0)
    if dtype not in (np.float32, np.float64):
        raise InputError("dtype", dtype, "numpy.float32 or numpy.float64")
    cumulated_mbq_s = a * 1000.0 * th * 3600.0 / math.log(2.0)
    dose_mgy = signal.fftconvolve(cumulated_mbq_s.astype(dtype), s.astype(dtype), mode="same")
    return np.clip(dose_mgy, 0.0, None) / 1000.0  # FFT round-off can give tiny negatives


def dvh_metrics(
    dose_gy: Any,
    mask: Any = None,
    d_percent: Sequence[float] = (50, 70, 90, 95),
    v_gy: Sequence[float] = (100, 205),
) -> dict[str, float]:
    """Mean, D_x (Gy) and V_x (% of the VOI) of a dose map inside ``mask``."""
    d = np.asarray(dose_gy)
    real(d, "dose_gy")
    m = _mask(mask, d.shape, "mask")
    vals = d[m].astype(np.float64)
    out = {"mean_gy": float(vals.mean()), "min_gy": float(vals.min()),
           "max_gy": float(vals.max())}
    for x in d_percent:
        px = scalar(x, "d_percent", ge=0.0, le=100.0)
        out[f"D{px:g}_gy"] = float(np.percentile(vals, 100.0 - px))
    for g in v_gy:
        gx = scalar(g, "v_gy", ge=0.0)
        out[f"V{gx:g}_pct"] = float(np.count_nonzero(vals >= gx) / vals.size * 100.0)
    return out
