"""Adverse events (AE), including REILD."""

from __future__ import annotations

import numpy as np

from hccrt.simulate import schedule as sched
from hccrt.simulate.cohort.common import _days, _dd, _iso
from hccrt.simulate.cohort.state import _State


class _AdverseEvents(_State):
    """Stage ``adverse events``."""

    def _adverse_events(self) -> None:
        rng, n = self.rng["ae"], self.n
        tx_day = _dd(self.first_tx, self.alloc_date)
        self.ae_truth = {}
        for k, arm in enumerate(self.arm_ids):
            for ae in self.par.arms[arm].aes:
                inarm = self.arm == k
                occ = inarm & (rng.random(n) < ae.incidence.value)
                onset = rng.integers(ae.onset_days[0], ae.onset_days[1] + 1, n)
                seen = occ & (tx_day + onset <= self.end_days)
                self.ae_truth[f"{arm}:{ae.term}"] = occ
                self._add_ae(seen, onset, ae.term, ae.decod, ae.soc,
                             rng.choice(5, n, p=ae.grade_probs) + 1, ae.related, ae.aesi)
        # REILD: with the bilirubin rise of the lab step
        reild = np.isfinite(self.reild_seen_day)
        seen = np.nan_to_num(self.reild_seen_day, nan=30)
        onset = np.maximum(1, seen - rng.integers(0, 8, n)).astype(np.int64)
        self._add_ae(reild, onset, "Radioembolization-induced liver disease",
                     "Radiation hepatitis", "Hepatobiliary disorders",
                     np.where(rng.random(n) < 0.8, 3, 4), True, True)
        self._add_ae(reild, onset + 3, "Ascites", "Ascites", "Gastrointestinal disorders",
                     np.full(n, 2), True, False)

    def _add_ae(self, mask: np.ndarray, onset: np.ndarray, term: str, decod: str, soc: str,
                grade: np.ndarray, related: bool, aesi: bool) -> None:
        # an event is recorded only when it starts within the participant's follow-up
        mask = mask & (self.first_tx + _days(onset) <= self.end_date)
        if not mask.any():
            return
        rng = self.rng["ae"]
        k = int(mask.sum())
        g = grade[mask]
        start = self.first_tx[mask] + _days(onset[mask])
        end = start + _days(rng.exponential(14, k) + 1)
        ongoing = end > self.end_date[mask]
        ser = np.where(g >= 4, "Y", np.where((g == 3) & (rng.random(k) < 0.5), "Y", "N"))
        rel = np.where(related, rng.choice(["POSSIBLY RELATED", "PROBABLY RELATED", "RELATED"], k),
                       rng.choice(["NOT RELATED", "UNLIKELY RELATED"], k))
        us = self.usub[mask]
        sev = np.array(["MILD", "MODERATE", "SEVERE", "SEVERE", "SEVERE"], dtype=object)[g - 1]
        spid = np.array([f"{term[:12].upper()}-{j}" for j in range(k)], dtype=object)
        self.t.add("AE", USUBJID=us, AESPID=spid, AETERM=term, AEDECOD=decod, AEBODSYS=soc,
                   AESEV=sev, AESER=ser, AEACN="NOT APPLICABLE", AEREL=rel,
                   AEOUT=np.where(ongoing, "NOT RECOVERED/NOT RESOLVED", "RECOVERED/RESOLVED"),
                   AESHOSP=np.where(ser == "Y", "Y", "N"),
                   AETOXGR=g.astype(str).astype(object), EPOCH="TREATMENT",
                   AESTDTC=_iso(start), AEENDTC=_iso(np.where(ongoing, sched.NAT, end)))
        if aesi:
            self._aesi.extend(zip(us, spid, strict=True))
