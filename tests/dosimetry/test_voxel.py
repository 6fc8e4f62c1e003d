"""Voxel dosimetry: LDM worked example, energy conservation of VSV, linear convolution, DVH.

Sources of the reference numbers:
- Ex 7 (LDM, 4.42 mm voxel, rho 1.05, 2 GBq, LSF 5 %, voxel with 1e-4 of the liver counts:
  104.1 Gy): shared/reference/dosimetry.md section 1.9 (computed by the note's author).
- Invariants 3 and 4 of the same section: LDM mean over the liver = K A (1 - LSF) / M; a
  uniform activity convolved with a kernel that deposits the whole mean beta energy equals
  the local-deposition dose. The kernel here is synthetic (a Gaussian normalised to
  E_mean = 0.9367 MeV per decay, TheraSphere insert v12) so the expected value is the
  independent closed form K = E T1/2 / ln 2.
- Direct convolution by scipy.ndimage.convolve (a different algorithm) as the reference for
  the FFT result.
- DVH: hand calculation on the dose values 1..100 Gy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from hccrt.dosimetry.voxel import dvh_metrics, ldm_dose_map_gy, vsv_dose_map_gy
from hccrt.errors import InputError

MEV_J = 1.602176634e-13


def kernel(size_mm: float, e_mev: float = 0.9367, n: int = 11, sigma_vox: float = 1.0):
    ax = np.arange(n) - n // 2
    g = np.exp(-(ax[:, None, None] ** 2 + ax[None, :, None] ** 2 + ax[None, None, :] ** 2)
               / (2 * sigma_vox ** 2))
    m_kg = (size_mm / 10) ** 3 * 1.0 / 1000.0  # density 1 g/mL
    # sum S * m = E per decay: mGy/(MBq s) = 1e3 Gy per 1e6 decays
    return g / g.sum() * e_mev * MEV_J * 1e6 * 1e3 / m_kg, m_kg


def test_ex7_ldm_voxel():
    counts = np.ones((100, 100, 1))
    d = ldm_dose_map_gy(counts, 0.442 ** 3, 2.0, 0.05, 49.67, 1.05)
    assert d[0, 0, 0] == pytest.approx(104.1, abs=0.05)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.1, 10), st.floats(0, 0.5))
def test_ldm_mean_equals_single_compartment(seed, a, lsf):
    rng = np.random.default_rng(seed)
    counts = rng.uniform(0, 100, (8, 8, 8))
    mask = rng.random((8, 8, 8)) < 0.6
    mask[0, 0, 0] = True
    counts[0, 0, 0] = 1.0
    d = ldm_dose_map_gy(counts, 0.1, a, lsf, 49.67, 1.05, normalisation_mask=mask)
    m_kg = mask.sum() * 0.1 * 1.05 / 1000
    assert d[mask].mean() == pytest.approx(49.67 * a * (1 - lsf) / m_kg, rel=1e-9)


def test_vsv_uniform_field_equals_ldm_energy_conservation():
    s, m_kg = kernel(4.42)
    act = np.full((32, 32, 32), 1e-4)  # GBq per voxel
    d = vsv_dose_map_gy(act, s)
    k = 0.9367 * MEV_J * 1e9 * 64.1 * 3600 / math.log(2)  # Gy kg / GBq, closed form
    assert d[16, 16, 16] == pytest.approx(k * 1e-4 / m_kg, rel=1e-9)
    d32 = vsv_dose_map_gy(act, s, dtype=np.float32)
    assert d32[16, 16, 16] == pytest.approx(d[16, 16, 16], rel=1e-5)
    # at a face the field is cut: about half the energy is lost outside
    assert d[0, 16, 16] < 0.75 * d[16, 16, 16]


def test_vsv_is_linear_not_circular_and_matches_direct_convolution():
    s, _ = kernel(4.42, n=5)
    rng = np.random.default_rng(3)
    act = np.zeros((12, 12, 12))
    act[0, 0, 0] = 1.0
    act[5:8, 5:8, 5:8] = rng.uniform(0, 1, (3, 3, 3))
    d = vsv_dose_map_gy(act, s)
    assert d[-1, -1, -1] == 0.0  # no wrap-around from the corner source
    cum = act * 1000 * 64.1 * 3600 / math.log(2)
    direct = ndimage.convolve(cum, s, mode="constant", cval=0.0) / 1000
    np.testing.assert_allclose(d, direct, rtol=1e-9, atol=1e-9 * direct.max())


def test_dvh_hand_values():
    dose = np.arange(1, 101, dtype=float).reshape(10, 10)
    m = dvh_metrics(dose)
    assert m["mean_gy"] == 50.5
    assert m["D70_gy"] == pytest.approx(1 + 0.30 * 99)  # 30th percentile, linear
    assert m["V100_pct"] == 1.0 and m["V205_pct"] == 0.0
    mask = dose > 50
    assert dvh_metrics(dose, mask, d_percent=(100,), v_gy=(51,))["D100_gy"] == 51.0


def test_voxel_bad_input():
    with pytest.raises(InputError):
        ldm_dose_map_gy(np.ones(5), 0.1, 1, 0.1, 50)
    with pytest.raises(InputError):
        ldm_dose_map_gy(-np.ones((3, 3)), 0.1, 1, 0.1, 50)
    with pytest.raises(InputError):
        ldm_dose_map_gy(np.zeros((3, 3)), 0.1, 1, 0.1, 50)
    with pytest.raises(InputError):
        ldm_dose_map_gy(np.ones((3, 3)), 0.1, 1, 0.1, 50, normalisation_mask=np.ones((2, 2),
                                                                                     bool))
    with pytest.raises(InputError):
        vsv_dose_map_gy(np.ones((4, 4, 4)), np.ones((4, 4, 4)))
    with pytest.raises(InputError):
        dvh_metrics(np.ones((3, 3)), np.zeros((3, 3), bool))
