"""Catalogue-driven derivations on constructed participants (records -> ADSL -> ADRS -> ADTTE,
ADAE), each expected value worked out by hand from the protocol text quoted in the test."""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.endpoints.adae import derive_adae
from hccrt.endpoints.adrs import derive_adrs_protocol
from hccrt.endpoints.adsl import derive_adsl
from hccrt.endpoints.adtte import derive_adtte
from hccrt.errors import InputError
from hccrt.protocols import load_builtin
from tests.endpoints.builders import Trial

D = pd.Timestamp


def _rescue_trial() -> Trial:
    """Three rescue participants, Y-90 on 2024-02-01, mRECIST PR at months 1 and 3, then:

    A: a new typical HCC in the liver *outside* the treated area on 2024-08-01;
    B: a new lesion in the lung on 2024-08-01;
    C: sorafenib (subsequent therapy) on 2024-06-15, then the same new liver lesion 2024-08-01.
    """
    t = Trial("RESCUE")
    for sid in ("A", "B", "C"):
        u = f"RESCUE-01-000{ord(sid) - 64}"
        t.subject(u, "RESCUE", "2024-01-10", "2024-01-20", "ENROLLED")
        t.exposure(u, "2024-02-01")
        t.lesion(u, "T01", "TARGET", "LIVER", "2024-01-25", infield="Y")
        t.measure(u, "T01", "TARGET", "2024-01-25", 100, ldiam=100.0, viable=90.0)
        for date, vn in (("2024-03-01", 300), ("2024-05-01", 400), ("2024-08-01", 500)):
            t.measure(u, "T01", "TARGET", date, vn, ldiam=95.0, viable=40.0)
        site = "LUNG" if sid == "B" else "LIVER"
        t.lesion(u, "NEW01", "NEW", site, "2024-08-01", infield="N")
        t.measure(u, "NEW01", "NEW", "2024-08-01", 500, ldiam=20.0, viable=20.0,
                  state="UNEQUIVOCAL PROGRESSION")
        if sid == "C":
            t.add("CM", USUBJID=u, CMTRT="SORAFENIB", CMCAT="SUBSEQUENT ANTI-CANCER THERAPY",
                  CMINDC="HEPATOCELLULAR CARCINOMA", CMSTDTC="2024-06-15")
    return t


@pytest.fixture(scope="module")
def rescue() -> dict[str, pd.DataFrame]:
    proto = load_builtin("rescue")
    recs = _rescue_trial().records()
    adsl = derive_adsl(recs, proto)
    adrs = derive_adrs_protocol(recs, proto, adsl)
    tte = derive_adtte(adsl, adrs, proto)
    return {"adsl": adsl, "adrs": adrs.adrs, "adtte": tte}


def _row(tte: pd.DataFrame, paramcd: str, subject: str) -> pd.Series:
    r = tte[(tte["PARAMCD"] == paramcd) & (tte["USUBJID"] == f"RESCUE-01-000{subject}")]
    assert len(r) == 1, (paramcd, subject)
    return r.iloc[0]


def test_untreated_liver_progression_counts_for_hepatic_pfs(rescue):
    # rescue hpfs: "hepatic progression-free survival" -- a new HCC anywhere in the liver is
    # hepatic progression, inside or outside the treated area
    r = _row(rescue["adtte"], "HPFSM", "1")
    assert (r["CNSR"], r["ADT"], r["SRCRULE"]) == (0, D("2024-08-01"), "hepatic_progression")
    assert r["AVAL"] == (D("2024-08-01") - D("2024-02-01")).days + 1


def test_untreated_liver_progression_is_not_localized_progression(rescue):
    # localized mRECIST: "tumour response is assessed only within the radioembolization-
    # treated area" -- the out-of-field lesion is not progression; TTP by localized mRECIST
    # is censored at the last adequate assessment
    r = _row(rescue["adtte"], "TTPLM", "1")
    assert r["CNSR"] == 1 and r["ADT"] == D("2024-08-01")
    assert r["SRCRULE"] == "last_tumour_assessment"
    # ... while whole-patient mRECIST counts it (PFS by mRECIST)
    assert _row(rescue["adtte"], "PFSM", "1")["CNSR"] == 0


