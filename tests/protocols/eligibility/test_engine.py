"""Outcomes, explanations, missing data, attestations, the screening log and the inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.protocols import load_builtin
from hccrt.protocols.eligibility import screen, screen_frame, screening_log
from hccrt.protocols.eligibility.candidate import ScreeningInput, facts_frame
from hccrt.protocols.eligibility.engine import window_start
from hccrt.protocols.eligibility.rules import Window
from tests.protocols.eligibility.candidates import candidate, lab


@pytest.fixture(scope="module")
def rescue():
    return load_builtin("rescue")


def _criterion(result, criterion_id):
    (c,) = [c for c in result.criteria if c.id == criterion_id]
    return c


def test_one_missing_lab_makes_the_candidate_incomplete_not_eligible(rescue):
    result = screen(rescue, candidate("rescue", labs__platelets=None))
    assert result.status == "incomplete"
    assert result.missing == {"lab-platelets": ["platelets"]}
    assert result.failing == [] and result.attestations == []
    assert "missing platelets" in result.summary()


def test_explanation_in_a_coordinators_words(rescue):
    # Issue 6 example: "Total bilirubin 3.1 mg/dL > 3.0 mg/dL" (rescue: "≤ 3.0 mg/dL").
    result = screen(rescue, candidate("rescue", labs__bilirubin=lab(3.1, "mg/dL")))
    c = _criterion(result, "lab-bilirubin")
    assert c.outcome == "not met"
    assert c.explanation == ["Total bilirubin 3.1 mg/dL > 3.0 mg/dL (required <= 3.0 mg/dL)"]
    assert "lab-bilirubin" in result.failing


def test_si_units_are_explained_in_the_protocols_unit(rescue):
    result = screen(rescue, candidate("rescue", labs__bilirubin=lab(34.2, "umol/L")))
    assert _criterion(result, "lab-bilirubin").explanation == [
        "Total bilirubin 2 mg/dL <= 3.0 mg/dL"]


def test_uln_ratio_shows_value_and_site_uln():
    result = screen(load_builtin("io-rt-mvi"),
                    candidate("io-rt-mvi", labs__alt=lab(240, "U/L", uln=40)))
    c = _criterion(result, "lab-alt-ast")
    assert c.outcome == "not met"
    assert c.explanation[0] == "ALT 6 x ULN (240 U/L, ULN 40 U/L) > 5 x ULN (required <= 5 x ULN)"


def test_missing_data_matters_only_when_it_could_change_the_outcome(rescue):
    # "INR ≤ 2.0 for patients not taking anticoagulants": with INR 1.5 the criterion is met
    # whether or not the patient takes anticoagulants; with INR 2.5 it depends on it.
    ok = screen(rescue, candidate("rescue", on_anticoagulant=None, labs__inr=lab(1.5)))
    assert _criterion(ok, "lab-inr").outcome == "met"
    open_ = screen(rescue, candidate("rescue", on_anticoagulant=None, labs__inr=lab(2.5)))
    assert _criterion(open_, "lab-inr").outcome == "unknown"
    assert _criterion(open_, "lab-inr").missing == ["on_anticoagulant"]


def test_attestations_are_asked_for_and_answered(rescue):
    pending = screen(rescue, candidate("rescue", attestations={"consent": True}))
    assert pending.status == "incomplete"
    assert pending.attestations == ["life-expectancy"]
    assert _criterion(pending, "life-expectancy").outcome == "needs attestation"
    refused = screen(rescue, candidate("rescue", attestations={
        "consent": True, "rescue:life-expectancy": False}))
    assert refused.status == "ineligible" and refused.failing == ["life-expectancy"]


def test_a_failing_criterion_outranks_missing_data(rescue):
    result = screen(rescue, candidate("rescue", ecog=3, labs__wbc=None))
    assert result.status == "ineligible" and result.failing == ["ecog"]
    assert result.missing == {"lab-leukocytes": ["wbc"]}


def test_derived_facts_name_the_inputs_they_lack(rescue):
    result = screen(rescue, candidate("rescue", ascites=None))
    assert result.missing == {"child-pugh-a": ["ascites"]}
    maa = screen(rescue, candidate("rescue", maa_tnr=None))
    assert maa.missing == {"ex-maa-lung-dose": ["maa_tnr"]}


def test_screening_log_counts_by_outcome_and_criterion(rescue):
    rows = [
        candidate("rescue"),
        candidate("rescue", labs__bilirubin=lab(3.2, "mg/dL"), labs__albumin=lab(4.0, "g/dL")),
        candidate("rescue", labs__bilirubin=lab(1.0, "mg/dL"), ecog=2, n_lesions=6),
        candidate("rescue", labs__platelets=None),
    ]
    frame = pd.DataFrame([ScreeningInput.parse({**r, "candidate_id": f"c{i}"}).to_row()
                          for i, r in enumerate(rows)])
    log = screening_log(screen_frame(rescue, frame))
    assert log.screened == 4
    assert log.outcomes == {"eligible": 1, "ineligible": 2, "incomplete": 1}
    table = log.criteria.set_index("criterion")
    # bilirubin 3.2 mg/dL also scores 3 Child-Pugh points (class B): two reasons
    assert table.loc["lab-bilirubin", "failing"] == 1 and table.loc["lab-bilirubin", "only"] == 0
    assert table.loc["ecog", "failing"] == 1 and table.loc["tumour-burden", "failing"] == 1
    assert table.loc["lab-platelets", "unknown"] == 1
    assert log.several_reasons == 2
    assert "| lab-platelets | inclusion | 0 | 0 | 1 | 0 |" in log.to_markdown()


def test_calendar_windows():
    # "within one month" of 31 March reaches back to the last day of February
    ref = pd.Series(pd.to_datetime(["2026-03-31", "2024-03-31", "2026-10-15"]))
    days = (ref - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype=float)
    start = window_start(days, Window(n=1, unit="months"))
    got = [str(pd.Timestamp("1970-01-01") + pd.Timedelta(days=d))[:10] for d in start]
    assert got == ["2026-02-28", "2024-02-29", "2026-09-15"]


def test_flat_csv_and_nested_json_agree(rescue, tmp_path):
    row = ScreeningInput.parse(candidate("rescue")).to_row()
    path = tmp_path / "c.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    from hccrt.protocols.eligibility.candidate import read_candidates

    batch = screen_frame(rescue, read_candidates(str(path)))
    assert batch.status.tolist() == ["eligible"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"labs__bilirubin": {"value": 1.0, "date": "2026-10-01"}}, "bilirubin_unit"),
        ({"labs__bilirubin": lab(1.0, "mmHg")}, "bilirubin_unit"),
        ({"labs__platelets": lab(100, "mg/dL")}, "platelets"),
        ({"labs__bilirubin": lab(-1.0, "mg/dL")}, "bilirubin"),
        ({"labs__bilirubin": lab(1.0, "mg/dL", date="2026-10-16")}, "bilirubin_date"),
        ({"consent_date": "2026-10-16"}, "consent_date"),
        ({"ecog": 5}, "ecog"),
        ({"ascites": "lots"}, "ascites"),
        ({"segments": "9"}, "segments"),
        ({"treated_nontumoral_volume_ml": 5000}, "treated_nontumoral_volume_ml"),
    ],
)
def test_bad_input_names_the_field(rescue, changes, field):
    with pytest.raises(InputError) as info:
        screen(rescue, candidate("rescue", **changes))
    assert info.value.field == field


def test_unknown_columns_are_refused():
    with pytest.raises(InputError) as info:
        facts_frame(pd.DataFrame([{"candidate_id": "x", "screening_date": "2026-10-15",
                                   "bilirubn": 1.0}]))
    assert info.value.field == "bilirubn"


def test_memoised_staging_equals_direct_calls_to_the_clinical_core():
    import numpy as np

    from hccrt.clinical.staging import bclc, cnlc, up_to_seven
    from hccrt.errors import HccrtError

    rng = np.random.default_rng(6)
    n = 400
    frame = pd.DataFrame({
        "candidate_id": [f"c{i}" for i in range(n)],
        "screening_date": "2026-10-15",
        "n_lesions": rng.integers(1, 7, n),
        "largest_cm": rng.choice([1.5, 2.0, 2.1, 3.0, 3.1, 4.0, 5.0, 5.1, 9.0], n),
        "macrovascular_invasion": rng.random(n) < 0.3,
        "extrahepatic_spread": rng.random(n) < 0.2,
        "ecog": rng.integers(0, 5, n),
        "ascites": rng.choice(["none", "slight", "moderate-severe"], n),
        "encephalopathy": "none",
        "liver_function": rng.choice(["preserved", "end-stage", None], n),
        "bilirubin": rng.choice([1.0, 2.5, 3.5], n), "bilirubin_unit": "mg/dL",
        "albumin": 3.6, "albumin_unit": "g/dL", "inr": 1.1,
    })
    facts = facts_frame(frame)
    for i in range(n):
        kw = {"n_nodules": int(frame.n_lesions[i]), "largest_cm": float(frame.largest_cm[i]),
              "macrovascular_invasion": bool(frame.macrovascular_invasion[i]),
              "extrahepatic_spread": bool(frame.extrahepatic_spread[i])}
        assert facts.values["within_up_to_seven"][i] == up_to_seven(**kw).within
        cp = facts.values["child_pugh_class"][i]
        ctx = {"ecog": int(frame.ecog[i]), "child_pugh_class": cp}
        assert facts.values["cnlc_stage"][i] == cnlc(**kw, **ctx).stage
        try:
            lf = frame.liver_function[i]
            expected = bclc(**kw, **ctx, liver_function=lf if isinstance(lf, str) else None).stage
        except HccrtError:
            expected = None
        assert facts.values["bclc_stage"][i] == expected, (i, kw, ctx)


def test_a_candidate_appears_once_per_batch():
    row = {"candidate_id": "x", "screening_date": "2026-10-15"}
    with pytest.raises(InputError) as info:
        facts_frame(pd.DataFrame([row, row]))
    assert info.value.field == "candidate_id" and info.value.value == "x"


def test_untreated_fraction_is_the_planning_modules():
    import numpy as np

    from hccrt.dosimetry.plan import untreated_nontumoral_fraction
    from hccrt.protocols.eligibility.candidate import untreated_fraction

    total = np.array([1200.0, 1000.0, 987.5, 1500.0])
    treated = np.array([840.0, 0.0, 321.25, 1500.0])
    frame = pd.DataFrame({"candidate_id": ["a", "b", "c", "d"], "screening_date": "2026-10-15",
                          "nontumoral_liver_volume_ml": total,
                          "treated_nontumoral_volume_ml": treated})
    got = untreated_fraction(facts_frame(frame))
    assert got.tolist() == [untreated_nontumoral_fraction(t, v) for t, v in zip(
        total, treated, strict=True)]


def test_result_as_plain_json(rescue):
    import json

    result = screen(rescue, candidate("rescue", labs__platelets=None))
    data = json.loads(json.dumps(result.as_dict()))
    assert data["status"] == "incomplete"
    assert data["missing"] == {"lab-platelets": ["platelets"]}
    (platelets,) = [c for c in data["criteria"] if c["id"] == "lab-platelets"]
    assert platelets["outcome"] == "unknown" and platelets["missing"] == ["platelets"]


def test_criteria_not_met_as_ie_records(rescue):
    from hccrt.protocols.eligibility import ie_records

    rows = [candidate("rescue"),
            candidate("rescue", ecog=2, planned_immunotherapy=True),
            candidate("rescue", labs__platelets=None)]
    frame = pd.DataFrame([ScreeningInput.parse({**r, "candidate_id": f"c{i}"}).to_row()
                          for i, r in enumerate(rows)])
    ie = ie_records(screen_frame(rescue, frame), studyid="RESCUE")
    # rescue: ecog is inclusion 8, planned immunotherapy exclusion 4 (after 1a, 1b, 2)
    assert ie[["USUBJID", "IESEQ", "IETESTCD", "IESPID", "IECAT", "IEORRES"]].values.tolist() == [
        ["c1", 1, "IN08", "ecog", "INCLUSION", "N"],
        ["c1", 2, "EX04", "ex-planned-immunotherapy", "EXCLUSION", "Y"],
    ]
    assert ie["IEDTC"].tolist() == ["2026-10-15", "2026-10-15"]
    assert ie["IETEST"][0] == "ECOG performance status of 1 or less."
