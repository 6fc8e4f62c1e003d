"""Delivered doses scaled from the plan agree with a full recomputation at that activity."""

from __future__ import annotations

import numpy as np
import pytest

from hccrt.dosimetry.delivery import delivered_dose_gy, delivered_fraction
from hccrt.dosimetry.plan import Tumour, Y90PlanInput, plan_y90
from hccrt.errors import InputError


@pytest.mark.parametrize("delivered", [0.0, 1.7, 2.9, 3.4])
def test_scaling_equals_plan_recomputed_at_the_delivered_activity(delivered: float) -> None:
    plan = plan_y90(Y90PlanInput(device="glass", model="partition", driver="tumour_dose",
                                 prescribed_value=205.0, perfused_volume_ml=900.0,
                                 tumours=(Tumour(volume_ml=150.0, tnr=3.2),), lsf=0.08))
    planned, redone = plan.result, plan.at_activity(delivered)
    for attr in ("tumour_dose_gy", "normal_liver_dose_gy", "lung_dose_gy", "perfused_dose_gy"):
        scaled = delivered_dose_gy(getattr(planned, attr), planned.activity_gbq, delivered)
        assert float(scaled) == pytest.approx(getattr(redone, attr), rel=1e-12), attr


def test_mird_hand_example() -> None:
    # MIRD single compartment: D = 49.67 x A / M. 120 Gy planned to 1.5 kg needs
    # A = 120 x 1.5 / 49.67 = 3.624 GBq; 90 % of it delivered -> 108 Gy.
    planned_a = 120 * 1.5 / 49.67
    assert float(delivered_dose_gy(120.0, planned_a, 0.9 * planned_a)) == pytest.approx(108.0)


def test_missing_values_stay_missing_and_bad_values_are_named() -> None:
    out = delivered_fraction([2.0, np.nan], [1.0, 1.0])
    assert out[0] == 0.5 and np.isnan(out[1])
    with pytest.raises(InputError, match="planned_activity_gbq"):
        delivered_fraction([0.0], [1.0])
    with pytest.raises(InputError, match="delivered_activity_gbq"):
        delivered_fraction([1.0], [-1.0])
    with pytest.raises(InputError, match="planned_dose_gy"):
        delivered_dose_gy([-1.0], [1.0], [1.0])
