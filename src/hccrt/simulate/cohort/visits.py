"""Visits: the schedule of assessments made dated (SV, DV), with surgery dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.protocols.schema import Anchor, Assessment, InterventionKind
from hccrt.simulate import schedule as sched
from hccrt.simulate.cohort.common import _days, _dd, _iso
from hccrt.simulate.cohort.state import _State


class _Visits(_State):
    """Stage ``visits``."""

    def _visits(self) -> None:
        self._plan_surgery()
        rng, n = self.rng["visit"], self.n
        cond = self.par.conduct
        rows = []
        for occ in sched.occurrences(self.p):
            v = occ.visit
            if v.anchor is Anchor.EACH_TREATMENT:
                rows.extend(self._treatment_visits(occ))
                continue
            anchor = self._anchor(v.anchor)
            planned = sched.planned_dates(occ, anchor)
            ok = self._visit_arm_mask(v) & ~np.isnat(planned)
            before, after = sched.window_days(v)
            fixed = before == 0 and after == 0
            screening = self._is_screening(occ)
            is_surgery = Assessment.SURGERY in v.assessments
            if is_surgery:
                actual = self.surg_date.copy()
                planned = np.where(self.surg, planned, sched.NAT)
                ok &= self.surg
                dev = np.zeros(n, bool)
                missed = np.zeros(n, bool)
            elif screening:
                actual = self.screen_date[self.idx]
                planned = actual
                dev = np.zeros(n, bool)
                missed = np.zeros(n, bool)
            else:
                jitter = np.round(rng.normal(0, max(before, after, 1) / 3, n))
                jitter = np.clip(jitter, -before, after)
                dev = (rng.random(n) < cond.window_deviation_fraction.value) & ~fixed
                out = rng.integers(1, 15, n)
                jitter = np.where(dev, np.where(rng.random(n) < 0.7, after + out, -before - out),
                                  jitter)
                actual = planned + _days(np.where(fixed, 0, jitter))
                # No trial visit precedes consent, however early the window or the deviation
                # (a planning visit days before a treatment given soon after consent).
                consent = self.screen_date[self.idx]
                actual = np.where(actual < consent, consent, actual)
                missed = (rng.random(n) < cond.missed_visit_fraction.value) & ~fixed
            ok &= ~np.isnat(actual)
            ok[ok] &= actual[ok] <= self.end_date[ok]
            rows.append(pd.DataFrame({
                "i": np.flatnonzero(ok), "visitnum": occ.visitnum, "visit": occ.name,
                "visit_id": v.id, "planned": planned[ok], "actual": actual[ok],
                "deviation": dev[ok], "missed": missed[ok], "before": before, "after": after,
                "anchor": v.anchor.value,
                "assessments": [tuple(a.value for a in v.assessments)] * int(ok.sum()),
            }))
        vt = pd.concat(rows, ignore_index=True).sort_values(["i", "actual", "visitnum"])
        vt = vt.reset_index(drop=True)
        vt["missed"] = vt["missed"].astype(bool)
        vt["deviation"] = vt["deviation"].astype(bool)
        vt["planned"] = vt["planned"].astype("datetime64[s]")
        vt["actual"] = vt["actual"].astype("datetime64[s]")
        vt["USUBJID"] = self.usub[vt["i"].to_numpy()]
        self.visit_table = vt
        att = vt[~vt["missed"]]
        self.t.add("SV", USUBJID=att["USUBJID"].to_numpy(), VISITNUM=att["visitnum"].to_numpy(),
                   VISIT=att["visit"].to_numpy(), SVPRESP="Y", SVOCCUR="Y",
                   SVSTDTC=_iso(att["actual"].to_numpy()), SVENDTC=_iso(att["actual"].to_numpy()))
        mis = vt[vt["missed"]]
        self.t.add("SV", USUBJID=mis["USUBJID"].to_numpy(), VISITNUM=mis["visitnum"].to_numpy(),
                   VISIT=mis["visit"].to_numpy(), SVPRESP="Y", SVOCCUR="N",
                   SVREASOC="MISSED VISIT", SVSTDTC=None, SVENDTC=None)
        dv = vt[vt["deviation"] & ~vt["missed"]]
        days = (dv["actual"] - dv["planned"]).dt.days.to_numpy()
        self.t.add("DV", USUBJID=dv["USUBJID"].to_numpy(),
                   DVTERM=np.array([f"Visit {d:+d} days from nominal, outside window -{b}/+{a}"
                                    for d, b, a in zip(days, dv["before"], dv["after"],
                                                       strict=True)], dtype=object),
                   DVDECOD="VISIT OUT OF WINDOW", DVCAT="VISIT WINDOW",
                   VISITNUM=dv["visitnum"].to_numpy(), VISIT=dv["visit"].to_numpy(),
                   DVSTDTC=_iso(dv["actual"].to_numpy()))

    def _treatment_visits(self, occ: sched.Occurrence) -> list[pd.DataFrame]:
        """Visits anchored on each treatment: one per treatment after the first (HAIC cycle 2,
        3, ...; a second Y-90 session), dated on that treatment, planned from the previous."""
        v = occ.visit
        before, after = sched.window_days(v)
        dates = self._tx_dates()
        out = []
        for c in range(1, len(dates)):
            actual = dates[c]
            ok = self._visit_arm_mask(v) & ~np.isnat(actual)
            ok[ok] &= actual[ok] <= self.end_date[ok]
            planned = sched.shift(dates[c - 1], v.nominal)
            k = int(ok.sum())
            out.append(pd.DataFrame({
                "i": np.flatnonzero(ok), "visitnum": float(100 * (occ.index + 1) + c - 1),
                "visit": f"{v.name} {c + 1}", "visit_id": v.id, "planned": planned[ok],
                "actual": actual[ok], "deviation": np.zeros(k, bool),
                "missed": np.zeros(k, bool), "before": before, "after": after,
                "anchor": v.anchor.value,
                "assessments": [tuple(a.value for a in v.assessments)] * k}))
        return out

    def _tx_dates(self) -> list[np.ndarray]:
        """Dates of the 1st, 2nd, ... protocol treatment session per participant (NaT: none)."""
        dates = [self.first_tx]
        if getattr(self, "haic_dates", None):
            for c, d in enumerate(self.haic_dates[1:], start=1):
                col = dates[c] if c < len(dates) else np.full(self.n, sched.NAT)
                hs = self.haic_sel
                col = col.copy()
                col[hs] = d
                if c < len(dates):
                    dates[c] = col
                else:
                    dates.append(col)
        if (~np.isnat(self.second_tx)).any():
            col = dates[1].copy() if len(dates) > 1 else np.full(self.n, sched.NAT)
            has = ~np.isnat(self.second_tx)
            col[has] = self.second_tx[has]
            if len(dates) > 1:
                dates[1] = col
            else:
                dates.append(col)
        return dates

    def _plan_surgery(self) -> None:
        rng, n = self.rng["surg"], self.n
        frac = self._arm_value(lambda a: a.surgery.fraction.value if a.surgery else 0.0)
        protocol_surgery = self._has(InterventionKind.SURGERY)
        date = np.full(n, sched.NAT)
        # protocol surgery (sirt-haic): from the resection visits of the schedule
        for v in self.p.schedule.visits:
            if Assessment.SURGERY in v.assessments or "resection" in v.id:
                anc = self._anchor(v.anchor)
                planned = sched.shift(anc, v.nominal)
                _, after = sched.window_days(v)
                d = planned + _days(rng.integers(0, after + 1, n))
                mask = self._visit_arm_mask(v) & ~np.isnat(planned) & protocol_surgery
                date[mask] = d[mask]
        conv = ~protocol_surgery
        date[conv] = self.first_tx[conv] + _days(rng.integers(90, 240, conv.sum()))
        alive = _dd(date, self.alloc_date) < np.minimum(self.end_days, self.pfs_days)
        do = (rng.random(n) < frac) & alive & ~np.isnat(date)
        self.surg = do
        self.surg_date = np.where(do, date, sched.NAT)
        self.surg_protocol = protocol_surgery
