"""Latent outcomes: survival, progression, withdrawal and loss, response, end of follow-up."""

from __future__ import annotations

import numpy as np

from hccrt.protocols.schema import Assessment
from hccrt.simulate import schedule as sched
from hccrt.simulate.cohort.common import LN2, MONTH, _days, _dd
from hccrt.simulate.cohort.state import _State


class _Outcomes(_State):
    """Stage ``outcomes`` (no records: the truth the records are drawn from)."""

    def _first_imaging_days(self) -> np.ndarray:
        """Days from allocation to the latest possible date of the first post-baseline imaging."""
        out = np.full(self.n, np.inf)
        for occ in sched.occurrences(self.p):
            v = occ.visit
            if Assessment.IMAGING not in v.assessments or self._is_screening(occ):
                continue
            anchor = self._anchor(v.anchor)
            arms_ok = self._visit_arm_mask(v)
            planned = sched.planned_dates(occ, anchor)
            _, after = sched.window_days(v)
            d = _dd(planned, self.alloc_date) + after + 14
            d[np.isnan(d) | ~arms_ok] = np.inf
            d[d <= 0] = np.inf
            out = np.minimum(out, d)
        return out

    def _outcomes(self) -> None:
        rng, n = self.rng["time"], self.n
        os_med = self._arm_value(lambda a: a.os_median_months.value) * MONTH
        pfs_med = self._arm_value(lambda a: a.pfs_median_months.value) * MONTH
        lam_os, lam_pfs = LN2 / os_med, LN2 / pfs_med
        self.os_days = rng.exponential(1 / lam_os)
        self.ttp_days = rng.exponential(1 / (lam_pfs - lam_os))
        self.pfs_days = np.minimum(self.os_days, self.ttp_days)
        cond = self.par.conduct
        lam_w = -np.log(1 - cond.withdrawal_24m.value) / (24 * MONTH)
        lam_l = -np.log(1 - cond.lost_24m.value) / (24 * MONTH)
        self.wd_days = rng.exponential(1 / lam_w, n) if lam_w > 0 else np.full(n, np.inf)
        self.lost_days = rng.exponential(1 / lam_l, n) if lam_l > 0 else np.full(n, np.inf)
        last_enrol = self.alloc_date.max()
        self.cutoff = sched.add_months(np.array([last_enrol]), 0)[0] + np.timedelta64(
            round(self.par.follow_up_months * MONTH), "D")
        admin = (self.cutoff - self.alloc_date).astype(float)
        # response
        r = self.rng["resp"]
        c = self._first_imaging_days()
        self.first_img_days = c
        orr = self._arm_value(lambda a: a.orr_mrecist.value)
        cr = self._arm_value(lambda a: a.cr_mrecist.value)
        orr_r = self._arm_value(lambda a: a.orr_recist.value)
        p = orr.copy()
        for k, a in enumerate(self.arm_ids):
            dr = self.par.arms[a].dose_response
            sel = (self.arm == k) & np.isfinite(self.dose_achieved)
            if dr is not None and sel.any():
                d = self.dose_achieved[sel]
                p[sel] = dr.pmax.value / (1 + (dr.d50_gy.value / d) ** dr.hill.value)
        scale = np.where(orr > 0, p / np.where(orr > 0, orr, 1), 0)
        self.p_response = p
        q = np.exp(-lam_pfs * np.where(np.isfinite(c), c, 0))
        cond_p = np.where(np.isfinite(c), p / q, 0)
        self.response_capped = cond_p > 1
        if self.response_capped.any():
            self.notes.append(f"{int(self.response_capped.sum())} participant(s): response "
                              "probability capped at 1 given PFS beyond the first imaging")
        eligible_r = self.pfs_days > c
        self.resp = eligible_r & (r.random(n) < np.minimum(cond_p, 1))
        u = r.random(n)
        self.cr = self.resp & (u < np.where(orr > 0, cr * scale / np.maximum(p, 1e-12), 0))
        p_recist = np.where(orr > 0, orr_r / np.maximum(orr, 1e-12), 0)
        self.resp_recist = self.resp & (r.random(n) < p_recist)
        # end of follow-up
        ends = np.vstack([self.os_days, self.wd_days, self.lost_days, admin])
        which = np.argmin(ends, axis=0)
        self.end_days = ends[which, np.arange(n)]
        self.end_reason = np.array(["DEATH", "WITHDRAWAL", "LOST", "COMPLETED"],
                                   dtype=object)[which]
        self.end_date = self.alloc_date + _days(np.floor(self.end_days))
        self.death = self.end_reason == "DEATH"
        p_out = self._arm_value(lambda a: a.out_of_field_progression.value)
        self.out_of_field = r.random(n) < p_out
