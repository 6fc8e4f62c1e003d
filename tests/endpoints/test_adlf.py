"""RESCUE regional liver function (SDTM XL -> ADLF -> change-from-baseline analysis) on
constructed participants, every expected value worked out by hand.

Protocol text (rescue.yaml, registry seed 001): "Change in regional liver function measured by
hepatobiliary scintigraphy with SPECT-CT from baseline up to 180 days after the initial
treatment, or until subsequent anticancer treatment if earlier."
"""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.endpoints.adlf import derive_adlf
from hccrt.endpoints.adsl import derive_adsl
from hccrt.endpoints.analysis import AnalysisContext, analyze_change
from hccrt.protocols import load_builtin
from tests.endpoints.builders import Trial

EMPTY = pd.DataFrame()


def _scan(t: Trial, u: str, date: str, visit: str, treated: float, untreated: float,
          blfl: str | None = None) -> None:
    for loc, v in (("WHOLE LIVER", treated + untreated), ("TREATED TERRITORY", treated),
                   ("UNTREATED LIVER", untreated)):
        t.add("XL", USUBJID=u, XLTESTCD="HBUPTR",
              XLTEST="Hepatic Tracer Uptake Rate, BSA-corrected", XLCAT="REGIONAL LIVER FUNCTION",
              XLORRES=f"{v:g}", XLORRESU="%/min/m2", XLSTRESC=f"{v:g}", XLSTRESN=v,
              XLSTRESU="%/min/m2", XLLOC=loc, XLBLFL=blfl, VISIT=visit, XLDTC=date)


def _trial() -> Trial:
    """R-1 and R-2 treated on 2024-01-10.

    R-1: scans on 2023-12-20 and 2024-01-03 (both before treatment, no XLBLFL: the later one is
    the baseline), and on 2024-07-08 (day 181).
    R-2: same baseline, sorafenib on 2024-05-01, scan on 2024-07-08: after the subsequent
    therapy, so outside the endpoint's time frame.
    """
    t = Trial("RESCUE")
    for u in ("R-1", "R-2"):
        t.subject(u, "RESCUE", "2023-12-15", "2023-12-28", "ENROLLED")
        t.exposure(u, "2024-01-10")
        _scan(t, u, "2023-12-20", "SCREENING", 3.5, 2.5)
        _scan(t, u, "2024-01-03", "SCREENING", 4.0, 2.0)
        _scan(t, u, "2024-07-08", "DAY 180", 2.6, 2.3)
    t.add("CM", USUBJID="R-2", CMTRT="SORAFENIB", CMCAT="SUBSEQUENT ANTI-CANCER THERAPY",
          CMINDC="HEPATOCELLULAR CARCINOMA", CMSTDTC="2024-05-01")
    return t


@pytest.fixture(scope="module")
def data():
    proto = load_builtin("rescue")
    recs = _trial().records()
    adsl = derive_adsl(recs, proto)
    return proto, adsl, derive_adlf(recs, adsl)


def test_baseline_is_the_last_scan_before_treatment_and_change_is_by_hand(data) -> None:
    _, _, adlf = data
    r1 = adlf[adlf["USUBJID"] == "R-1"]
    assert len(r1) == 9 and set(r1["PARAMCD"]) == {"HBUWL", "HBUTT", "HBUUL"}
    base = r1[r1["ABLFL"] == "Y"].set_index("PARAMCD")
    assert list(base["ADT"].dt.strftime("%Y-%m-%d").unique()) == ["2024-01-03"]
    post = r1[r1["ADT"] == pd.Timestamp("2024-07-08")].set_index("PARAMCD")
    # treated territory 4.0 -> 2.6: -1.4, -35 %; untreated 2.0 -> 2.3: +0.3, +15 %;
    # whole liver 6.0 -> 4.9: -1.1, -18.33 %
    assert post.loc["HBUTT", "BASE"] == pytest.approx(4.0)
    assert post.loc["HBUTT", "CHG"] == pytest.approx(-1.4)
    assert post.loc["HBUTT", "PCHG"] == pytest.approx(-35.0)
    assert post.loc["HBUUL", "CHG"] == pytest.approx(0.3)
    assert post.loc["HBUUL", "PCHG"] == pytest.approx(15.0)
    assert post.loc["HBUWL", "CHG"] == pytest.approx(-1.1)
    assert post.loc["HBUWL", "PCHG"] == pytest.approx(-110 / 6)
    # 2024-01-10 -> 2024-07-08 is 180 days (21 + 29 + 31 + 30 + 31 + 30 + 8): ADY 181
    assert (post["ADY"] == 181).all()
    early = r1[r1["ADT"] == pd.Timestamp("2023-12-20")]
    assert early["ABLFL"].isna().all() and (early["ADY"] == -21).all()


def test_endpoint_stops_at_subsequent_therapy_and_summarises_the_rest(data) -> None:
    proto, adsl, adlf = data
    ep = next(e for e in proto.endpoints if e.id == "regional-liver-function-change")
    ctx = AnalysisContext(proto, adsl, None, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY,  # type: ignore
                          adlf=adlf)
    dataset, table = analyze_change(ep, ctx)
    # R-2's day-181 scan follows sorafenib (2024-05-01): only R-1 is analysed
    assert set(dataset["USUBJID"]) == {"R-1"}
    est = table.set_index("STATISTIC")["ESTIMATE"]
    assert est["change in regional_liver_function HBUTT at day 180"] == pytest.approx(-1.4)
    assert est["change in regional_liver_function HBUUL at day 180"] == pytest.approx(0.3)
    assert est["change in regional_liver_function HBUWL at day 180"] == pytest.approx(-1.1)
    assert (table["N"] == 1).all()


def test_recorded_baseline_flag_wins(data) -> None:
    t = Trial("RESCUE")
    t.subject("R-3", "RESCUE", "2023-12-15", "2023-12-28", "ENROLLED")
    t.exposure("R-3", "2024-01-10")
    _scan(t, "R-3", "2023-12-20", "SCREENING", 3.5, 2.5, blfl="Y")
    _scan(t, "R-3", "2024-01-03", "SCREENING", 4.0, 2.0)
    _scan(t, "R-3", "2024-07-08", "DAY 180", 2.6, 2.3)
    recs = t.records()
    adlf = derive_adlf(recs, derive_adsl(recs, data[0]))
    post = adlf[adlf["ADT"] == pd.Timestamp("2024-07-08")].set_index("PARAMCD")
    assert post.loc["HBUTT", "CHG"] == pytest.approx(2.6 - 3.5)
    assert post.loc["HBUUL", "CHG"] == pytest.approx(2.3 - 2.5)


def test_no_xl_domain_gives_an_empty_dataset(data) -> None:
    t = Trial("RESCUE")
    t.subject("R-4", "RESCUE", "2023-12-15", "2023-12-28", "ENROLLED")
    recs = t.records()
    assert derive_adlf(recs, derive_adsl(recs, data[0])).empty
