"""Protocol treatment: Y-90 plans and administrations, SBRT and radiotherapy fractions, HAIC
cycles, systemic therapy (EX, XP, XA), and the removal of treatment after follow-up ends."""

from __future__ import annotations

from typing import Any

import numpy as np

from hccrt.clinical.body import bsa_array
from hccrt.dosimetry import y90
from hccrt.errors import InputError
from hccrt.protocols.schema import Anchor, InterventionKind, LimitQuantity
from hccrt.records.schema import (
    XA_TESTS,
    XP_TESTS,
)
from hccrt.simulate import schedule as sched
from hccrt.simulate.cohort.common import MONTH, Y90_KINDS, _days, _dd, _iso
from hccrt.simulate.cohort.state import _State


class _Treatment(_State):
    """Stages ``treatment``, ``treatment before end of follow-up`` and ``systemic therapy``."""

    def _treatment(self) -> None:
        rng, n = self.rng["treat"], self.n
        lo = self._arm_value(lambda a: a.treatment_days_after_allocation[0])
        hi = self._arm_value(lambda a: a.treatment_days_after_allocation[1])
        self.first_tx = self.alloc_date + _days(lo + rng.random(n) * (hi - lo))
        scr = self.p.schedule.visits[0]
        if scr.anchor is Anchor.FIRST_TREATMENT:
            # screening is dated from the first treatment: keep it inside its window
            before, after = sched.window_days(scr)
            nominal = round(scr.nominal.approx_days())
            s = self.screen_date[self.idx]
            self.first_tx = np.clip(self.first_tx, s + np.timedelta64(-nominal - after, "D"),
                                    s + np.timedelta64(-nominal + before, "D"))
            self.alloc_date = np.minimum(self.alloc_date, self.first_tx)
        self.last_tx = self.first_tx.copy()
        self.last_rt = np.full(n, sched.NAT)
        self.second_tx = np.full(n, sched.NAT)
        self.dose_achieved = np.full(n, np.nan)
        self.bsa = bsa_array(self.height[self.idx], self.weight[self.idx])
        self._y90(self._has(Y90_KINDS))
        self._sbrt(self._has(InterventionKind.SBRT))
        self._radiotherapy(self._has(InterventionKind.RADIOTHERAPY))
        self._haic(self._has(InterventionKind.HAIC))

    def _y90(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["y90"]
        sel = np.flatnonzero(mask)
        k = sel.size
        c = self.const
        yp = [self.par.arms[self.arm_ids[a]].y90 for a in self.arm[sel]]
        device = np.array([p.device for p in yp], dtype=object)  # type: ignore[union-attr]
        target = np.array([self._tumour_dose_target(p) for p in yp])  # type: ignore[arg-type]
        tnr = np.exp(np.log([p.tnr_median.value for p in yp]) + 0.35 * rng.normal(size=k))  # type: ignore[union-attr]
        lsf_m = np.array([p.lsf_mean.value for p in yp])  # type: ignore[union-attr]
        lsf = np.clip(rng.beta(2.0, 2.0 * (1 - lsf_m) / lsf_m), 0.005,
                      [p.lsf_max for p in yp])  # type: ignore[union-attr]
        liver = np.exp(np.log([p.liver_volume_median_ml.value for p in yp])  # type: ignore[union-attr]
                       + 0.15 * rng.normal(size=k)) + self.tumour_ml[sel]
        tum_ml = self.tumour_ml[sel]
        normal_ml = (liver - tum_ml) * rng.uniform(0.3, 0.6, k)
        mt = y90.mass_kg(tum_ml, c.tumour_density_g_per_ml)
        mn = y90.mass_kg(normal_ml, c.liver_density_g_per_ml)
        kconst = c.dose_constant_gy_kg_per_gbq
        act = y90.partition_activity_for_tumour_dose_gbq(target, mt, mn, tnr, lsf, kconst)
        cap = y90.activity_for_lung_dose_gbq(30.0, lsf, c.lung_mass_kg, kconst)
        act = np.minimum(act, cap)
        doses = y90.partition_doses(act, mt, mn, tnr, lsf, c.lung_mass_kg, kconst)
        resid = rng.uniform(0.0, [p.residual_fraction_max for p in yp])  # type: ignore[union-attr]
        vial = y90.vial_activity_for_residual_gbq(act, resid)
        sd = np.array([p.achieved_dose_sdlog.value for p in yp])  # type: ignore[union-attr]
        achieved = np.asarray(doses.tumour_dose_gy) * np.exp(sd * rng.normal(size=k) - sd**2 / 2)
        self.dose_achieved[sel] = achieved
        maa_lo = np.array([p.maa_days_before[0] for p in yp])  # type: ignore[union-attr]
        maa_hi = np.array([p.maa_days_before[1] for p in yp])  # type: ignore[union-attr]
        plan_date = self.first_tx[sel] - _days(maa_lo + rng.random(k) * (maa_hi - maa_lo))
        plan_date = np.maximum(plan_date, self.alloc_date[sel])
        # second session (tare-ut7: within 180 days, cumulative lung dose < 50 Gy)
        p2 = np.array([p.second_session_fraction.value for p in yp])  # type: ignore[union-attr]
        lung = np.asarray(doses.lung_dose_gy)
        second = (rng.random(k) < p2) & (2 * lung < self._cum_lung_limit())
        d2 = self.first_tx[sel] + _days(rng.integers(30, 150, k))
        self.second_tx[sel[second]] = d2[second]
        self.last_tx[sel[second]] = d2[second]
        us = self.usub[sel]
        plan_id = np.full(k, "PLAN1", dtype=object)
        spec = np.where(device == "glass", "GLASS", "RESIN")
        lsf_pct = lsf * 100
        xp = {
            "ACTIVITY": act, "LSF": lsf_pct, "TNR": tnr, "TUMVOL": tum_ml, "NLVOL": normal_ml,
            "LIVVOL": liver, "TUMMASS": mt, "NLMASS": mn,
            "LUNGMASS": np.full(k, c.lung_mass_kg), "TARGDOSE": target,
            "TUMDOSE": np.asarray(doses.tumour_dose_gy), "NLDOSE": np.asarray(doses.normal_dose_gy),
            "LUNGDOSE": lung, "DOSECONS": np.full(k, kconst),
        }
        for testcd, vals in xp.items():
            vals = np.round(np.asarray(vals, dtype=float), 4)
            test, unit = XP_TESTS[testcd]
            self.t.add("XP", USUBJID=us, XPGRPID=plan_id, XPLNKID="ADM1", XPTESTCD=testcd,
                       XPTEST=test, XPCAT="Y-90 PLAN", XPSCAT="PLANNED",
                       XPORRES=np.array([f"{v:g}" for v in vals], dtype=object),
                       XPORRESU=unit or None,
                       XPSTRESC=np.array([f"{v:g}" for v in vals], dtype=object),
                       XPSTRESN=vals, XPSTRESU=unit or None, XPMETHOD="PARTITION",
                       XPLOC="PERFUSED TERRITORY", XPSPEC=spec, VISITNUM=np.nan,
                       XPDTC=_iso(plan_date))
        ach = np.round(achieved, 1)
        self.t.add("XP", USUBJID=us, XPGRPID=plan_id, XPLNKID="ADM1", XPTESTCD="TUMDOSE",
                   XPTEST=XP_TESTS["TUMDOSE"][0], XPCAT="Y-90 PLAN", XPSCAT="POST-TREATMENT",
                   XPORRES=np.array([f"{v:g}" for v in ach], dtype=object), XPORRESU="Gy",
                   XPSTRESC=np.array([f"{v:g}" for v in ach], dtype=object), XPSTRESN=ach,
                   XPSTRESU="Gy", XPMETHOD="PARTITION", XPLOC="PERFUSED TERRITORY",
                   XPSPEC=spec, VISITNUM=np.nan, XPDTC=_iso(self.first_tx[sel]))
        trt = np.where(device == "glass", "YTTRIUM-90 GLASS MICROSPHERES",
                       "YTTRIUM-90 RESIN MICROSPHERES")
        delivered = np.round(act, 3)
        for adm, who, when in (("ADM1", np.ones(k, bool), self.first_tx[sel]),
                               ("ADM2", second, d2)):
            if not who.any():
                continue
            self.t.add("EX", USUBJID=us[who], EXGRPID=np.array([f"PLAN{adm[-1]}"] * who.sum(),
                                                                dtype=object),
                       EXLNKID=adm, EXTRT=trt[who], EXCAT="Y-90 RADIOEMBOLIZATION",
                       EXDOSE=delivered[who], EXDOSU="GBq", EXDOSFRM="MICROSPHERE",
                       EXDOSFRQ="ONCE", EXROUTE="INTRA-ARTERIAL", EXLOC="LIVER",
                       EXSTDTC=_iso(when[who]), EXENDTC=_iso(when[who]))
            xa = {"PRESACT": act, "VIALACT": vial, "DELACT": act, "RESACT": vial - act,
                  "RESPCT": resid * 100, "DELPCT": np.full(k, 100.0)}
            for testcd, vals in xa.items():
                vals = np.round(np.asarray(vals, dtype=float)[who], 4)
                test, unit = XA_TESTS[testcd]
                self.t.add("XA", USUBJID=us[who],
                           XAGRPID=np.array([f"PLAN{adm[-1]}"] * who.sum(), dtype=object),
                           XALNKID=adm, XATESTCD=testcd, XATEST=test, XACAT="Y-90 ADMINISTRATION",
                           XAORRES=np.array([f"{v:g}" for v in vals], dtype=object),
                           XAORRESU=unit, XASTRESC=np.array([f"{v:g}" for v in vals],
                                                            dtype=object),
                           XASTRESN=vals, XASTRESU=unit, XASPEC=spec[who], VISITNUM=np.nan,
                           XADTC=_iso(when[who]))
        if second.any():
            # the second session repeats the plan of the first (same territory and activity)
            sub = {k2: np.asarray(v, dtype=float)[second] for k2, v in xp.items()}
            for testcd, vals in sub.items():
                vals = np.round(vals, 4)
                test, unit = XP_TESTS[testcd]
                self.t.add("XP", USUBJID=us[second], XPGRPID="PLAN2", XPLNKID="ADM2",
                           XPTESTCD=testcd, XPTEST=test, XPCAT="Y-90 PLAN", XPSCAT="PLANNED",
                           XPORRES=np.array([f"{v:g}" for v in vals], dtype=object),
                           XPORRESU=unit or None,
                           XPSTRESC=np.array([f"{v:g}" for v in vals], dtype=object),
                           XPSTRESN=vals, XPSTRESU=unit or None, XPMETHOD="PARTITION",
                           XPLOC="PERFUSED TERRITORY", XPSPEC=spec[second], VISITNUM=np.nan,
                           XPDTC=_iso(d2[second] - np.timedelta64(7, "D")))
            cl = np.round(2 * lung[second], 4)
            self.t.add("XP", USUBJID=us[second], XPGRPID="PLAN2", XPLNKID="ADM2",
                       XPTESTCD="CLUNGDSE", XPTEST=XP_TESTS["CLUNGDSE"][0], XPCAT="Y-90 PLAN",
                       XPSCAT="PLANNED", XPORRES=np.array([f"{v:g}" for v in cl], dtype=object),
                       XPORRESU="Gy", XPSTRESC=np.array([f"{v:g}" for v in cl], dtype=object),
                       XPSTRESN=cl, XPSTRESU="Gy", XPMETHOD="PARTITION",
                       XPLOC="PERFUSED TERRITORY", XPSPEC=spec[second], VISITNUM=np.nan,
                       XPDTC=_iso(d2[second] - np.timedelta64(7, "D")))
        self.y90_sel = sel
        self.y90_lung = lung

    def _tumour_dose_target(self, yp: Any) -> float:
        if yp.tumour_dose_gy is not None:
            return float(yp.tumour_dose_gy.value)
        for lim in self.p.planning.limits:
            if lim.quantity is LimitQuantity.TUMOUR_ABSORBED_DOSE and lim.target is not None:
                return float(lim.target)
        raise InputError("parameters y90.tumour_dose_gy", None,
                         "a tumour dose (the protocol has no tumour_absorbed_dose target)")

    def _cum_lung_limit(self) -> float:
        for lim in self.p.planning.limits:
            if lim.quantity is LimitQuantity.CUMULATIVE_LUNG_ABSORBED_DOSE and lim.maximum:
                return float(lim.maximum)
        return 50.0

    def _fractions(self, sel: np.ndarray, start: np.ndarray, nfx: int, dose_fx: np.ndarray,
                   trt: str, cat: str, loc: np.ndarray, grp: str) -> np.ndarray:
        """One EX record per fraction on consecutive weekdays; returns the last date."""
        us = self.usub[sel]
        d = np.busday_offset(start, 0, roll="forward")
        last = d
        for f in range(nfx):
            day = np.busday_offset(d, f, roll="forward")
            self.t.add("EX", USUBJID=us, EXGRPID=grp, EXSPID=f"FX{f + 1}", EXTRT=trt,
                       EXCAT=cat, EXDOSE=np.round(dose_fx, 2), EXDOSU="Gy",
                       EXDOSFRM="RADIATION", EXDOSFRQ="QD", EXROUTE="EXTERNAL BEAM",
                       EXLOC=loc, EXSTDTC=_iso(day), EXENDTC=_iso(day))
            last = day
        return last.astype("datetime64[D]")

    def _sbrt(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["treat"]
        sel = np.flatnonzero(mask)
        sb = self.p.planning.sbrt
        sp = [self.par.arms[self.arm_ids[a]].sbrt for a in self.arm[sel]]
        total = np.array([rng.choice(p.total_doses_gy, p=np.array(p.total_dose_probs)  # type: ignore[union-attr]
                                     / sum(p.total_dose_probs)) for p in sp])  # type: ignore[union-attr]
        nfx = sb.fractions if sb else 5
        if sb:
            total = np.clip(total, sb.total_dose_gy_min, sb.total_dose_gy_max)
        lo = np.array([p.start_days_after_allocation[0] for p in sp])  # type: ignore[union-attr]
        hi = np.array([p.start_days_after_allocation[1] for p in sp])  # type: ignore[union-attr]
        start = self.alloc_date[sel] + _days(lo + rng.random(sel.size) * (hi - lo))
        loc = np.where(self.pvtt[sel], "PORTAL VEIN", np.where(self.extra[sel], "LUNG", "LIVER"))
        last = self._fractions(sel, start, nfx, total / nfx,
                               "STEREOTACTIC BODY RADIATION THERAPY", "SBRT",
                               loc.astype(object), "COURSE 1")
        self.first_tx[sel] = np.minimum(self.first_tx[sel], np.busday_offset(
            start, 0, roll="forward").astype("datetime64[D]"))
        self.last_rt[sel] = last
        self.last_tx[sel] = np.maximum(self.last_tx[sel], last)

    def _radiotherapy(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["treat"]
        sel = np.flatnonzero(mask)
        rp = [self.par.arms[self.arm_ids[a]].radiotherapy for a in self.arm[sel]]
        nfx = rp[0].fractions  # type: ignore[union-attr]
        total = np.array([p.total_dose_gy.value for p in rp])  # type: ignore[union-attr]
        start = self.first_tx[sel] + _days(rng.integers(0, 21, sel.size))
        loc = np.array([p.target for p in rp], dtype=object)  # type: ignore[union-attr]
        last = self._fractions(sel, start, nfx, total / nfx, "EXTERNAL BEAM RADIOTHERAPY",
                               "RADIOTHERAPY", loc, "COURSE 1")
        self.last_rt[sel] = last

    def _haic(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["treat"]
        sel = np.flatnonzero(mask)
        regimen = next((r for r in self.p.planning.regimens
                        if set(r.arms) & {self.arm_ids[a] for a in set(self.arm[sel])}), None)
        if regimen is None:
            raise InputError("protocol planning.regimens", None, "a HAIC regimen for the arm")
        hp = [self.par.arms[self.arm_ids[a]].haic for a in self.arm[sel]]
        cyc = np.array([rng.choice(list(p.cycles_probs), p=np.array(list(  # type: ignore[union-attr]
            p.cycles_probs.values())) / sum(p.cycles_probs.values())) for p in hp])  # type: ignore[union-attr]
        lo = regimen.cycle_interval_min.approx_days()
        hi = regimen.cycle_interval_max.approx_days()
        bsa = self.bsa[sel]
        date = self.first_tx[sel].copy()
        us = self.usub[sel]
        self.haic_dates = []
        for c in range(int(cyc.max())):
            on = cyc > c
            if c:
                date = date + _days(lo + rng.random(sel.size) * (hi - lo))
            self.haic_dates.append(np.where(on, date, sched.NAT))
            for drug in regimen.drugs:
                dur = drug.duration.approx_days() if drug.duration else 0
                dose = np.round(drug.dose * bsa[on], 1) if drug.dose_unit == "mg/m2" \
                    else np.full(on.sum(), drug.dose)
                self.t.add("EX", USUBJID=us[on], EXGRPID=f"CYCLE {c + 1}", EXTRT=drug.agent.upper(),
                           EXCAT="HAIC", EXDOSE=dose, EXDOSU="mg", EXDOSFRM="SOLUTION",
                           EXDOSFRQ="ONCE", EXROUTE="INTRA-ARTERIAL", EXLOC="HEPATIC ARTERY",
                           EXDOSTXT=f"{drug.dose:g} {drug.dose_unit} x BSA", EXSTDTC=_iso(date[on]),
                           EXENDTC=_iso(date[on] + _days(np.full(on.sum(), np.ceil(dur)))))
            self.last_tx[sel[on]] = date[on]
        self.haic_sel = sel
        self.haic_cycles = cyc

    def _truncate_treatment(self) -> None:
        """Drop treatment records (EX, XA, XP) dated after a participant's end of follow-up
        (death, withdrawal, loss) and update the treatment dates; a participant whose follow-up
        ended before the first treatment is 'assigned, not treated'."""
        end_iso = dict(zip(self.usub, _iso(self.end_date), strict=True))
        date_col = {"EX": "EXSTDTC", "XA": "XADTC", "XP": "XPDTC"}
        for code, col in date_col.items():
            kept = []
            for n, cols in self.t.parts.get(code, []):
                us = np.asarray(cols["USUBJID"], dtype=object)
                d = np.asarray(cols[col], dtype=object)
                ends = np.array([end_iso[u] for u in us], dtype=object)
                keep = d <= ends
                if keep.all():
                    kept.append((n, cols))
                    continue
                new = {k: (np.asarray(v)[keep] if isinstance(v, np.ndarray | list) else v)
                       for k, v in cols.items()}
                if keep.any():
                    kept.append((int(keep.sum()), new))
            if code in self.t.parts:
                self.t.parts[code] = kept
        self.treated = self.first_tx <= self.end_date
        ex = [(np.asarray(c["USUBJID"], dtype=object), np.asarray(c["EXSTDTC"], dtype=object),
               c.get("EXCAT")) for _, c in self.t.parts.get("EX", [])]
        last: dict[str, str] = {}
        last_rt: dict[str, str] = {}
        for us, d, cat in ex:
            cats = np.asarray(cat, dtype=object) if isinstance(cat, np.ndarray | list) \
                else np.full(len(us), cat, dtype=object)
            for u, x, c in zip(us, d, cats, strict=True):
                if x > last.get(u, ""):
                    last[u] = x
                if c in ("SBRT", "RADIOTHERAPY") and x > last_rt.get(u, ""):
                    last_rt[u] = x
        self.last_tx = np.array([last.get(u, "NaT") for u in self.usub], dtype="datetime64[D]")
        self.last_rt = np.array([last_rt.get(u, "NaT") for u in self.usub],
                                dtype="datetime64[D]")
        self.second_tx = np.where(self.second_tx <= self.end_date, self.second_tx, sched.NAT)
        if getattr(self, "haic_dates", None):
            end = self.end_date[self.haic_sel]
            self.haic_dates = [np.where(d <= end, d, sched.NAT) for d in self.haic_dates]

    def _systemic(self) -> None:
        """One EX record per agent and cycle, from the first treatment until progression
        (plus one cycle), the end of follow-up or the agent's maximum duration."""
        for k, arm in enumerate(self.arm_ids):
            sp = self.par.arms[arm].systemic
            sel = np.flatnonzero(self.arm == k)
            if sp is None or not sel.size:
                continue
            start0 = self.first_tx[sel]
            t0 = _dd(start0, self.alloc_date[sel])
            stop = np.minimum.reduce([self.ttp_days[sel] + sp.every_days, self.end_days[sel],
                                      t0 + sp.max_months * MONTH])
            ncyc = np.where(stop < t0, 0,
                            np.maximum(1, np.ceil((stop - t0) / sp.every_days))).astype(int)
            weight = self.weight[self.idx[sel]]
            us = self.usub[sel]
            last = start0.copy()
            for c in range(int(ncyc.max())):
                on = ncyc > c
                day = start0[on] + np.timedelta64(c * sp.every_days, "D")
                last[on] = day
                for ag in sp.agents:
                    dose = ag.dose * weight[on] if ag.dose_unit == "mg/kg" else \
                        ag.dose * self.bsa[sel][on] if ag.dose_unit == "mg/m2" else \
                        np.full(on.sum(), ag.dose)
                    oral = sp.route == "ORAL"
                    self.t.add("EX", USUBJID=us[on], EXGRPID=f"CYCLE {c + 1}", EXTRT=ag.name,
                               EXCAT="IMMUNOTHERAPY" if not oral else "SYSTEMIC THERAPY",
                               EXDOSE=np.round(dose, 1), EXDOSU="mg",
                               EXDOSFRM="CAPSULE" if oral else "SOLUTION",
                               EXDOSFRQ="QD" if oral else "ONCE",
                               EXROUTE=sp.route,
                               EXSTDTC=_iso(day),
                               EXENDTC=_iso(day + np.timedelta64(sp.every_days - 1 if oral else 0,
                                                                 "D")))
            given = ncyc > 0
            cur = self.last_tx[sel]
            upd = np.where(np.isnat(cur), last, np.maximum(cur, last))
            self.last_tx[sel] = np.where(given, upd, cur)
