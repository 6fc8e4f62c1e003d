"""Screening and allocation: candidates, demographics, screen-failure reasons (IE), arms."""

from __future__ import annotations

import numpy as np

from hccrt.protocols.schema import DesignType
from hccrt.simulate import schedule as sched
from hccrt.simulate.cohort.common import MONTH, _days, _iso
from hccrt.simulate.cohort.state import _State


class _Enrolment(_State):
    """Stages ``screening`` and ``allocation``."""

    def _screening(self) -> None:
        rng, par = self.rng["screen"], self.par
        p_inel = par.screening.ineligible_fraction.value
        n_fail = int(rng.negative_binomial(self.n, 1 - p_inel)) if p_inel > 0 else 0
        m = self.n + n_fail
        eligible = np.zeros(m, dtype=bool)
        eligible[rng.choice(m, self.n, replace=False)] = True
        start = np.datetime64(par.study_start.isoformat(), "D")
        accrual = par.accrual_months * MONTH
        screen = start + _days(np.sort(rng.uniform(0, accrual, m)))
        sites = rng.integers(1, par.sites + 1, m)
        self.m = m
        self.eligible = eligible
        self.screen_date = screen
        self.siteid = np.array([f"{s:02d}" for s in sites], dtype=object)
        self.subjid = np.array([f"{i + 1:04d}" for i in range(m)], dtype=object)
        self.usubjid = np.array([f"{self.studyid}-{s}-{j}" for s, j in zip(
            self.siteid, self.subjid, strict=True)], dtype=object)
        # demographics of every candidate
        d, r = par.demographics, self.rng["demo"]
        self.age = np.clip(np.round(r.normal(d.age_mean.value, d.age_sd.value, m)),
                           d.age_min, d.age_max)
        self.male = r.random(m) < d.male_fraction.value
        self.height = np.where(self.male, r.normal(169, 6, m), r.normal(157, 5.5, m)).round(1)
        self.weight = np.where(self.male, r.normal(68, 10, m), r.normal(56, 8, m))
        self.weight = np.clip(self.weight, 38, 130).round(1)
        self.hbv = r.random(m) < d.hbv_fraction.value
        p_hcv = d.hcv_fraction.value / max(1e-9, 1 - d.hbv_fraction.value)
        self.hcv = ~self.hbv & (r.random(m) < p_hcv)
        self.cirrhosis = r.random(m) < 0.75
        self.ecog0 = r.choice(3, m, p=self._ecog_probs())
        # screen failures: criteria not met
        fail = np.flatnonzero(~eligible)
        fail_date = screen[fail] + _days(rng.integers(1, 28, fail.size))
        self.fail_date = np.full(m, sched.NAT)
        self.fail_date[fail] = fail_date
        ids = list(par.screening.reasons)
        w = np.array([par.screening.reasons[i] for i in ids], dtype=float)
        first = rng.choice(len(ids), fail.size, p=w / w.sum())
        second = rng.choice(len(ids), fail.size, p=w / w.sum())
        two = (rng.random(fail.size) < 0.2) & (second != first)
        crit = {c.id: c for c in self.p.eligibility}
        code: dict[str, str] = {}
        k_in = k_ex = 0
        for c in self.p.eligibility:
            if c.kind == "inclusion":
                k_in += 1
                code[c.id] = f"IN{k_in:02d}"
            else:
                k_ex += 1
                code[c.id] = f"EX{k_ex:02d}"
        rows_subj = np.concatenate([fail, fail[two]])
        rows_crit = np.concatenate([first, second[two]])
        rows_date = np.concatenate([fail_date, fail_date[two]])
        cids = [ids[i] for i in rows_crit]
        self.fail_reasons = {}
        for subj, cid in zip(rows_subj, cids, strict=True):
            self.fail_reasons.setdefault(int(subj), set()).add(cid)
        self.fail_reason = np.full(m, None, dtype=object)
        self.fail_reason[fail] = [ids[i] for i in first]
        self.t.add(
            "IE", USUBJID=self.usubjid[rows_subj], IESPID=np.array(cids, dtype=object),
            IETESTCD=np.array([code[c] for c in cids], dtype=object),
            IETEST=np.array([crit[c].text[:200] for c in cids], dtype=object),
            IECAT=np.array([crit[c].kind.upper() for c in cids], dtype=object),
            IEORRES=np.array(["N" if crit[c].kind == "inclusion" else "Y" for c in cids],
                             dtype=object),
            IESTRESC=np.array(["N" if crit[c].kind == "inclusion" else "Y" for c in cids],
                              dtype=object),
            VISITNUM=100.0, VISIT=self.p.schedule.visits[0].name, EPOCH="SCREENING",
            IEDTC=_iso(rows_date))

    def _allocation(self) -> None:
        rng, p = self.rng["alloc"], self.p
        idx = np.flatnonzero(self.eligible)
        self.idx = idx
        n = self.n
        arm_ids = [a.id for a in p.arms]
        if p.design.type is DesignType.RANDOMIZED:
            ratio = p.design.allocation_ratio or {}
            base = np.concatenate([np.full(ratio[a], k) for k, a in enumerate(arm_ids)])
            arms: list[np.ndarray] = []
            total = 0
            while total < n:
                mult = int(rng.integers(1, 3))
                block = rng.permutation(np.tile(base, mult))
                arms.append(block)
                total += block.size
            arm = np.concatenate(arms)[:n]
            self.block_max = 2 * base.size
        elif p.design.type is DesignType.NON_RANDOMIZED_PARALLEL:
            shares = np.array([self.par.arms[a].share.value for a in arm_ids])  # type: ignore[union-attr]
            arm = rng.choice(len(arm_ids), n, p=shares / shares.sum())
            self.block_max = 0
        else:
            arm = np.zeros(n, dtype=np.int64)
            self.block_max = 0
        self.arm = arm
        self.arm_ids = arm_ids
        self.alloc_date = self.screen_date[idx] + _days(rng.integers(3, 21, n))
        self.usub = self.usubjid[idx]
