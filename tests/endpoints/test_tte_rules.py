"""The generic time-to-event engine, one test per rule, on constructed subjects.

Expected dates are worked out by hand from the protocol text quoted in each test; AVAL follows
admiral ``derive_vars_duration(add_one = TRUE)``: ADT - STARTDT + 1 days.
"""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.endpoints.tte import TteSource, derive_param_tte, last_assessment_on_or_before
from hccrt.errors import InputError

D = pd.Timestamp


def s(**dates: str | None) -> pd.Series:
    """Series USUBJID -> date."""
    return pd.Series({k: (D(v) if v else pd.NaT) for k, v in dates.items()}, dtype="datetime64[ns]")


def assessments(**dates: list[str]) -> pd.DataFrame:
    rows = [(k, D(d)) for k, ds in dates.items() for d in ds]
    return pd.DataFrame(rows, columns=["USUBJID", "date"])


def pfs(start, progression, death, therapy=None, withdrawal=None, study_end=None,
        asm=None, contact=None, gap=None):
    """tare-ut7 pfs-rate as the catalogue declares it: events progression, death; censorings
    subsequent therapy, withdrawal, study end; fallback last adequate tumour assessment."""
    last = asm.groupby("USUBJID")["date"].max() if asm is not None else pd.Series(dtype=object)
    return derive_param_tte(
        start,
        [TteSource("progression", "progression", progression),
         TteSource("death", "participant's death", death)],
        [TteSource("subsequent_anticancer_therapy", "subsequent anti-cancer therapy "
                   "(censored at the last adequate tumour assessment before it)",
                   therapy if therapy is not None else pd.Series(dtype="datetime64[ns]")),
         TteSource("withdrawal_of_consent", "opposition to data collection",
                   withdrawal if withdrawal is not None else pd.Series(dtype="datetime64[ns]")),
         TteSource("study_end", "study termination",
                   study_end if study_end is not None else pd.Series(dtype="datetime64[ns]"))],
        [TteSource("last_tumour_assessment", "alive without progression", last)],
        assessments=asm, last_contact=contact, missed_gap_days=gap, missed_assessments=2,
    ).set_index("USUBJID")


def test_earliest_event_wins():
    # "progression or death, whichever comes first" (tare-ut7 pfs-rate definition)
    out = pfs(s(A="2024-01-01"), s(A="2024-06-01"), s(A="2024-05-01"),
              asm=assessments(A=["2024-04-01"]))
    r = out.loc["A"]
    assert r["CNSR"] == 0 and r["ADT"] == D("2024-05-01")
    assert r["EVNTDESC"] == "participant's death" and r["SRCRULE"] == "death"
    assert r["AVAL"] == (D("2024-05-01") - D("2024-01-01")).days + 1  # 122


def test_tie_between_events_goes_to_the_first_listed():
    # admiral derive_param_tte: events ordered, ties resolved by the order of event_conditions
    out = pfs(s(A="2024-01-01"), s(A="2024-05-01"), s(A="2024-05-01"),
              asm=assessments(A=["2024-05-01"]))
    assert out.loc["A", "SRCRULE"] == "progression"


def test_subsequent_therapy_before_progression_censors_at_last_assessment_before_it():
    # tare-ut7 pfs-rate censoring: "subsequent anti-cancer therapy (censored at the last
    # adequate tumour assessment before it)"; progression after the therapy does not count.
    asm = assessments(A=["2024-03-01", "2024-06-01", "2024-09-01"])
    out = pfs(s(A="2024-01-01"), s(A="2024-12-01"), s(A=None), therapy=s(A="2024-07-15"),
              asm=asm)
    r = out.loc["A"]
    assert r["CNSR"] == 1 and r["ADT"] == D("2024-06-01")
    assert r["SRCRULE"] == "subsequent_anticancer_therapy"
    assert "subsequent anti-cancer therapy" in r["CNSDTDSC"]
    assert r["AVAL"] == 153  # 2024-01-01 .. 2024-06-01 inclusive


def test_therapy_on_an_assessment_day_censors_at_the_assessment_before():
    # "before it": an assessment on the day the therapy starts is not before it
    asm = assessments(A=["2024-03-01", "2024-06-01"])
    out = pfs(s(A="2024-01-01"), s(A=None), s(A=None), therapy=s(A="2024-06-01"), asm=asm)
    assert out.loc["A", "ADT"] == D("2024-03-01")


def test_progression_on_the_day_of_subsequent_therapy_is_an_event():
    # the progression scan is what prompts the new therapy: whichever comes first, ties -> event
    asm = assessments(A=["2024-03-01", "2024-06-01"])
    out = pfs(s(A="2024-01-01"), s(A="2024-06-01"), s(A=None), therapy=s(A="2024-06-01"),
              asm=asm)
    assert out.loc["A", "CNSR"] == 0


def test_no_event_censors_at_the_last_adequate_assessment():
    # "alive without progression (censored at the last adequate tumour assessment)"
    asm = assessments(A=["2024-03-01", "2024-06-01"])
    out = pfs(s(A="2024-01-01"), s(A=None), s(A=None), asm=asm)
    r = out.loc["A"]
    assert (r["CNSR"], r["ADT"], r["SRCRULE"]) == (1, D("2024-06-01"), "last_tumour_assessment")


def test_no_assessment_after_start_censors_at_start():
    # admiralonco rand_censor: censored at the start date, AVAL 1
    out = pfs(s(A="2024-01-01"), s(A=None), s(A=None), asm=assessments(A=["2023-12-20"]))
    r = out.loc["A"]
    assert (r["CNSR"], r["ADT"], r["AVAL"], r["SRCRULE"]) == (1, D("2024-01-01"), 1, "start")


