"""Laboratory values, vital signs, ECOG, Child-Pugh components and medical history (LB, VS,
RS, MH), for enrolled participants and for screen failures."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hccrt.protocols.schema import InterventionKind
from hccrt.records.schema import (
    CP_ASCITES,
    CP_ENCEPHALOPATHY,
    LB_ANALYTE,
)
from hccrt.simulate.cohort.common import Y90_KINDS, _dd, _iso
from hccrt.simulate.cohort.state import _State
from hccrt.units import convert


class _Labs(_State):
    """Stages ``labs and vitals`` and ``screen failures``."""

    # testcd: (test, category, conventional unit, median, sdlog (or sd if normal), normal?,
    # LLN, ULN); typical Child-Pugh A HCC values, reference ranges of a conventional lab
    _LAB: ClassVar[dict[str, tuple[Any, ...]]] = {
        "BILI": ("Bilirubin", "CHEMISTRY", "mg/dL", 0.8, 0.35, False, 0.2, 1.2),
        "ALB": ("Albumin", "CHEMISTRY", "g/dL", 3.9, 0.35, True, 3.5, 5.2),
        "CREAT": ("Creatinine", "CHEMISTRY", "mg/dL", 0.85, 0.2, False, 0.6, 1.2),
        "AST": ("Aspartate Aminotransferase", "CHEMISTRY", "U/L", 42, 0.45, False, 0, 40),
        "ALT": ("Alanine Aminotransferase", "CHEMISTRY", "U/L", 36, 0.5, False, 0, 40),
        "ALP": ("Alkaline Phosphatase", "CHEMISTRY", "U/L", 105, 0.35, False, 40, 120),
        "GGT": ("Gamma Glutamyl Transferase", "CHEMISTRY", "U/L", 55, 0.6, False, 0, 60),
        "SODIUM": ("Sodium", "CHEMISTRY", "mmol/L", 139, 2.5, True, 135, 145),
        "K": ("Potassium", "CHEMISTRY", "mmol/L", 4.2, 0.3, True, 3.5, 5.1),
        "HGB": ("Hemoglobin", "HEMATOLOGY", "g/dL", 13.0, 1.4, True, 12.0, 16.5),
        "PLAT": ("Platelets", "HEMATOLOGY", "10^3/uL", 150, 0.4, False, 150, 400),
        "WBC": ("Leukocytes", "HEMATOLOGY", "10^3/uL", 5.5, 0.3, False, 4.0, 10.0),
        "NEUT": ("Neutrophils", "HEMATOLOGY", "10^3/uL", 3.2, 0.35, False, 1.8, 7.5),
        "LYM": ("Lymphocytes", "HEMATOLOGY", "10^3/uL", 1.6, 0.35, False, 1.0, 4.0),
        "INR": ("Prothrombin Intl. Normalized Ratio", "COAGULATION", "1", 1.1, 0.08, True,
                0.8, 1.2),
    }

    # conventional units; inside rescue's and io-rt-mvi's screening limits with a margin
    _ELIGIBLE_LABS: ClassVar[dict[str, tuple[float, float]]] = {
        "BILI": (0.2, 2.5), "ALB": (2.9, 5.5), "INR": (0.8, 1.6), "CREAT": (0.4, 1.8),
        "AST": (8, 190), "ALT": (6, 190), "ALP": (30, 500), "PLAT": (55, 600),
        "WBC": (2.6, 11.9), "NEUT": (1.6, 9.0), "HGB": (8.5, 18.0),
    }

    def _write_lb(self, us: np.ndarray, vn: Any, vis: Any, dtc: Any, blfl: Any,
                  values: dict[str, np.ndarray]) -> None:
        """LB records of the panel ``values`` (conventional units) with SI standard results."""
        for t, v in values.items():
            test, cat, unit, _, _, _, lln, uln = self._LAB[t]
            v = np.round(np.maximum(v, 0.01), 2 if unit in ("mg/dL", "g/dL", "1") else 1)
            analyte = LB_ANALYTE[t]
            si = {"bilirubin": "umol/L", "creatinine": "umol/L", "albumin": "g/L",
                  "hemoglobin": "g/L"}.get(analyte)
            if unit == "10^3/uL":
                si = "10^9/L"
            if si:
                f = float(convert(1.0, unit, si, analyte=analyte))
            else:
                si, f = unit, 1.0
            sv = np.round(v * f, 2)
            orres_u = None if unit == "1" else unit
            nrind = np.where(v < lln, "LOW", np.where(v > uln, "HIGH", "NORMAL"))
            self.t.add("LB", USUBJID=us, LBTESTCD=t, LBTEST=test, LBCAT=cat,
                       LBORRES=np.array([f"{x:g}" for x in v], dtype=object), LBORRESU=orres_u,
                       LBORNRLO=f"{lln:g}" if lln > 0 else None, LBORNRHI=f"{uln:g}",
                       LBSTRESC=np.array([f"{x:g}" for x in sv], dtype=object), LBSTRESN=sv,
                       LBSTRESU=None if si == "1" else si,
                       LBSTNRLO=round(lln * f, 3) if lln > 0 else np.nan,
                       LBSTNRHI=round(uln * f, 3), LBNRIND=nrind,
                       LBSPEC="BLOOD" if cat == "HEMATOLOGY" else "SERUM", LBBLFL=blfl,
                       VISITNUM=vn, VISIT=vis, LBDTC=dtc)

    def _baseline_panel(self, rng: np.random.Generator, k: int) -> dict[str, np.ndarray]:
        out = {}
        for t, (_, _, _, med, s, normal, _, _) in self._LAB.items():
            out[t] = (rng.normal(med, s, k) if normal
                      else np.exp(np.log(med) + s * rng.normal(size=k)))
        return out

    def _screen_failures(self) -> None:
        """Screening data of the candidates who failed: labs, height/weight, ECOG and the
        Child-Pugh components, with the data behind the failed criterion where it is data
        (ECOG above the limit, Child-Pugh class, bilirubin, age)."""
        fail = np.flatnonzero(~self.eligible)
        k = fail.size
        if not k:
            return
        rng = self.rng["misc"]
        lab = self._baseline_panel(rng, k)
        reasons = [self.fail_reasons.get(int(i), set()) for i in fail]

        def has(*ids: str) -> np.ndarray:
            return np.array([bool(r & set(ids)) for r in reasons])

        ecog_max = 2 if self._ecog_probs()[2] > 0 else 1
        ecog = np.where(has("ecog"), ecog_max + 1, self.ecog0[fail])
        cp_b, cp_c = has("child-pugh-a", "child-pugh"), has("child-pugh-a-b")
        lab["BILI"] = np.where(cp_b, rng.uniform(2.1, 2.9, k), lab["BILI"])
        lab["ALB"] = np.where(cp_b, rng.uniform(2.9, 3.3, k), lab["ALB"])
        lab["BILI"] = np.where(cp_c, rng.uniform(3.2, 4.5, k), lab["BILI"])
        lab["ALB"] = np.where(cp_c, rng.uniform(2.3, 2.7, k), lab["ALB"])
        lab["INR"] = np.where(cp_c, rng.uniform(1.8, 2.2, k), lab["INR"])
        lab["BILI"] = np.where(has("lab-bilirubin"), rng.uniform(3.2, 5.0, k), lab["BILI"])
        asc = np.where(cp_c, 2, np.where(cp_b, 1, 0))
        d = self.par.demographics
        too_old = d.age_max < 80
        self.age[fail] = np.where(has("age"), d.age_max + 1 + rng.integers(0, 4, k) if too_old
                                  else d.age_min - 1, self.age[fail])
        us = self.usubjid[fail]
        v0 = self.p.schedule.visits[0].name
        dtc = _iso(self.screen_date[fail])
        self.t.add("SV", USUBJID=us, VISITNUM=100.0, VISIT=v0, SVPRESP="Y", SVOCCUR="Y",
                   SVSTDTC=dtc, SVENDTC=dtc)
        self._write_lb(us, 100.0, v0, dtc, None, lab)
        for t, test, unit, val in (("HEIGHT", "Height", "cm", self.height[fail]),
                                   ("WEIGHT", "Weight", "kg", self.weight[fail])):
            txt = np.array([f"{x:g}" for x in val], dtype=object)
            self.t.add("VS", USUBJID=us, VSTESTCD=t, VSTEST=test, VSORRES=txt, VSORRESU=unit,
                       VSSTRESC=txt, VSSTRESN=val, VSSTRESU=unit, VISITNUM=100.0, VISIT=v0,
                       VSDTC=dtc)
        e = ecog.astype(int).astype(str).astype(object)
        self.t.add("RS", USUBJID=us, RSTESTCD="ECOG101", RSTEST="ECOG1-Performance Status",
                   RSCAT="ECOG", RSORRES=e, RSSTRESC=e, RSSTRESN=ecog.astype(float),
                   RSEVAL="INVESTIGATOR", VISITNUM=100.0, VISIT=v0, RSDTC=dtc)
        for testcd, test, grades, vals in (
                ("CPASCIT", "Child-Pugh Ascites", CP_ASCITES, asc),
                ("CPENCEPH", "Child-Pugh Hepatic Encephalopathy", CP_ENCEPHALOPATHY,
                 np.zeros(k, dtype=int))):
            txt = np.array(grades, dtype=object)[vals]
            self.t.add("RS", USUBJID=us, RSTESTCD=testcd, RSTEST=test,
                       RSCAT="CHILD-PUGH CLASSIFICATION", RSORRES=txt, RSSTRESC=txt,
                       RSEVAL="INVESTIGATOR", VISITNUM=100.0, VISIT=v0, RSDTC=dtc)

    def _labs(self) -> None:
        rng, n = self.rng["lab"], self.n
        base = self._baseline_panel(rng, n)
        # enrolled participants met the protocols' laboratory criteria at screening (the most
        # stringent of the five: rescue and io-rt-mvi)
        for t, (lo, hi) in self._ELIGIBLE_LABS.items():
            base[t] = np.clip(base[t], lo, hi)
        afp0 = np.exp(np.log(50) + 2.0 * rng.normal(size=n))
        labs = self._attended("labs")
        i = labs["i"].to_numpy()
        days_tx = _dd(labs["actual"].to_numpy(), self.first_tx[i])
        days_al = _dd(labs["actual"].to_numpy(), self.alloc_date[i])
        post = days_tx > 0
        progressed = days_al >= self.ttp_days[i]
        y90 = self._has(Y90_KINDS)[i]
        haic = self._has(InterventionKind.HAIC)[i]
        reild_p = self._arm_value(lambda a: a.reild_fraction.value)
        self.reild = (rng.random(n) < reild_p) & self._has(Y90_KINDS)
        # REILD (Sangro 2008: bilirubin >= 3 mg/dL with ascites 1-2 months after Y-90) shows in
        # every attended lab visit 21-120 days after the first treatment; it is observed only
        # when such a visit took place
        reild_row = self.reild[i] & (days_tx >= 21) & (days_tx <= 120)
        first_row = pd.Series(days_tx[reild_row]).groupby(i[reild_row]).min()
        self.reild_seen_day = np.full(n, np.nan)
        self.reild_seen_day[first_row.index.to_numpy()] = first_row.to_numpy()
        early = post & (days_tx <= 45)
        m = len(labs)
        rows_testcd, rows_val = [], []
        for t in self._LAB:
            noise = rng.normal(0, 0.08, m)
            v = base[t][i] * np.exp(np.where(post, noise, 0))
            if t in ("AST", "ALT"):
                v = v * np.where(early & y90, rng.uniform(1.3, 4.0, m), 1.0)
                v = v * np.where(progressed, 1.4, 1.0)
            if t == "BILI":
                v = v * np.where(progressed, 1.3, 1.0)
                v = np.where(reild_row, np.maximum(v * 4, rng.uniform(3.1, 6.0, m)), v)
            if t == "ALB":
                v = v - np.where(reild_row, 0.8, 0.0) - np.where(progressed, 0.3, 0)
            if t in ("PLAT", "NEUT", "WBC"):
                v = v * np.where(post & haic, rng.uniform(0.4, 0.9, m), 1.0)
            if t in ("PLAT", "LYM") and True:
                v = v * np.where(early & y90, rng.uniform(0.6, 1.0, m), 1.0)
            rows_testcd.append(t)
            rows_val.append(v)
        us = labs["USUBJID"].to_numpy()
        vn = labs["visitnum"].to_numpy()
        vis = labs["visit"].to_numpy()
        dtc = _iso(labs["actual"].to_numpy())
        blfl = np.where(labs["visitnum"].to_numpy() == 100.0, "Y", None)
        self._write_lb(us, vn, vis, dtc, blfl, dict(zip(rows_testcd, rows_val, strict=True)))
        afp_rows = self._attended("afp")
        if len(afp_rows):
            j = afp_rows["i"].to_numpy()
            dal = _dd(afp_rows["actual"].to_numpy(), self.alloc_date[j])
            post = dal > 7
            fac = (np.where(post & self.resp[j], 0.2, 1.0)
                   * np.where(dal >= self.ttp_days[j], 2.5, 1))
            v = np.round(afp0[j] * fac * np.exp(0.1 * rng.normal(size=len(j))), 1)
            self.t.add("LB", USUBJID=afp_rows["USUBJID"].to_numpy(), LBTESTCD="AFP",
                       LBTEST="Alpha Fetoprotein", LBCAT="TUMOR MARKERS",
                       LBORRES=np.array([f"{x:g}" for x in v], dtype=object), LBORRESU="ng/mL",
                       LBORNRHI="10", LBSTRESC=np.array([f"{x:g}" for x in v], dtype=object),
                       LBSTRESN=v, LBSTRESU="ng/mL", LBSTNRHI=10.0,
                       LBNRIND=np.where(v > 10, "HIGH", "NORMAL"), LBSPEC="SERUM",
                       LBBLFL=np.where(afp_rows["visitnum"].to_numpy() == 100.0, "Y", None),
                       VISITNUM=afp_rows["visitnum"].to_numpy(),
                       VISIT=afp_rows["visit"].to_numpy(),
                       LBDTC=_iso(afp_rows["actual"].to_numpy()))
        # vitals: height at screening, weight (and BSA for HAIC) at visits with an examination
        vs = self.visit_table[self.visit_table["visitnum"] == 100.0]
        vi = vs["i"].to_numpy()
        gi = self.idx[vi]
        common = {"USUBJID": vs["USUBJID"].to_numpy(), "VISITNUM": 100.0,
                  "VISIT": vs["visit"].to_numpy(), "VSBLFL": "Y",
                  "VSDTC": _iso(vs["actual"].to_numpy())}
        for t, test, unit, val in (("HEIGHT", "Height", "cm", self.height[gi]),
                                   ("WEIGHT", "Weight", "kg", self.weight[gi]),
                                   ("BSA", "Body Surface Area", "m2", np.round(self.bsa[vi], 3))):
            self.t.add("VS", VSTESTCD=t, VSTEST=test,
                       VSORRES=np.array([f"{x:g}" for x in val], dtype=object), VSORRESU=unit,
                       VSSTRESC=np.array([f"{x:g}" for x in val], dtype=object), VSSTRESN=val,
                       VSSTRESU=unit, **common)
        ex = self._attended("physical_exam")
        ex = ex[ex["visitnum"] != 100.0]
        if len(ex):
            w = np.round(self.weight[self.idx[ex["i"].to_numpy()]]
                         * np.exp(rng.normal(0, 0.02, len(ex))), 1)
            self.t.add("VS", USUBJID=ex["USUBJID"].to_numpy(), VSTESTCD="WEIGHT", VSTEST="Weight",
                       VSORRES=np.array([f"{x:g}" for x in w], dtype=object), VSORRESU="kg",
                       VSSTRESC=np.array([f"{x:g}" for x in w], dtype=object), VSSTRESN=w,
                       VSSTRESU="kg", VISITNUM=ex["visitnum"].to_numpy(),
                       VISIT=ex["visit"].to_numpy(), VSDTC=_iso(ex["actual"].to_numpy()))
        # Child-Pugh clinical components at every lab visit (bilirubin, albumin, INR are in LB)
        asc = np.where(reild_row, 2, np.where(progressed & (rng.random(m) < 0.3), 1,
                                              np.where((days_tx > 0) & (rng.random(m) < 0.05),
                                                       1, 0)))
        enc = np.where(reild_row & (rng.random(m) < 0.3), 1, 0)
        for testcd, test, grades, vals in (
                ("CPASCIT", "Child-Pugh Ascites", CP_ASCITES, asc),
                ("CPENCEPH", "Child-Pugh Hepatic Encephalopathy", CP_ENCEPHALOPATHY, enc)):
            txt = np.array(grades, dtype=object)[vals]
            self.t.add("RS", USUBJID=us, RSTESTCD=testcd, RSTEST=test,
                       RSCAT="CHILD-PUGH CLASSIFICATION", RSORRES=txt, RSSTRESC=txt,
                       RSEVAL="INVESTIGATOR", VISITNUM=vn, VISIT=vis, RSDTC=dtc)
        ec = self._attended("ecog")
        if len(ec):
            j = ec["i"].to_numpy()
            e0 = self.ecog0[self.idx[j]]
            dal = _dd(ec["actual"].to_numpy(), self.alloc_date[j])
            worse = (dal >= self.ttp_days[j]) & (rng.random(len(j)) < 0.5)
            e = np.clip(e0 + worse + (rng.random(len(j)) < 0.05), 0, 4)
            self.t.add("RS", USUBJID=ec["USUBJID"].to_numpy(), RSTESTCD="ECOG101",
                       RSTEST="ECOG1-Performance Status", RSCAT="ECOG",
                       RSORRES=e.astype(str).astype(object), RSSTRESC=e.astype(str).astype(object),
                       RSSTRESN=e.astype(float), RSEVAL="INVESTIGATOR",
                       VISITNUM=ec["visitnum"].to_numpy(), VISIT=ec["visit"].to_numpy(),
                       RSDTC=_iso(ec["actual"].to_numpy()))
        # medical history (all screened candidates enrolled)
        g = self.idx
        mh = [("Chronic hepatitis B", "Hepatitis B", self.hbv[g]),
              ("Chronic hepatitis C", "Hepatitis C", self.hcv[g]),
              ("Liver cirrhosis", "Hepatic cirrhosis", self.cirrhosis[g])]
        for term, decod, occ in mh:
            self.t.add("MH", USUBJID=self.usub, MHTERM=term, MHDECOD=decod,
                       MHCAT="HCC AETIOLOGY AND LIVER DISEASE", MHPRESP="Y",
                       MHOCCUR=np.where(occ, "Y", "N"), VISITNUM=100.0,
                       MHDTC=_iso(self.screen_date[g]))
