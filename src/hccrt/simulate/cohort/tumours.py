"""Tumours: baseline lesions per participant, and their measurements at imaging (TU, TR, RS)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.protocols.schema import InterventionKind
from hccrt.simulate.cohort.common import Y90_KINDS, _dd, _iso
from hccrt.simulate.cohort.state import _State


class _Tumours(_State):
    """Stages ``tumours`` (baseline lesions) and ``tumour measurements``."""

    def _tumours(self) -> None:
        rng, tp = self.rng["tumour"], self.par.tumour
        n = self.n
        probs = np.array(tp.target_count_probs) / sum(tp.target_count_probs)
        k = rng.choice(len(probs), n, p=probs) + 1
        largest = np.exp(np.log(tp.largest_diameter_median_mm.value)
                         + tp.largest_diameter_sdlog * rng.normal(size=n))
        largest = np.clip(largest, tp.largest_diameter_min_mm, 200).round(1)
        self.pvtt = rng.random(n) < tp.pvtt_fraction.value
        self.extra = rng.random(n) < tp.extrahepatic_fraction.value
        self.nt_liver = rng.random(n) < tp.nontarget_liver_fraction
        seg0 = rng.integers(1, 9, n)
        local = self._has((*Y90_KINDS, InterventionKind.SBRT, InterventionKind.RADIOTHERAPY))
        rows = []
        for j in range(int(k.max())):
            has = k > j
            d = largest if j == 0 else np.round(largest * rng.uniform(0.25, 0.7, n), 1)
            d = np.maximum(d, 12.0)
            v = np.round(d * np.clip(rng.normal(tp.viable_fraction_mean, 0.06, n), 0.6, 1.0), 1)
            seg = (seg0 + j - 1) % 8 + 1
            rows.append(pd.DataFrame({
                "i": np.flatnonzero(has), "lnkid": f"T{j + 1:02d}", "role": "TARGET",
                "loc": "LIVER", "d0": d[has], "v0": v[has], "seg": seg[has],
                "infield": np.where(local[has], "Y", None)}))
        nt = [("NT01", self.pvtt, "PORTAL VEIN"), ("NT02", self.extra, "LUNG"),
              ("NT03", self.nt_liver, "LIVER")]
        for lnk, has, loc in nt:
            infield = np.where(local[has], "Y" if loc == "PORTAL VEIN" else "N", None)
            rows.append(pd.DataFrame({
                "i": np.flatnonzero(has), "lnkid": lnk, "role": "NON-TARGET", "loc": loc,
                "d0": np.nan, "v0": np.nan,
                "seg": np.where(loc == "LIVER", (seg0[has] + 4) % 8 + 1, 0),
                "infield": infield}))
        self.lesions = pd.concat(rows, ignore_index=True)
        tg = self.lesions[self.lesions["role"] == "TARGET"]
        # tumour volume (mL) of the target lesions, as spheres
        vol = np.bincount(tg["i"], weights=np.pi / 6 * (tg["d0"] / 10.0) ** 3, minlength=n)
        self.tumour_ml = vol

    def _tumour_records(self) -> None:
        rng = self.rng["tr"]
        n = self.n
        les = self.lesions
        img = self._attended("imaging").copy()
        img["day"] = _dd(img["actual"].to_numpy(), self.alloc_date[img["i"].to_numpy()])
        # baseline: the last imaging at or before allocation; post-baseline after it
        is_base = img["visitnum"] == 100.0
        stop = self._imaging_stop()
        img = img[is_base | ((img["day"] > 0)
                             & (img["day"].to_numpy() <= stop[img["i"].to_numpy()]))]
        # first imaging at or after progression shows it; none after that visit
        prog_visit = (img["day"].to_numpy() >= self.ttp_days[img["i"]]) & ~img["visitnum"].eq(100.0)
        img = img.assign(prog=prog_visit)
        first_pd = img[img["prog"]].groupby("i")["day"].min()
        pd_day = np.full(n, np.inf)
        pd_day[first_pd.index.to_numpy()] = first_pd.to_numpy()
        img = img[img["day"].to_numpy() <= pd_day[img["i"].to_numpy()]]
        self.pd_day = pd_day
        self.img_table = img
        # per-participant response multipliers (anatomic a, viable v)
        a = np.where(self.resp_recist, rng.uniform(0.45, 0.62, n),
                     np.where(self.resp, rng.uniform(0.78, 0.95, n), rng.uniform(0.84, 1.08, n)))
        v = np.where(self.cr, 0.0, np.where(self.resp, rng.uniform(0.25, 0.55, n),
                                             rng.uniform(0.8, 1.05, n)))
        evaluators = [("INVESTIGATOR", None)]
        if self.p.design.central_review:
            evaluators.append(("INDEPENDENT ASSESSOR", "RADIOLOGIST 1"))
        m = les.merge(img[["i", "visitnum", "visit", "actual", "day", "prog"]], on="i")
        base = m["visitnum"].to_numpy() == 100.0
        i = m["i"].to_numpy()
        prog = m["prog"].to_numpy()
        in_growth = prog & ~self.out_of_field[i]
        tgt = (m["role"] == "TARGET").to_numpy()
        d0, v0 = m["d0"].to_numpy(), m["v0"].to_numpy()
        ld = np.where(base, d0, d0 * a[i])
        vd = np.where(base, v0, np.minimum(v0 * v[i], ld))
        ld = np.where(in_growth, ld * 1.5 + 6, ld)
        vd = np.where(in_growth, np.maximum(vd * 1.5 + 6, 0.3 * v0 + 10), vd)
        vd = np.minimum(vd, ld)
        nt_state = np.where(base, "PRESENT", np.where(self.cr[i], "ABSENT", "PRESENT"))
        nt_state = np.where(in_growth & (m["loc"] == "PORTAL VEIN").to_numpy(),
                            "UNEQUIVOCAL PROGRESSION", nt_state)
        for ev, evid in evaluators:
            noise_l = rng.normal(0, 0.7, len(m))
            noise_v = rng.normal(0, 0.7, len(m))
            ldn = np.where(ld > 0, np.maximum(np.round(ld + noise_l, 1), 1.0), 0.0)
            vdn = np.where(vd > 0, np.maximum(np.round(vd + noise_v, 1), 1.0), 0.0)
            vdn = np.minimum(vdn, ldn)
            us = self.usub[i]
            common = dict(TREVAL=ev, TREVALID=evid, TRMETHOD="CT SCAN")
            for testcd, test, vals, mask in (
                    ("LDIAM", "Longest Diameter", ldn, tgt),
                    ("VIABDIAM", "Viable Tumor Longest Diameter", vdn, tgt)):
                txt = np.array([f"{x:g}" for x in vals[mask]], dtype=object)
                self.t.add("TR", USUBJID=us[mask], TRGRPID="TARGET",
                           TRLNKID=m["lnkid"].to_numpy()[mask], TRTESTCD=testcd, TRTEST=test,
                           TRORRES=txt, TRORRESU="mm", TRSTRESC=txt, TRSTRESN=vals[mask],
                           TRSTRESU="mm", TRBLFL=np.where(base[mask], "Y", None),
                           VISITNUM=m["visitnum"].to_numpy()[mask],
                           VISIT=m["visit"].to_numpy()[mask],
                           TRDTC=_iso(m["actual"].to_numpy()[mask]), **common)
            ntm = ~tgt
            self.t.add("TR", USUBJID=us[ntm], TRGRPID="NON-TARGET",
                       TRLNKID=m["lnkid"].to_numpy()[ntm], TRTESTCD="TUMSTATE",
                       TRTEST="Tumor State", TRORRES=nt_state[ntm], TRSTRESC=nt_state[ntm],
                       TRBLFL=np.where(base[ntm], "Y", None),
                       VISITNUM=m["visitnum"].to_numpy()[ntm], VISIT=m["visit"].to_numpy()[ntm],
                       TRDTC=_iso(m["actual"].to_numpy()[ntm]), **common)
            # baseline identification (TU) and its qualifiers
            b = m[base]
            self.t.add("TU", USUBJID=self.usub[b["i"].to_numpy()], TULNKID=b["lnkid"].to_numpy(),
                       TUTESTCD="TUMIDENT", TUTEST="Tumor Identification",
                       TUORRES=b["role"].to_numpy(), TUSTRESC=b["role"].to_numpy(),
                       TULOC=b["loc"].to_numpy(), TUMETHOD="CT SCAN", TUEVAL=ev, TUEVALID=evid,
                       TUBLFL="Y", VISITNUM=b["visitnum"].to_numpy(), VISIT=b["visit"].to_numpy(),
                       TUDTC=_iso(b["actual"].to_numpy()))
            # new lesions at the progression visit (outside the treated area)
            nl = img[img["prog"].to_numpy() & self.out_of_field[img["i"].to_numpy()]]
            if len(nl):
                k = len(nl)
                loc = np.where(rng.random(k) < 0.7, "LIVER", "LUNG")
                size = np.round(rng.uniform(12, 30, k), 1)
                txt = np.array([f"{x:g}" for x in size], dtype=object)
                ui = self.usub[nl["i"].to_numpy()]
                self.t.add("TU", USUBJID=ui, TULNKID="NEW01", TUTESTCD="TUMIDENT",
                           TUTEST="Tumor Identification", TUORRES="NEW", TUSTRESC="NEW",
                           TULOC=loc, TUMETHOD="CT SCAN", TUEVAL=ev, TUEVALID=evid,
                           VISITNUM=nl["visitnum"].to_numpy(), VISIT=nl["visit"].to_numpy(),
                           TUDTC=_iso(nl["actual"].to_numpy()))
                for testcd, test, val in (("TUMSTATE", "Tumor State", None),
                                          ("LDIAM", "Longest Diameter", size),
                                          ("VIABDIAM", "Viable Tumor Longest Diameter", size)):
                    self.t.add("TR", USUBJID=ui, TRGRPID="NEW", TRLNKID="NEW01",
                               TRTESTCD=testcd, TRTEST=test,
                               TRORRES=txt if val is not None else "UNEQUIVOCAL PROGRESSION",
                               TRORRESU="mm" if val is not None else None,
                               TRSTRESC=txt if val is not None else "UNEQUIVOCAL PROGRESSION",
                               TRSTRESN=val if val is not None else np.nan,
                               TRSTRESU="mm" if val is not None else None,
                               VISITNUM=nl["visitnum"].to_numpy(), VISIT=nl["visit"].to_numpy(),
                               TRDTC=_iso(nl["actual"].to_numpy()), **common)

    def _imaging_stop(self) -> np.ndarray:
        """Last day (from allocation) of protocol tumour assessments: surgery or subsequent
        therapy by conversion ends them, except protocol surgery (sirt-haic)."""
        stop = np.full(self.n, np.inf)
        conv = self.surg & ~self.surg_protocol
        stop[conv] = _dd(self.surg_date[conv], self.alloc_date[conv]) - 1
        return stop