def test_extrahepatic_progression_is_pfs_but_not_hepatic_pfs(rescue):
    # a new lung lesion is progression (mRECIST) but not hepatic progression
    assert _row(rescue["adtte"], "PFSM", "2")["CNSR"] == 0
    h = _row(rescue["adtte"], "HPFSM", "2")
    assert h["CNSR"] == 1 and h["SRCRULE"] == "last_tumour_assessment"


def test_subsequent_therapy_before_progression_censors_pfs_through_the_catalogue(rescue):
    # rescue pfs censoring "subsequent anti-cancer therapy (censored at the last adequate
    # tumour assessment before it)": therapy 2024-06-15, last assessment before it 2024-05-01
    r = _row(rescue["adtte"], "PFSM", "3")
    assert (r["CNSR"], r["ADT"]) == (1, D("2024-05-01"))
    assert r["SRCRULE"] == "subsequent_anticancer_therapy"
    # time to subsequent treatment: the therapy is the event (rescue time-to-subsequent-treatment)
    s = _row(rescue["adtte"], "TTNT", "3")
    assert (s["CNSR"], s["ADT"]) == (0, D("2024-06-15"))


def test_duration_of_response_starts_at_first_response(rescue):
    # dor-mrecist: "from the first documentation of PR or CR" (2024-03-01) to progression
    r = _row(rescue["adtte"], "DORM", "1")
    assert r["STARTDT"] == D("2024-03-01") and r["ADT"] == D("2024-08-01") and r["CNSR"] == 0


def test_adsl_dates(rescue):
    a = rescue["adsl"].set_index("USUBJID")
    assert a.loc["RESCUE-01-0001", "TRTSDT"] == D("2024-02-01")
    assert a.loc["RESCUE-01-0003", "NACTDT"] == D("2024-06-15")
    # end of study: "24 months after the last patient is enrolled"
    assert a.loc["RESCUE-01-0001", "STUDYEDT"] == D("2026-01-20")
    assert set(a["ITTFL"]) == {"Y"}


def _sbrt_ae_trial() -> Trial:
    t = Trial("SBRT-BCLCC")
    t.subject("S-1", "SBRT-SYSTEMIC", "2024-01-01", "2024-01-10", "RANDOMIZED")
    for d in ("2024-02-06", "2024-02-08", "2024-02-10"):
        t.exposure("S-1", d, cat="SBRT", trt="STEREOTACTIC BODY RADIATION THERAPY")
    t.subject("S-2", "SYSTEMIC", "2024-01-01", "2024-01-10", "RANDOMIZED")
    t.exposure("S-2", "2024-01-20", cat="SYSTEMIC THERAPY", trt="LENVATINIB")
    for sid, term, start, ser in (
            ("S-1", "Fatigue", "2024-03-11", "N"),   # 30 days after last RT: inside
            ("S-1", "Nausea", "2024-03-12", "N"),    # 31 days after: outside the AE window
            ("S-1", "Hepatic failure", "2024-05-09", "Y"),  # SAE, 89 days: inside 90 days
            ("S-1", "Ascites", "2024-05-15", "Y"),   # SAE, 95 days: outside
            ("S-2", "Hypertension", "2024-04-10", "N"),  # randomization + 3 months: inside
            ("S-2", "Fatigue", "2024-04-11", "N")):  # one day later: outside
        t.add("AE", USUBJID=sid, AETERM=term, AEDECOD=term, AESER=ser, AEREL="RELATED",
              AETOXGR="2", AESTDTC=start)
    return t


