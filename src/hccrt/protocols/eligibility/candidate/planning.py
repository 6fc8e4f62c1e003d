"""Facts from the Y-90 planning module: partition-model lung dose, untreated liver fraction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hccrt.dosimetry.constants import Y90Constants
from hccrt.dosimetry.plan import untreated_nontumoral_fraction
from hccrt.dosimetry.y90 import lung_dose_gy, mass_kg, partition_activity_for_tumour_dose_gbq

if TYPE_CHECKING:
    from hccrt.protocols.eligibility.candidate.frame import Facts


def lung_dose_at_reference(f: Facts, tumour_dose_gy: float) -> np.ndarray:
    """Partition-model lung dose (Gy) when ``tumour_dose_gy`` is given to the tumour.

    From the 99mTc-MAA work-up (LSF, TNR), the tumour and perfused non-tumorous liver volumes
    and the lung mass (default: the label convention of 1 kg), with the planning module's
    constants (:class:`~hccrt.dosimetry.constants.Y90Constants`). NaN where an input is
    missing.
    """
    c = Y90Constants()
    inp = f.inputs
    lung = np.where(np.isnan(inp["lung_mass_kg"]), c.lung_mass_kg, inp["lung_mass_kg"])
    cols = [inp["maa_lsf"], inp["maa_tnr"], inp["tumour_volume_ml"],
            inp["treated_nontumoral_volume_ml"]]
    ok = np.logical_and.reduce([np.isfinite(x) for x in cols]) & (cols[3] > 0)
    out = np.full(f.n, np.nan)
    if ok.any():
        mt = mass_kg(cols[2][ok], c.tumour_density_g_per_ml)
        mn = mass_kg(cols[3][ok], c.liver_density_g_per_ml)
        a = partition_activity_for_tumour_dose_gbq(
            np.full(int(ok.sum()), float(tumour_dose_gy)), mt, mn, cols[1][ok], cols[0][ok],
            c.dose_constant_gy_kg_per_gbq)
        out[ok] = lung_dose_gy(a, cols[0][ok], lung[ok], c.dose_constant_gy_kg_per_gbq)
    return out


def untreated_fraction(f: Facts) -> np.ndarray:
    """Untreated non-tumorous liver fraction, NaN where inputs are missing.

    The planning module's definition (:func:`hccrt.dosimetry.plan.untreated_nontumoral_fraction`,
    EANM 2022: (V_NT,total - V_NT,treated) / V_NT,total), evaluated on whole columns as
    :func:`hccrt.dosimetry.cohort.plan_cohort` does (the tests compare it with the scalar
    function); a treated volume above the total is refused by the scalar function's check.
    """
    total = f.inputs["nontumoral_liver_volume_ml"]
    treated = f.inputs["treated_nontumoral_volume_ml"]
    ok = np.isfinite(total) & np.isfinite(treated)
    out = np.full(f.n, np.nan)
    if ok.any():
        over = ok & (treated > total)
        if over.any():
            i = int(np.flatnonzero(over)[0])
            untreated_nontumoral_fraction(total[i], treated[i])  # raises InputError
        out[ok] = (total[ok] - treated[ok]) / total[ok]
    return out
