"""Vectorised cohort planning agrees with the per-plan reference path and the worked examples.

Reference numbers: shared/reference/dosimetry.md section 1.9 Ex 2 and Ex 3 (computed by the
note's author from the label formulas); protocol limits from shared/protocols.md.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from hccrt.dosimetry.checks import Limit, ReferenceLungLimit, Window, Y90Limits, check_y90
from hccrt.dosimetry.cohort import plan_cohort
from hccrt.dosimetry.ledger import LedgerEntry, TreatmentLedger
from hccrt.dosimetry.plan import Tumour, Y90PlanInput, plan_y90
from hccrt.errors import InputError

LIMITS = Y90Limits(
    tumour_dose_gy=Window(low=100, high=300),
    lung_dose_session_gy=Limit(value=30),
    lung_dose_cumulative_gy=Limit(value=50, inclusive=False),
    lung_dose_at_reference=ReferenceLungLimit(reference_tumour_dose_gy=150,
                                              max_lung_dose_gy=Limit(value=15)),
    untreated_nontumoral_liver_fraction=Limit(value=0.3),
)


def test_worked_examples_in_one_call():
    df = plan_cohort("partition", [150, 150], 1500, [0.10, 0.15], tumour_volume_ml=200,
                     tnr=3, limits=LIMITS)
    assert df["activity_gbq"].tolist() == pytest.approx([2.189, 2.318], abs=5e-4)
    assert df["lung_dose_at_reference_gy"].tolist() == pytest.approx([10.87, 17.27], abs=5e-3)
    assert df["lung_dose_at_reference_tumour_dose"].tolist() == ["pass", "fail"]
    mird = plan_cohort("mird", [350, 700, 1050], 150, 0.03)
    assert mird["activity_gbq"].tolist() == pytest.approx([1.122, 2.245, 3.367], abs=5e-4)


def test_matches_per_plan_path():
    rng = np.random.default_rng(7)
    n = 60
    dose = rng.uniform(80, 400, n)
    vp = rng.uniform(300, 2000, n)
    vt = rng.uniform(10, 250, n)
    tnr = rng.uniform(0.5, 8, n)
    lsf = rng.uniform(0, 0.35, n)
    prev = rng.uniform(0, 40, n)
    nt = vp - vt + rng.uniform(0, 1500, n)
    df = plan_cohort("partition", dose, vp, lsf, tumour_volume_ml=vt, tnr=tnr, limits=LIMITS,
                     nontumoral_liver_volume_ml=nt, previous_lung_dose_gy=prev)
    for i in range(n):
        p = plan_y90(Y90PlanInput(device="glass", model="partition", driver="tumour_dose",
                                  prescribed_value=dose[i], perfused_volume_ml=vp[i],
                                  tumours=(Tumour(volume_ml=vt[i], tnr=tnr[i]),), lsf=lsf[i]))
        assert df["activity_gbq"][i] == pytest.approx(p.result.activity_gbq, rel=1e-12)
        assert df["normal_liver_dose_gy"][i] == pytest.approx(p.result.normal_liver_dose_gy,
                                                              rel=1e-12)
        led = TreatmentLedger(participant_id="x", entries=(LedgerEntry(
            treatment_date=date(2026, 1, 1), plan_id="a", territory="other", device="glass",
            activity_gbq=1, lung_dose_gy=prev[i], perfused_dose_gy=1,
            perfused_nontumoral_volume_ml=0),))
        for r in check_y90(p, LIMITS, ledger=led, nontumoral_liver_volume_ml=nt[i]):
            assert df[r.rule][i] == r.status, (i, r)


def test_cohort_bad_input():
    with pytest.raises(InputError):
        plan_cohort("partition", 150, 1500, 0.1, tumour_volume_ml=200)
    with pytest.raises(InputError) as e:
        plan_cohort("mird", 150, [100, 200], 0.1, tumour_volume_ml=[50, 300])
    assert "element 1" in str(e.value)
    with pytest.raises(InputError):
        plan_cohort("mird", 150, [100, 200], [0.1, 0.2, 0.3])
    with pytest.raises(InputError):
        plan_cohort("bsa", 150, 100, 0.1)  # type: ignore[arg-type]