def test_ae_outside_the_collection_window_is_not_treatment_emergent():
    # sbrt-bclcc: "treatment-related AEs from consent to 30 days after the last radiotherapy,
    # SAEs to 90 days"; control arm: consent to randomization + 3 months (file assumption)
    proto = load_builtin("sbrt-bclcc")
    recs = _sbrt_ae_trial().records()
    adsl = derive_adsl(recs, proto)
    adae = derive_adae(recs, proto, adsl)
    flags = dict(zip(adae["USUBJID"] + " " + adae["AETERM"], adae["TRTEMFL"], strict=True))
    assert flags == {"S-1 Fatigue": "Y", "S-1 Nausea": "N", "S-1 Hepatic failure": "Y",
                     "S-1 Ascites": "N", "S-2 Hypertension": "Y", "S-2 Fatigue": "N"}
    win = adae.set_index(adae["USUBJID"] + " " + adae["AETERM"])["AEWINDOW"]
    assert win["S-1 Hepatic failure"] == "sae-rt-90d"


def test_ae_after_subsequent_therapy_is_outside_the_window():
    # tare-ut7 AE collection ends at subsequent anti-cancer therapy
    proto = load_builtin("tare-ut7")
    t = Trial("TARE-UT7")
    t.subject("T-1", "TARE", "2024-01-01", "2024-01-05", "ENROLLED")
    t.exposure("T-1", "2024-01-10", trt="YTTRIUM-90 GLASS MICROSPHERES")
    t.add("CM", USUBJID="T-1", CMTRT="SORAFENIB", CMCAT="SUBSEQUENT ANTI-CANCER THERAPY",
          CMINDC="HEPATOCELLULAR CARCINOMA", CMSTDTC="2024-06-01")
    for term, start in (("Fatigue", "2024-05-31"), ("Nausea", "2024-06-01"),
                        ("Rash", "2024-01-09")):
        t.add("AE", USUBJID="T-1", AETERM=term, AEDECOD=term, AESER="N", AEREL="RELATED",
              AETOXGR="1", AESTDTC=start)
    recs = t.records()
    adae = derive_adae(recs, proto, derive_adsl(recs, proto))
    assert dict(zip(adae["AETERM"], adae["TRTEMFL"], strict=True)) == {
        "Fatigue": "Y", "Nausea": "N", "Rash": "N"}


def test_unknown_arm_code_is_an_input_error():
    t = Trial("RESCUE")
    t.subject("X-1", "NOT-AN-ARM", "2024-01-01", "2024-01-05", "ENROLLED")
    with pytest.raises(InputError) as err:
        derive_adsl(t.records(), load_builtin("rescue"))
    assert err.value.field == "DM.ARMCD" and err.value.value == "NOT-AN-ARM"


def test_bad_data_cutoff_is_an_input_error():
    t = Trial("RESCUE")
    t.subject("X-1", "RESCUE", "2024-01-01", "2024-01-05", "ENROLLED")
    with pytest.raises(InputError) as err:
        derive_adsl(t.records(), load_builtin("rescue"), data_cutoff="someday")
    assert err.value.field == "data_cutoff"


def test_strata_from_suppdm_when_the_design_declares_factors():
    # a randomized design's stratification factors become ADSL columns and STRATAR
    from hccrt.protocols.schema import StratificationFactor

    base = load_builtin("io-rt-mvi")
    design = base.design.model_copy(update={"stratification_factors": [
        StratificationFactor(id="pvtt", name="Portal vein tumour thrombosis", levels=["Y", "N"])]})
    proto = base.model_copy(update={"design": design})
    t = Trial("IO-RT-MVI")
    t.subject("M-1", "IO-RT", "2024-01-01", "2024-01-05", "RANDOMIZED")
    t.subject("M-2", "IO", "2024-01-01", "2024-01-06", "RANDOMIZED")
    t.add("SUPPDM", USUBJID="M-1", IDVAR=None, IDVARVAL=None, QNAM="PVTT", QLABEL="PVTT",
          QVAL="Y", QORIG="CRF")
    adsl = derive_adsl(t.records(), proto).set_index("USUBJID")
    assert adsl.loc["M-1", "PVTT"] == "Y" and adsl.loc["M-1", "STRATAR"] == "PVTT=Y"
    assert adsl.loc["M-2", "STRATAR"] is None
    assert derive_adsl(t.records(), base)["STRATAR"].isna().all()