def test_death_after_more_than_two_missed_assessments_censors_at_last_assessment():
    # EMA/CHMP/27994/2008 Rev.1 Appendix 1 s.5 and FDA 2018 Table A: an event after missed
    # assessments is censored at the last adequate assessment. Imaging every 3 months, window
    # +14 days: gap > 3 x 91.3 + 14 = 288 days means more than two assessments were missed.
    gap = 3 * 365.25 / 4 + 14
    asm = assessments(A=["2024-04-01"], B=["2024-04-01"])
    out = pfs(s(A="2024-01-01", B="2024-01-01"), s(A=None, B=None),
              s(A="2025-02-01", B="2024-12-01"), asm=asm, gap=gap)
    a, b = out.loc["A"], out.loc["B"]
    assert (a["CNSR"], a["ADT"]) == (1, D("2024-04-01"))  # 306 days after: censored
    assert a["SRCRULE"] == "death_after_missed_assessments"
    assert "more than 2 missed assessments" in a["CNSDTDSC"]
    assert (b["CNSR"], b["ADT"]) == (0, D("2024-12-01"))  # 244 days after: an event


def test_missed_assessment_rule_off_counts_every_death():
    asm = assessments(A=["2024-04-01"])
    out = pfs(s(A="2024-01-01"), s(A=None), s(A="2025-02-01"), asm=asm, gap=None)
    assert out.loc["A", "CNSR"] == 0


def test_withdrawal_censors_at_last_assessment_and_later_events_do_not_count():
    # "opposition to data collection (censored at the last adequate tumour assessment)"
    asm = assessments(A=["2024-03-01", "2024-06-01"])
    out = pfs(s(A="2024-01-01"), s(A=None), s(A="2024-10-01"), withdrawal=s(A="2024-07-01"),
              asm=asm)
    r = out.loc["A"]
    assert (r["CNSR"], r["ADT"], r["SRCRULE"]) == (1, D("2024-06-01"), "withdrawal_of_consent")


def test_study_end_terminates_only_subjects_still_followed():
    # "study termination (24 months after the last patient is enrolled)"
    asm = assessments(A=["2024-03-01", "2024-06-01"], B=["2024-03-01"])
    out = pfs(s(A="2024-01-01", B="2024-01-01"), s(A="2024-09-01", B=None),
              s(A=None, B=None), study_end=s(A="2024-07-01", B="2024-07-01"), asm=asm,
              contact=s(A="2024-09-01", B="2024-03-15"))
    assert (out.loc["A", "CNSR"], out.loc["A", "ADT"]) == (1, D("2024-06-01"))
    assert out.loc["A", "SRCRULE"] == "study_end"
    # B's last contact was before the study end: the last assessment decides, not the study end
    assert out.loc["B", "SRCRULE"] == "last_tumour_assessment"


def test_os_censoring_at_withdrawal_is_the_withdrawal_date():
    # os-rate: "opposition to data collection (censored at last known alive)"; not assessment
    # based, so the censoring date is the withdrawal date (the subject was alive then)
    out = derive_param_tte(
        s(A="2024-01-01"), [TteSource("death", "death", s(A="2025-01-01"))],
        [TteSource("withdrawal_of_consent", "withdrawal", s(A="2024-08-01"))],
        [TteSource("last_known_alive", "alive", s(A="2024-08-01"))],
        last_contact=s(A="2024-08-01")).set_index("USUBJID")
    r = out.loc["A"]
    assert (r["CNSR"], r["ADT"], r["SRCRULE"]) == (1, D("2024-08-01"), "withdrawal_of_consent")


def test_subjects_without_start_are_not_in_the_parameter():
    # DoR: only responders have a first response date (admiral keeps subjects with STARTDT)
    out = pfs(s(A="2024-01-01", B=None), s(A="2024-06-01", B="2024-06-01"), s(A=None, B=None),
              asm=assessments(A=["2024-06-01"], B=["2024-06-01"]))
    assert list(out.index) == ["A"]


def test_event_before_start_is_set_to_start():
    # admiral derive_param_tte: ADT = max(ADT, STARTDT)
    out = pfs(s(A="2024-02-01"), s(A="2024-01-15"), s(A=None),
              asm=assessments(A=["2024-01-15"]))
    assert out.loc["A", "ADT"] == D("2024-02-01") and out.loc["A", "AVAL"] == 1


def test_latest_fallback_wins():
    # admiral: censorings with mode "last"
    out = derive_param_tte(
        s(A="2024-01-01"), [TteSource("death", "death", s(A=None))], [],
        [TteSource("last_known_alive", "alive", s(A="2024-05-01")),
         TteSource("last_tumour_assessment", "assessment", s(A="2024-04-01"))],
    ).set_index("USUBJID")
    assert out.loc["A", "SRCRULE"] == "last_known_alive"


def test_last_assessment_lookup_strict_and_inclusive():
    asm = assessments(A=["2024-01-10", "2024-02-10"], B=["2024-01-05"])
    when = pd.to_datetime(["2024-02-10", "2024-02-10", "2024-01-04"]).to_numpy()
    ids = pd.Index(["A", "A", "B"]).to_numpy(dtype=object)
    inc = last_assessment_on_or_before(asm, ids, when)
    strict = last_assessment_on_or_before(asm, ids, when, strict=True)
    assert inc[0] == D("2024-02-10").to_datetime64() and strict[1] == D("2024-01-10")
    assert pd.isna(inc[2])


def test_no_event_source_is_an_input_error():
    with pytest.raises(InputError) as err:
        derive_param_tte(s(A="2024-01-01"), [])
    assert err.value.field == "events"
