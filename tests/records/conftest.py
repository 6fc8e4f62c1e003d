"""A small, hand-written, valid RecordSet: two subjects (one screen failure) of one study."""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.records import RecordSet

S = "TEST-01"


def _tables() -> dict[str, pd.DataFrame]:
    dm = pd.DataFrame({
        "STUDYID": [S, S], "DOMAIN": ["DM", "DM"], "USUBJID": [f"{S}-001", f"{S}-002"],
        "SUBJID": ["001", "002"], "RFSTDTC": ["2024-03-04", None],
        "RFENDTC": ["2024-09-01", None], "RFXSTDTC": ["2024-03-04", None],
        "RFXENDTC": ["2024-03-04", None], "RFICDTC": ["2024-02-10", "2024-02-12"],
        "RFPENDTC": ["2024-09-01", "2024-02-20"], "DTHDTC": [None, None], "DTHFL": [None, None],
        "SITEID": ["01", "01"], "AGE": [63, 71], "AGEU": ["YEARS", "YEARS"], "SEX": ["M", "F"],
        "RACE": ["ASIAN", "ASIAN"], "ARMCD": ["TARE", None], "ARM": ["Radioembolization", None],
        "ACTARMCD": ["TARE", None], "ACTARM": ["Radioembolization", None],
        "ARMNRS": [None, "SCREEN FAILURE"], "ACTARMUD": [None, None], "COUNTRY": ["KOR", "KOR"],
    })
    ds = pd.DataFrame({
        "STUDYID": S, "DOMAIN": "DS", "USUBJID": [f"{S}-001", f"{S}-001", f"{S}-002"],
        "DSSEQ": [1, 2, 1], "DSTERM": ["ENROLLED", "WITHDRAWAL OF CONSENT", "SCREEN FAILURE"],
        "DSDECOD": ["ENROLLED", "WITHDRAWAL BY SUBJECT", "SCREEN FAILURE"],
        "DSCAT": ["PROTOCOL MILESTONE", "DISPOSITION EVENT", "DISPOSITION EVENT"],
        "DSSTDTC": ["2024-02-28", "2024-09-01", "2024-02-20"],
    })
    u = f"{S}-001"
    tu = pd.DataFrame({
        "STUDYID": S, "DOMAIN": "TU", "USUBJID": u, "TUSEQ": [1, 2],
        "TULNKID": ["T01", "NT01"], "TUTESTCD": "TUMIDENT", "TUTEST": "Tumor Identification",
        "TUORRES": ["TARGET", "NON-TARGET"], "TUSTRESC": ["TARGET", "NON-TARGET"],
        "TULOC": ["LIVER", "LIVER"], "TUMETHOD": "CT SCAN", "TUEVAL": "INVESTIGATOR",
        "VISITNUM": 1, "VISIT": "SCREENING", "TUDTC": "2024-02-20",
    })
    supptu = pd.DataFrame({
        "STUDYID": S, "RDOMAIN": "TU", "USUBJID": u, "IDVAR": "TUSEQ", "IDVARVAL": ["1", "2"],
        "QNAM": "INFIELD", "QLABEL": "Inside Treated Area", "QVAL": ["Y", "N"], "QORIG": "CRF",
        "QEVAL": "INVESTIGATOR",
    })
    tr = pd.DataFrame({
        "STUDYID": S, "DOMAIN": "TR", "USUBJID": u, "TRSEQ": [1, 2, 3, 4, 5, 6],
        "TRGRPID": ["TARGET", "TARGET", "NON-TARGET", "TARGET", "TARGET", "NON-TARGET"],
        "TRLNKID": ["T01", "T01", "NT01", "T01", "T01", "NT01"],
        "TRTESTCD": ["LDIAM", "VIABDIAM", "TUMSTATE"] * 2,
        "TRTEST": ["Longest Diameter", "Viable Tumor Longest Diameter", "Tumor State"] * 2,
        "TRORRES": ["52", "48.5", "PRESENT", "50", "12", "PRESENT"],
        "TRORRESU": ["mm", "mm", None, "mm", "mm", None],
        "TRSTRESC": ["52", "48.5", "PRESENT", "50", "12", "PRESENT"],
        "TRSTRESN": [52, 48.5, None, 50, 12, None],
        "TRSTRESU": ["mm", "mm", None, "mm", "mm", None],
        "TRMETHOD": "CT SCAN", "TREVAL": "INVESTIGATOR",
        "VISITNUM": [1, 1, 1, 3, 3, 3], "VISIT": ["SCREENING"] * 3 + ["MONTH 3"] * 3,
        "TRDTC": ["2024-02-20"] * 3 + ["2024-06-03"] * 3,
    })
    lb = pd.DataFrame({
        "STUDYID": S, "DOMAIN": "LB", "USUBJID": u, "LBSEQ": [1, 2],
        "LBTESTCD": ["BILI", "AFP"], "LBTEST": ["Bilirubin", "Alpha Fetoprotein"],
        "LBCAT": ["CHEMISTRY", "TUMOR MARKERS"], "LBORRES": ["1.2", "350"],
        "LBORRESU": ["mg/dL", "ng/mL"], "LBORNRHI": ["1.2", "10"], "LBSTRESC": ["20.52", "350"],
        "LBSTRESN": [20.52, 350.0], "LBSTRESU": ["umol/L", "ng/mL"], "LBSTNRHI": [20.52, 10.0],
        "VISITNUM": 1, "LBDTC": "2024-02-20",
    })
    ae = pd.DataFrame({
        "STUDYID": S, "DOMAIN": "AE", "USUBJID": u, "AESEQ": [1],
        "AETERM": ["Fatigue"], "AEDECOD": ["Fatigue"], "AEBODSYS": ["General disorders"],
        "AESER": ["N"], "AEACN": ["NOT APPLICABLE"], "AEREL": ["POSSIBLY RELATED"],
        "AETOXGR": ["2"], "AESTDTC": ["2024-03-10"], "AEENDTC": ["2024-03-20"],
    })
    return {"DM": dm, "DS": ds, "TU": tu, "SUPPTU": supptu, "TR": tr, "LB": lb, "AE": ae}


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    """Fresh raw tables (mutable per test)."""
    return _tables()


@pytest.fixture
def records() -> RecordSet:
    return RecordSet(_tables())
