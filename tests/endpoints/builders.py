"""Constructed record sets for derivation tests (a few subjects, dates chosen by hand)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hccrt.records import RecordSet


def _df(domain: str, study: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df.insert(0, "STUDYID", study)
    df.insert(1, "DOMAIN" if not domain.startswith("SUPP") else "RDOMAIN",
              domain if not domain.startswith("SUPP") else domain[4:])
    if not domain.startswith("SUPP") and domain not in ("DM",) and len(df):
        df[f"{domain}SEQ"] = df.groupby("USUBJID").cumcount() + 1.0
    return df


class Trial:
    """Accumulates SDTM rows for constructed subjects of one study."""

    def __init__(self, study: str) -> None:
        self.study = study
        self.rows: dict[str, list[dict[str, Any]]] = {}

    def add(self, domain: str, **row: Any) -> None:
        self.rows.setdefault(domain, []).append(row)

    def subject(self, usubjid: str, arm: str, consent: str, allocated: str, milestone: str,
                death: str | None = None) -> None:
        self.add("DM", USUBJID=usubjid, SUBJID=usubjid[-4:], SITEID="01", SEX="M",
                 COUNTRY="KOR", AGE=60.0, ARMCD=arm, ACTARMCD=arm, RFICDTC=consent,
                 DTHDTC=death, DTHFL="Y" if death else None)
        self.add("DS", USUBJID=usubjid, DSTERM="INFORMED CONSENT OBTAINED",
                 DSDECOD="INFORMED CONSENT OBTAINED", DSCAT="PROTOCOL MILESTONE",
                 DSSTDTC=consent)
        self.add("DS", USUBJID=usubjid, DSTERM=milestone, DSDECOD=milestone,
                 DSCAT="PROTOCOL MILESTONE", DSSTDTC=allocated)
        if death:
            self.add("DS", USUBJID=usubjid, DSTERM="DEATH", DSDECOD="DEATH",
                     DSCAT="DISPOSITION EVENT", DSSTDTC=death)

    def exposure(self, usubjid: str, date: str, cat: str = "Y-90 RADIOEMBOLIZATION",
                 trt: str = "YTTRIUM-90 RESIN MICROSPHERES") -> None:
        self.add("EX", USUBJID=usubjid, EXTRT=trt, EXCAT=cat, EXSTDTC=date, EXENDTC=date)

    def lesion(self, usubjid: str, lnkid: str, role: str, site: str, date: str,
               infield: str, typical: str = "Y") -> None:
        seq = float(sum(1 for r in self.rows.get("TU", []) if r["USUBJID"] == usubjid) + 1)
        self.add("TU", USUBJID=usubjid, TUSEQ=seq, TULNKID=lnkid, TUTESTCD="TUMIDENT",
                 TUTEST="Tumor Identification", TUORRES=role, TUSTRESC=role, TULOC=site,
                 TUEVAL="INVESTIGATOR", TUDTC=date)
        for q, v in (("INFIELD", infield), ("TYPHCC", typical)):
            self.add("SUPPTU", USUBJID=usubjid, IDVAR="TUSEQ", IDVARVAL=f"{seq:.0f}", QNAM=q,
                     QLABEL=q, QVAL=v, QORIG="CRF")

    def measure(self, usubjid: str, lnkid: str, role: str, date: str, visitnum: float,
                ldiam: float | None = None, viable: float | None = None,
                state: str | None = None) -> None:
        base = {"USUBJID": usubjid, "TRLNKID": lnkid, "TRGRPID": role, "TREVAL": "INVESTIGATOR",
                "VISITNUM": visitnum, "VISIT": f"V{visitnum:.0f}", "TRDTC": date}
        for code, val in (("LDIAM", ldiam), ("VIABDIAM", viable), ("TUMSTATE", state)):
            if val is not None:
                self.add("TR", **base, TRTESTCD=code, TRTEST=code, TRORRES=str(val),
                         TRSTRESC=str(val),
                         TRSTRESN=val if isinstance(val, float) else None)

    def records(self) -> RecordSet:
        return RecordSet({d: _df(d, self.study, rows) for d, rows in self.rows.items()})
