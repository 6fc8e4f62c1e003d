"""Quality-of-life questionnaires (QS): EORTC QLQ-C30 and HCC18 at the QoL visits."""

from __future__ import annotations

import numpy as np

from hccrt.records.schema import (
    HCC18_TESTCD,
    QLQC30_TESTCD,
)
from hccrt.simulate.cohort.common import _dd, _iso
from hccrt.simulate.cohort.state import _State


class _Questionnaires(_State):
    """Stage ``questionnaires``."""

    def _questionnaires(self) -> None:
        rng = self.rng["qs"]
        q = self._attended("qol")
        if not len(q):
            return
        j = q["i"].to_numpy()
        k = len(q)
        z0 = rng.normal(0, 1, self.n)
        dal = _dd(q["actual"].to_numpy(), self.alloc_date[j])
        z = z0[j] + np.where(dal >= self.ttp_days[j], 0.8, 0.0) + rng.normal(0, 0.4, k)
        us, vn, vis = q["USUBJID"].to_numpy(), q["visitnum"].to_numpy(), q["visit"].to_numpy()
        dtc = _iso(q["actual"].to_numpy())
        miss = self.par.conduct.qol_item_missing_fraction.value
        for item, testcd in enumerate((*QLQC30_TESTCD, *HCC18_TESTCD), start=1):
            if item in (29, 30):
                val = np.clip(np.round(5.0 - 0.9 * z + rng.normal(0, 0.7, k)), 1, 7)
            else:
                val = np.clip(np.round(1.7 + 0.6 * z + rng.normal(0, 0.6, k)), 1, 4)
            gone = rng.random(k) < miss
            cat = "EORTC QLQ-C30 V3.0" if item <= 30 else "EORTC QLQ-HCC18"
            txt = np.where(gone, None, val.astype(int).astype(str)).astype(object)
            self.t.add("QS", USUBJID=us, QSTESTCD=testcd,
                       QSTEST=f"{cat.replace(' V3.0', '')} item {item}", QSCAT=cat,
                       QSORRES=txt, QSORRESU=None, QSSTRESC=txt, QSSTRESU=None,
                       QSSTRESN=np.where(gone, np.nan, val),
                       QSSTAT=np.where(gone, "NOT DONE", None),
                       QSREASND=np.where(gone, "ITEM NOT ANSWERED", None),
                       QSBLFL=np.where(vn == 100.0, "Y", None), VISITNUM=vn, VISIT=vis,
                       QSDTC=dtc)
