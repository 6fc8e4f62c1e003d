"""Biologically effective dose of Y-90 radioembolization (permanent implant, decaying source).

Linear-quadratic model with incomplete repair during a mono-exponentially decaying dose
rate (Dale RG, Br J Radiol 1985;58:515; applied to Y-90 microspheres by Strigari L et al.,
JNM 2010;51:1377, and Cremonesi M et al. 2014 [lit])::

    BED = D [1 + D lambda / ((mu + lambda) alpha/beta)]
    lambda = ln 2 / T1/2(Y-90),   mu = ln 2 / T_rep   (T_rep = repair HALF-time)

The factor lambda / (mu + lambda) is the Lea-Catcheside G factor of the decaying dose rate.
Some codes (mghro/MIRDCalculation ``bioeffectRT``) put the repair *mean* time in this place;
here the argument is explicitly a half-time, ``repair_half_time_h``. EQD2 = BED / (1 + 2 /
(alpha/beta)). Parameters used in the reference note (section 1.10): tumour alpha/beta 10 Gy,
T_rep 1.5 h; normal liver alpha/beta 2.5 Gy, T_rep 2.5 h [lit].
"""

from __future__ import annotations

import math
from typing import Any

from hccrt.dosimetry._validate import FloatOrArray, broadcast, out, quiet, real
from hccrt.dosimetry.constants import Y90_HALF_LIFE_H

__all__ = ["radioembolization_bed_gy", "radioembolization_eqd2_gy"]


@quiet
def radioembolization_bed_gy(
    dose_gy: Any, alpha_beta_gy: Any, repair_half_time_h: Any,
    half_life_h: float = Y90_HALF_LIFE_H,
) -> FloatOrArray:
    """BED (Gy) of a mean absorbed dose delivered by permanently trapped Y-90 (Dale 1985)."""
    d = real(dose_gy, "dose_gy", ge=0.0, le=1e5)
    ab = real(alpha_beta_gy, "alpha_beta_gy", gt=0.0)
    trep = real(repair_half_time_h, "repair_half_time_h", gt=0.0)
    th = real(half_life_h, "half_life_h", gt=0.0)
    broadcast({"dose_gy": d, "alpha_beta_gy": ab, "repair_half_time_h": trep,
               "half_life_h": th})
    lam = math.log(2.0) / th
    mu = math.log(2.0) / trep
    return out(d * (1.0 + d * lam / ((mu + lam) * ab)), dose_gy, alpha_beta_gy,
               repair_half_time_h, half_life_h)


def radioembolization_eqd2_gy(
    dose_gy: Any, alpha_beta_gy: Any, repair_half_time_h: Any,
    half_life_h: float = Y90_HALF_LIFE_H,
) -> FloatOrArray:
    """EQD2 (Gy) = BED / (1 + 2 / (alpha/beta)) for a Y-90 radioembolization dose."""
    bed = radioembolization_bed_gy(dose_gy, alpha_beta_gy, repair_half_time_h, half_life_h)
    ab = real(alpha_beta_gy, "alpha_beta_gy", gt=0.0)
    return out(bed / (1.0 + 2.0 / ab), dose_gy, alpha_beta_gy)
