"""The generator's shared state: inputs, random streams, and the helpers every stage uses.

Each stage (one module each) is a mixin over :class:`_State`; the stages read the arrays
earlier stages set (one row per candidate, or per enrolled participant), declared below.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hccrt.dosimetry.constants import Y90Constants
from hccrt.protocols import Protocol
from hccrt.protocols.schema import Anchor, Assessment, InterventionKind
from hccrt.simulate import schedule as sched
from hccrt.simulate.cohort.tables import _Tables
from hccrt.simulate.parameters import ArmParams, Parameters


class _State:
    """Inputs, random streams, record accumulator and shared helpers of one simulation."""

    # -- set by the stages (declared here so that every stage module sees their types)
    # screening / allocation (enrolment.py)
    m: int
    eligible: np.ndarray
    screen_date: np.ndarray
    siteid: np.ndarray
    subjid: np.ndarray
    usubjid: np.ndarray
    age: np.ndarray
    male: np.ndarray
    height: np.ndarray
    weight: np.ndarray
    hbv: np.ndarray
    hcv: np.ndarray
    cirrhosis: np.ndarray
    ecog0: np.ndarray
    fail_date: np.ndarray
    fail_reasons: dict[int, set[str]]
    fail_reason: np.ndarray
    idx: np.ndarray
    arm: np.ndarray
    arm_ids: list[str]
    block_max: int
    alloc_date: np.ndarray
    usub: np.ndarray
    # tumours (tumours.py)
    pvtt: np.ndarray
    extra: np.ndarray
    nt_liver: np.ndarray
    lesions: pd.DataFrame
    tumour_ml: np.ndarray
    pd_day: np.ndarray
    img_table: pd.DataFrame
    # treatment (treatment.py); haic_dates and haic_sel exist only when an arm has HAIC
    first_tx: np.ndarray
    last_tx: np.ndarray
    last_rt: np.ndarray
    second_tx: np.ndarray
    dose_achieved: np.ndarray
    bsa: np.ndarray
    y90_sel: np.ndarray
    y90_lung: np.ndarray
    haic_dates: list[np.ndarray]
    haic_sel: np.ndarray
    haic_cycles: np.ndarray
    treated: np.ndarray
    # outcomes (outcomes.py)
    os_days: np.ndarray
    ttp_days: np.ndarray
    pfs_days: np.ndarray
    wd_days: np.ndarray
    lost_days: np.ndarray
    cutoff: np.datetime64
    first_img_days: np.ndarray
    p_response: np.ndarray
    response_capped: np.ndarray
    resp: np.ndarray
    cr: np.ndarray
    resp_recist: np.ndarray
    end_days: np.ndarray
    end_reason: np.ndarray
    end_date: np.ndarray
    death: np.ndarray
    out_of_field: np.ndarray
    # visits (visits.py); surg_date exists only once surgery has been planned
    visit_table: pd.DataFrame
    surg: np.ndarray
    surg_date: np.ndarray
    surg_protocol: np.ndarray
    # labs (labs.py), adverse events (adverse_events.py), follow-up (disposition.py)
    reild: np.ndarray
    reild_seen_day: np.ndarray
    ae_truth: dict[str, np.ndarray]
    necrosis: np.ndarray
    subseq: np.ndarray
    subseq_day: np.ndarray

    def __init__(self, proto: Protocol, params: Parameters, n: int, seed: int,
                 progress: Callable[[str], None]) -> None:
        self.p = proto
        self.par = params
        self.n = n
        self.seed = seed
        self.progress = progress
        self.studyid = proto.code.upper()
        self.t = _Tables()
        self.notes: list[str] = []
        # the protocol code is mixed into the entropy so that two protocols simulated with the
        # same seed do not share random streams
        # (children are indexed: a stream added at the end leaves the earlier ones unchanged)
        children = np.random.SeedSequence([seed, zlib.crc32(proto.code.encode())]).spawn(17)
        self.rng = {name: np.random.default_rng(s) for name, s in zip(
            ("screen", "alloc", "demo", "tumour", "time", "resp", "treat", "visit", "lab",
             "ae", "qs", "surg", "sub", "tr", "misc", "y90", "xl"), children, strict=True)}
        self.const = Y90Constants()
        self._aesi: list[tuple[str, str]] = []
        self._subseq_reason: list[tuple[str, str, str]] = []
        self._subseq_cm: list[tuple[str, str]] = []

    def _ecog_probs(self) -> list[float]:
        allows_2 = any("2" in c.text for c in self.p.eligibility if c.id == "ecog")
        return [0.55, 0.35, 0.10] if allows_2 else [0.6, 0.4, 0.0]

    def _arm_value(self, getter: Callable[[ArmParams], float]) -> np.ndarray:
        vals = np.array([getter(self.par.arms[a]) for a in self.arm_ids], dtype=float)
        return vals[self.arm]

    def _has(self, kinds: tuple[InterventionKind, ...] | InterventionKind) -> np.ndarray:
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        flags = np.array([any(i.kind in kinds for i in a.interventions) for a in self.p.arms])
        return flags[self.arm]

    def _anchor(self, anchor: Anchor) -> np.ndarray:
        n = self.n
        surg = getattr(self, "surg_date", np.full(n, sched.NAT))
        return {
            Anchor.SCREENING: self.screen_date[self.idx],
            Anchor.CONSENT: self.screen_date[self.idx],
            Anchor.ENROLMENT: self.alloc_date,
            Anchor.RANDOMIZATION: self.alloc_date,
            Anchor.FIRST_TREATMENT: self.first_tx,
            Anchor.EACH_TREATMENT: self.first_tx,
            Anchor.LAST_TREATMENT: self.last_tx,
            Anchor.LAST_RADIOTHERAPY: self.last_rt,
            Anchor.SURGERY: surg,
            Anchor.STUDY_END: np.full(n, self.cutoff),
        }[anchor]

    @staticmethod
    def _is_screening(occ: sched.Occurrence) -> bool:
        """The first visit of the schedule when it takes consent or checks eligibility."""
        v = occ.visit
        return occ.index == 0 and (Assessment.CONSENT in v.assessments
                                   or Assessment.ELIGIBILITY in v.assessments)

    def _visit_arm_mask(self, v: Any) -> np.ndarray:
        if not v.arms:
            return np.ones(self.n, dtype=bool)
        ok = np.array([a in v.arms for a in self.arm_ids])
        return ok[self.arm]

    def _attended(self, assessment: str) -> pd.DataFrame:
        vt = self.visit_table
        has = vt["assessments"].map(lambda a: assessment in a)
        return vt[has & ~vt["missed"]]
