"""Doses actually delivered when the administered activity differs from the planned one.

In the MIRD single-compartment and partition models every absorbed dose is proportional to
the activity reaching the patient (D = A x 49.67 Gy.kg/GBq x fraction / mass; Gulec SA et al.,
J Nucl Med 2006;47:1209-11, and the TheraSphere/SIR-Spheres package inserts), the compartment
fractions (lung shunt, tumour-to-normal ratio) being properties of the patient, not of the
activity. So a delivered dose is the planned dose scaled by delivered / planned activity —
exactly what :meth:`hccrt.dosimetry.plan.Y90Plan.at_activity` recomputes for one plan (the
tests check the two agree); this vectorised form serves record tables (XP/XA), where the
plan object is not at hand.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hccrt.errors import InputError

__all__ = ["delivered_dose_gy", "delivered_fraction"]


def delivered_fraction(planned_activity_gbq: ArrayLike,
                       delivered_activity_gbq: ArrayLike) -> np.ndarray:  # fmt: skip
    """Delivered / planned activity (1.0 = as planned); NaN where either is missing."""
    planned = np.asarray(planned_activity_gbq, dtype=float)
    delivered = np.asarray(delivered_activity_gbq, dtype=float)
    if np.any(planned[~np.isnan(planned)] <= 0):
        raise InputError("planned_activity_gbq", planned[planned <= 0][0], "> 0 GBq")
    if np.any(delivered[~np.isnan(delivered)] < 0):
        raise InputError("delivered_activity_gbq", delivered[delivered < 0][0], ">= 0 GBq")
    return delivered / planned


def delivered_dose_gy(planned_dose_gy: ArrayLike, planned_activity_gbq: ArrayLike,
                      delivered_activity_gbq: ArrayLike) -> np.ndarray:  # fmt: skip
    """Absorbed dose at the delivered activity, from the planned dose at the planned activity."""
    dose = np.asarray(planned_dose_gy, dtype=float)
    if np.any(dose[~np.isnan(dose)] < 0):
        raise InputError("planned_dose_gy", dose[dose < 0][0], ">= 0 Gy")
    return dose * delivered_fraction(planned_activity_gbq, delivered_activity_gbq)
