"""Resin microspheres (SIR-Spheres): BSA method and lung-shunt activity reductions.

BSA method (SIR-Spheres Instructions for Use; Kennedy A et al., REBOC consensus, IJROBP
2007;68:13; formula form as in Van Roekel C, thesis ch. 2, and open SIR calculators)::

    A [GBq] = (BSA [m2] - 0.2) + V_tumour / (V_tumour + V_normal liver)

BSA is by DuBois & DuBois (1916) in the Sirtex method (0.007184 W^0.425 H^0.725, H in cm).
The method is semi-empirical and ignores the tumour-to-normal ratio; the EANM SOP (Chiesa
2021) prefers MAA-based dosimetry. Lobar or selective treatment has two variants in use, and
the plan records which was used:

- ``"scale_all"``: A_target = A_whole * V_target / V_liver (SIR-Spheres IFU form);
- ``"scale_bsa_term"``: A = (BSA - 0.2) * V_target / V_liver + V_tumour,target / V_liver
  (an open AngularJS SIR-Spheres calculator).

Lung-shunt reductions (SIR-Spheres IFU table, as reproduced by REBOC 2007 and the reference
note ``dosimetry.md`` section 1.5; the IFU itself was not available to check, so the table is
data, :class:`ShuntReductionTable`, that a protocol may replace): LSF < 10 %: full activity;
10-15 %: reduce by 20 %; 15-20 %: reduce by 40 %; > 20 %: do not treat. The published bands
touch at 15 %; this implementation puts an LSF of exactly 15 % in the 40 % reduction band
(the more cautious reading), 10 % in the 20 % band and 20 % in the 40 % band.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from hccrt.dosimetry._validate import FloatOrArray, StrictModel, broadcast, out, quiet, real
from hccrt.errors import InputError

__all__ = [
    "DEFAULT_SHUNT_REDUCTION",
    "LobarVariant",
    "ShuntBand",
    "ShuntReductionTable",
    "resin_bsa_activity_gbq",
    "shunt_reduction_factor",
]

LobarVariant = Literal["scale_all", "scale_bsa_term"]


@quiet
def resin_bsa_activity_gbq(
    bsa_m2: Any,
    tumour_volume_ml: Any,
    liver_volume_ml: Any,
    target_volume_ml: Any = None,
    target_tumour_volume_ml: Any = None,
    lobar_variant: LobarVariant = "scale_all",
) -> FloatOrArray:
    """Resin activity (GBq) by the BSA method, before any lung-shunt reduction.

    ``liver_volume_ml`` is the whole liver including tumour. For whole-liver treatment leave
    ``target_volume_ml`` as None; for lobar treatment give the target (lobe) volume, and for
    the ``"scale_bsa_term"`` variant the tumour volume inside the target as well.
    """
    bsa = real(bsa_m2, "bsa_m2", gt=0.2, le=5.0, allowed="a body surface area in (0.2, 5] m2")
    vt = real(tumour_volume_ml, "tumour_volume_ml", ge=0.0)
    vl = real(liver_volume_ml, "liver_volume_ml", gt=0.0)
    broadcast({"bsa_m2": bsa, "tumour_volume_ml": vt, "liver_volume_ml": vl})
    if np.any(vt > vl):
        raise InputError(
            "tumour_volume_ml", float(np.max(vt)), "at most liver_volume_ml",
            "the liver volume includes the tumour",
        )
    whole = (bsa - 0.2) + vt / vl
    inputs: list[Any] = [bsa_m2, tumour_volume_ml, liver_volume_ml]
    if target_volume_ml is None:
        if target_tumour_volume_ml is not None:
            raise InputError("target_volume_ml", None, "a target volume when "
                             "target_tumour_volume_ml is given")
        return out(whole, *inputs)
    vtar = real(target_volume_ml, "target_volume_ml", gt=0.0)
    broadcast({"target_volume_ml": vtar, "liver_volume_ml": vl})
    if np.any(vtar > vl):
        raise InputError("target_volume_ml", float(np.max(vtar)), "at most liver_volume_ml")
    inputs.append(target_volume_ml)
    if lobar_variant == "scale_all":
        return out(whole * vtar / vl, *inputs)
    if lobar_variant == "scale_bsa_term":
        if target_tumour_volume_ml is None:
            raise InputError("target_tumour_volume_ml", None,
                             "the tumour volume inside the target (mL) for 'scale_bsa_term'")
        vtt = real(target_tumour_volume_ml, "target_tumour_volume_ml", ge=0.0)
        if np.any(vtt > vtar):
            raise InputError("target_tumour_volume_ml", float(np.max(vtt)),
                             "at most target_volume_ml")
        inputs.append(target_tumour_volume_ml)
        return out((bsa - 0.2) * vtar / vl + vtt / vl, *inputs)
    raise InputError("lobar_variant", lobar_variant, "'scale_all' or 'scale_bsa_term'")


class ShuntBand(StrictModel):
    """LSF band [lsf_from, lsf_to) (or closed at the top when ``to_inclusive``) and its factor.

    ``activity_factor`` is the fraction of the BSA activity given; None means do not treat.
    """

    lsf_from: float = Field(ge=0.0, le=1.0)
    lsf_to: float = Field(ge=0.0, le=1.0)
    to_inclusive: bool = False
    activity_factor: float | None = Field(ge=0.0, le=1.0)


class ShuntReductionTable(StrictModel):
    """Ordered, contiguous LSF bands covering [0, 1); a protocol may supply its own."""

    bands: tuple[ShuntBand, ...]
    source: str

    @model_validator(mode="after")
    def _contiguous(self) -> ShuntReductionTable:
        b = self.bands
        if not b or b[0].lsf_from != 0.0 or b[-1].lsf_to != 1.0:
            raise ValueError("bands: bands that start at LSF 0 and end at LSF 1")
        for lo, hi in itertools.pairwise(b):
            if lo.lsf_to != hi.lsf_from or lo.lsf_to <= lo.lsf_from:
                raise ValueError("bands: ordered, contiguous bands")
        return self


DEFAULT_SHUNT_REDUCTION = ShuntReductionTable(
    bands=(
        ShuntBand(lsf_from=0.0, lsf_to=0.10, activity_factor=1.0),
        ShuntBand(lsf_from=0.10, lsf_to=0.15, activity_factor=0.8),
        ShuntBand(lsf_from=0.15, lsf_to=0.20, to_inclusive=True, activity_factor=0.6),
        ShuntBand(lsf_from=0.20, lsf_to=1.0, activity_factor=None),
    ),
    source="SIR-Spheres IFU lung-shunt table as reproduced in REBOC (Kennedy 2007) "
    "[not checked against the IFU text]; 15 % assigned to the 40 % band",
)


def shunt_reduction_factor(
    lsf: Any, table: ShuntReductionTable = DEFAULT_SHUNT_REDUCTION
) -> FloatOrArray:
    """Fraction of the BSA activity to give for an LSF; NaN where the table says do not treat.

    NaN (not an error) marks "do not treat" so that a cohort can be processed in one call;
    :func:`hccrt.dosimetry.plan.plan_y90` turns it into a failed plan with the reason.
    """
    f = real(lsf, "lsf", ge=0.0, lt=1.0, allowed="a lung shunt fraction in [0, 1)")
    result = np.full(f.shape, np.nan)
    done = np.zeros(f.shape, dtype=bool)
    for band in table.bands:
        upper = (f <= band.lsf_to) if band.to_inclusive else (f < band.lsf_to)
        sel = ~done & (f >= band.lsf_from) & upper
        if band.activity_factor is not None:
            result[sel] = band.activity_factor
        done |= sel
    return float(result) if np.ndim(lsf) == 0 else result
