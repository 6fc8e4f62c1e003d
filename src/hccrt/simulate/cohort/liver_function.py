"""Regional liver function (XL): hepatobiliary scintigraphy per territory."""

from __future__ import annotations

import numpy as np

from hccrt.records.schema import (
    XL_TESTS,
)
from hccrt.simulate.cohort.common import _dd, _iso
from hccrt.simulate.cohort.state import _State


class _LiverFunction(_State):
    """Stage ``regional liver function``."""

    def _liver_function(self) -> None:
        """XL: hepatobiliary scintigraphy at the visits that schedule it (parameters
        ``liver_function``). Per participant a baseline whole-liver uptake rate and the share
        of it in the liver left untreated; after the first treatment the treated territory and
        the untreated liver change by the cited relative amounts, linearly to day 180, with a
        log-normal measurement error per territory. The whole liver is the sum of the two."""
        lf = self.par.liver_function
        q = self._attended("hepatobiliary_scintigraphy")
        if lf is None or not len(q):
            return
        rng, n = self.rng["xl"], self.n
        total0 = np.clip(rng.normal(lf.total_uptake_mean.value, lf.total_uptake_sd.value, n),
                         0.5, None)
        share = rng.uniform(lf.untreated_share_min.value, lf.untreated_share_max.value, n)
        j = q["i"].to_numpy()
        k = len(q)
        days = _dd(q["actual"].to_numpy(), self.first_tx[j]).astype(float)
        frac = np.clip(np.nan_to_num(days, nan=0.0) / 180.0, 0.0, 1.0)
        sd = lf.measurement_sd.value
        treated = (total0[j] * (1 - share[j]) * (1 + lf.treated_change_180d.value * frac)
                   * np.exp(rng.normal(0, sd, k)))
        untreated = (total0[j] * share[j] * (1 + lf.untreated_change_180d.value * frac)
                     * np.exp(rng.normal(0, sd, k)))
        test, unit = XL_TESTS["HBUPTR"]
        us, vn, vis = q["USUBJID"].to_numpy(), q["visitnum"].to_numpy(), q["visit"].to_numpy()
        dtc = _iso(q["actual"].to_numpy())
        for loc, val in (("WHOLE LIVER", treated + untreated), ("TREATED TERRITORY", treated),
                         ("UNTREATED LIVER", untreated)):
            v = np.round(val, 2)
            txt = np.array([f"{x:g}" for x in v], dtype=object)
            self.t.add("XL", USUBJID=us, XLTESTCD="HBUPTR", XLTEST=test,
                       XLCAT="REGIONAL LIVER FUNCTION", XLORRES=txt, XLORRESU=unit,
                       XLSTRESC=txt, XLSTRESN=v, XLSTRESU=unit, XLLOC=loc,
                       XLMETHOD="HEPATOBILIARY SCINTIGRAPHY WITH SPECT-CT",
                       XLBLFL=np.where(vn == 100.0, "Y", None), VISITNUM=vn, VISIT=vis,
                       XLDTC=dtc)
