"""Surgery and subsequent therapy (PR, CM, MI), disposition and demographics (DS, DM) and
supplemental qualifiers (SUPP--)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.protocols.schema import DesignType, InterventionKind
from hccrt.records.schema import (
    MI_TESTS,
    SUBSEQUENT_CAT,
    SUPP_QUALIFIERS,
)
from hccrt.simulate import schedule as sched
from hccrt.simulate.cohort.common import Y90_KINDS, _days, _iso
from hccrt.simulate.cohort.state import _State


class _Disposition(_State):
    """Stages ``surgery and subsequent therapy`` and ``disposition``."""

    def _surgery_and_subsequent(self) -> None:
        rng, n = self.rng["sub"], self.n
        s = self.surg
        if s.any():
            us = self.usub[s]
            prot = self.surg_protocol[s]
            self.t.add("PR", USUBJID=us, PRSPID="SURG1", PRTRT="HEPATECTOMY",
                       PRDECOD="Hepatectomy",
                       PRCAT=np.where(prot, "PROTOCOL SURGERY", SUBSEQUENT_CAT),
                       PRINDC="HEPATOCELLULAR CARCINOMA", PRLOC="LIVER",
                       PRSTDTC=_iso(self.surg_date[s]), PRENDTC=_iso(self.surg_date[s]))
            self._subseq_reason.extend((u, "SURG1", "CURATIVE CONVERSION")
                                       for u in us[~prot])
            resp = self.resp[s]
            mean = np.where(resp, self._arm_value(lambda a: a.surgery.necrosis_responder_mean.value
                                                  if a.surgery else 0)[s],
                            self._arm_value(lambda a: a.surgery.necrosis_nonresponder_mean.value
                                            if a.surgery else 0)[s])
            sd = self._arm_value(lambda a: a.surgery.necrosis_sd if a.surgery else 1)[s]
            nec = np.round(np.clip(rng.normal(mean, sd), 0, 100))
            txt = np.array([f"{x:g}" for x in nec], dtype=object)
            self.necrosis = np.full(n, np.nan)
            self.necrosis[s] = nec
            self.t.add("MI", USUBJID=us, MILNKID="T01", MITESTCD="NECROPCT",
                       MITEST=MI_TESTS["NECROPCT"][0], MIORRES=txt, MIORRESU="%",
                       MISTRESC=txt, MISTRESN=nec, MISTRESU="%", MISPEC="LIVER TUMOR TISSUE",
                       MIMETHOD="HISTOPATHOLOGY", VISITNUM=np.nan,
                       MIDTC=_iso(np.minimum(self.surg_date[s] + np.timedelta64(7, "D"),
                                             self.end_date[s])))
        else:
            self.necrosis = np.full(n, np.nan)
        # subsequent therapy after observed progression
        p = self._arm_value(lambda a: a.subsequent_after_pd.value)
        seen = np.isfinite(self.pd_day)
        start_day = self.pd_day + rng.integers(7, 60, n)
        do = seen & (rng.random(n) < p) & (start_day < self.end_days)
        self.subseq = do
        self.subseq_day = np.where(do, start_day, np.nan)
        date = self.alloc_date + _days(np.where(do, start_day, 0))
        systemic = rng.random(n) < 0.6
        cm = do & systemic
        if cm.any():
            agents = rng.choice(["SORAFENIB", "LENVATINIB", "ATEZOLIZUMAB/BEVACIZUMAB",
                                 "REGORAFENIB"], int(cm.sum()))
            spid = np.array([f"SUB{j}" for j in range(int(cm.sum()))], dtype=object)
            self.t.add("CM", USUBJID=self.usub[cm], CMSPID=spid, CMTRT=agents, CMCAT=SUBSEQUENT_CAT,
                       CMINDC="HEPATOCELLULAR CARCINOMA", CMSTDTC=_iso(date[cm]))
            self._subseq_cm.extend(zip(self.usub[cm], spid, strict=True))
        pr = do & ~systemic
        if pr.any():
            trt = rng.choice(["TRANSARTERIAL CHEMOEMBOLIZATION", "RADIOFREQUENCY ABLATION",
                              "STEREOTACTIC BODY RADIATION THERAPY"], int(pr.sum()))
            spid = np.array([f"SUB{j}" for j in range(int(pr.sum()))], dtype=object)
            self.t.add("PR", USUBJID=self.usub[pr], PRSPID=spid, PRTRT=trt, PRCAT=SUBSEQUENT_CAT,
                       PRINDC="HEPATOCELLULAR CARCINOMA", PRLOC="LIVER", PRSTDTC=_iso(date[pr]))
            self._subseq_reason.extend((u, sp, "PROGRESSIVE DISEASE")
                                       for u, sp in zip(self.usub[pr], spid, strict=True))

    def _disposition(self) -> None:
        m, idx = self.m, self.idx
        fail = ~self.eligible
        # DS: consent for every candidate
        self.t.add("DS", USUBJID=self.usubjid, DSTERM="INFORMED CONSENT OBTAINED",
                   DSDECOD="INFORMED CONSENT OBTAINED", DSCAT="PROTOCOL MILESTONE",
                   EPOCH="SCREENING", DSSTDTC=_iso(self.screen_date))
        if fail.any():
            self.t.add("DS", USUBJID=self.usubjid[fail], DSTERM="SCREEN FAILURE",
                       DSDECOD="SCREEN FAILURE", DSCAT="DISPOSITION EVENT", EPOCH="SCREENING",
                       DSSTDTC=_iso(self.fail_date[fail]))
        milestone = "RANDOMIZED" if self.p.design.type is DesignType.RANDOMIZED else "ENROLLED"
        self.t.add("DS", USUBJID=self.usub, DSTERM=milestone, DSDECOD=milestone,
                   DSCAT="PROTOCOL MILESTONE", EPOCH="SCREENING", DSSTDTC=_iso(self.alloc_date))
        term = {"DEATH": ("DEATH", "DEATH"), "WITHDRAWAL": ("WITHDRAWAL OF CONSENT",
                                                            "WITHDRAWAL BY SUBJECT"),
                "LOST": ("LOST TO FOLLOW-UP", "LOST TO FOLLOW-UP"),
                "COMPLETED": ("STUDY COMPLETED", "COMPLETED")}
        self.t.add("DS", USUBJID=self.usub,
                   DSTERM=np.array([term[r][0] for r in self.end_reason], dtype=object),
                   DSDECOD=np.array([term[r][1] for r in self.end_reason], dtype=object),
                   DSCAT="DISPOSITION EVENT", EPOCH="FOLLOW-UP", DSSTDTC=_iso(self.end_date))
        # DM
        arms = {a.id: a for a in self.p.arms}
        armcd = np.full(m, None, dtype=object)
        armnm = np.full(m, None, dtype=object)
        armcd[idx] = [self.arm_ids[a].upper() for a in self.arm]
        armnm[idx] = [arms[self.arm_ids[a]].name for a in self.arm]
        def full(vals: np.ndarray) -> np.ndarray:
            out = np.full(m, sched.NAT)
            out[idx] = vals
            return out
        treated = self.treated
        rfx_s = full(np.where(treated, self.first_tx, sched.NAT))
        rfx_e = full(np.where(treated, self.last_tx, sched.NAT))
        actcd, actnm = armcd.copy(), armnm.copy()
        nt = np.zeros(m, dtype=bool)
        nt[idx] = ~treated
        actcd[nt] = None
        actnm[nt] = None
        armnrs = np.where(fail, "SCREEN FAILURE", np.where(nt, "ASSIGNED, NOT TREATED", None))
        end = full(self.end_date)
        end[fail] = self.fail_date[fail]
        dth = full(np.where(self.death, self.end_date, sched.NAT))
        self.t.add(
            "DM", USUBJID=self.usubjid, SUBJID=self.subjid, RFSTDTC=_iso(rfx_s),
            RFENDTC=_iso(end), RFXSTDTC=_iso(rfx_s), RFXENDTC=_iso(rfx_e),
            RFICDTC=_iso(self.screen_date), RFPENDTC=_iso(end), DTHDTC=_iso(dth),
            DTHFL=np.where(np.isnat(dth), None, "Y"), SITEID=self.siteid,
            AGE=self.age, AGEU="YEARS", SEX=np.where(self.male, "M", "F"),
            RACE=self.par.demographics.race, ARMCD=armcd, ARM=armnm, ACTARMCD=actcd, ACTARM=actnm,
            ARMNRS=armnrs, ACTARMUD=None,
            COUNTRY=self.par.demographics.country, DMDTC=_iso(self.screen_date))
        # supplemental qualifiers
        self._supp()

    def _supp(self) -> None:
        # TU qualifiers: inside treated area and Couinaud segment (baseline lesions)
        tables = self.t.build(self.studyid, ("TU", "AE", "PR", "CM"))
        tu = tables.get("TU")
        if tu is not None:
            key = self.lesions.assign(USUBJID=self.usub[self.lesions["i"].to_numpy()])
            tu2 = tu.merge(key[["USUBJID", "lnkid", "infield", "seg"]],
                           left_on=["USUBJID", "TULNKID"], right_on=["USUBJID", "lnkid"],
                           how="left")
            new = tu2["TUSTRESC"] == "NEW"
            has_local = dict(zip(self.usub, self._has(
                (*Y90_KINDS, InterventionKind.SBRT, InterventionKind.RADIOTHERAPY)), strict=True))
            loc_ok = tu2["USUBJID"].map(has_local).to_numpy(dtype=bool)
            infield = np.where(new, np.where(loc_ok, "N", None),
                               tu2["infield"].astype(object))
            lab = SUPP_QUALIFIERS["TU"]
            ok = pd.notna(infield)
            self.t.add("SUPPTU", USUBJID=tu2["USUBJID"].to_numpy()[ok], IDVAR="TUSEQ",
                       IDVARVAL=tu2["TUSEQ"].astype(int).astype(str).to_numpy()[ok], QNAM="INFIELD",
                       QLABEL=lab["INFIELD"][0], QVAL=infield[ok], QORIG="CRF",
                       QEVAL=tu2["TUEVAL"].to_numpy()[ok])
            seg = tu2["seg"].to_numpy()
            ok = (tu2["TULOC"] == "LIVER").to_numpy() & ~new.to_numpy() & (seg > 0)
            self.t.add("SUPPTU", USUBJID=tu2["USUBJID"].to_numpy()[ok], IDVAR="TUSEQ",
                       IDVARVAL=tu2["TUSEQ"].astype(int).astype(str).to_numpy()[ok],
                       QNAM="COUINAUD",
                       QLABEL=lab["COUINAUD"][0],
                       QVAL=np.array([str(int(x)) for x in seg[ok]], dtype=object), QORIG="CRF",
                       QEVAL=tu2["TUEVAL"].to_numpy()[ok])
            ok = (tu2["TULOC"] == "PORTAL VEIN").to_numpy()
            self.t.add("SUPPTU", USUBJID=tu2["USUBJID"].to_numpy()[ok], IDVAR="TUSEQ",
                       IDVARVAL=tu2["TUSEQ"].astype(int).astype(str).to_numpy()[ok], QNAM="MPVT",
                       QLABEL=lab["MPVT"][0], QVAL="Y", QORIG="CRF",
                       QEVAL=tu2["TUEVAL"].to_numpy()[ok])
        for code, pairs, qnam, qlab in (
                ("AE", [(u, s, "Y") for u, s in self._aesi], "AESI",
                 SUPP_QUALIFIERS["AE"]["AESI"][0]),
                ("PR", self._subseq_reason, "SUBTXRSN", SUPP_QUALIFIERS["PR"]["SUBTXRSN"][0]),
                ("CM", [(u, s, "PROGRESSIVE DISEASE") for u, s in self._subseq_cm], "SUBTXRSN",
                 SUPP_QUALIFIERS["CM"]["SUBTXRSN"][0])):
            if not pairs or code not in tables:
                continue
            parent = tables[code]
            spid = dict(zip(zip(parent["USUBJID"], parent[f"{code}SPID"], strict=True),
                            parent[f"{code}SEQ"], strict=True))
            us = np.array([u for u, _, _ in pairs], dtype=object)
            seq = np.array([str(int(spid[(u, s)])) for u, s, _ in pairs], dtype=object)
            self.t.add(f"SUPP{code}", USUBJID=us, IDVAR=f"{code}SEQ", IDVARVAL=seq, QNAM=qnam,
                       QLABEL=qlab, QVAL=np.array([v for _, _, v in pairs], dtype=object),
                       QORIG="CRF", QEVAL=None)
