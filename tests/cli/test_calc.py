"""``hccrt calc``: the CLI returns the published worked examples and refuses bad input cleanly.

Expected values are the worked examples of /work/shared/reference/scores.md (ALBI-3, CP-4,
MELD-1 = calculatorlib.com's worked example, MNa-1, M3-1, BCLC-4, CNLC-6, Milan/U7-1, CG-1,
BSA-1 = MedCalc-Bench-Verified one-shot 2.06155). The table test checks each row against the
core functions called directly and against the same published examples.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hccrt.cli.calc import calc_app
from hccrt.clinical import body, liver, staging
from hccrt.clinical.table import score_table

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(calc_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_albi_cli_albi_3() -> None:
    # scores.md ALBI-3: 1.0 mg/dL, 3.5 g/dL -> -2.161, grade 2, mALBI 2b
    out = _json(["albi", "--bilirubin", "1.0 mg/dL", "--albumin", "3.5 g/dL"])
    assert out["score"] == pytest.approx(-2.161, abs=5e-4)
    assert out["grade"] == 2 and out["malbi_grade"] == "2b"


def test_child_pugh_cli_boundaries_cp_4() -> None:
    out = _json(
        [
            "child-pugh",
            "--bilirubin", "2.0 mg/dL",
            "--albumin", "35 g/L",
            "--inr", "1.7",
            "--ascites", "none",
            "--encephalopathy", "none",
        ]
    )  # fmt: skip
    assert out["points"] == 8 and out["child_pugh_class"] == "B"


def test_meld_family_cli() -> None:
    base = ["--bilirubin", "1.9 mg/dL", "--inr", "1.2", "--creatinine", "1.3 mg/dL"]
    assert _json(["meld", *base])["meld"] == 13  # calculatorlib worked example
    mna = ["--bilirubin", "4.0 mg/dL", "--inr", "1.8", "--creatinine", "1.9 mg/dL"]
    assert _json(["meld-na", *mna, "--sodium", "128 mmol/L"])["meld_na"] == 29  # MNa-1
    m3 = [
        "meld3",
        "--bilirubin", "2.5 mg/dL",
        "--inr", "1.5",
        "--creatinine", "1.2 mg/dL",
        "--sodium", "135 mEq/L",
        "--albumin", "3.0 g/dL",
    ]  # fmt: skip
    assert _json([*m3, "--sex", "female"])["meld3"] == 19  # M3-1
    assert _json([*m3, "--sex", "male"])["meld3"] == 18  # M3-2


def test_meld3_cli_cap_option_m3_6() -> None:
    m3 = [
        "meld3",
        "--bilirubin", "10 mg/dL",
        "--inr", "2.5",
        "--creatinine", "5 mg/dL",
        "--sodium", "124 mmol/L",
        "--albumin", "1.2 g/dL",
        "--sex", "female",
    ]  # fmt: skip
    assert _json(m3)["meld3"] == 40
    assert _json([*m3, "--no-cap"])["meld3"] == 41


def test_staging_cli() -> None:
    out = _json(["bclc", "--nodules", "3.0,2.5,1.0", "--ecog", "0", "--child-pugh-class", "A"])
    assert out["stage"] == "A"  # BCLC-4
    out = _json(
        [
            "cnlc", "--nodules", "3", "--ecog", "1", "--child-pugh-class", "B",
            "--macrovascular-invasion",
        ]
    )  # fmt: skip
    assert out["stage"] == "IIIa"  # CNLC-6
    assert _json(["milan", "--nodules", "6"])["within_milan"] is False  # U7-1 / Milan
    u7 = _json(["up-to-seven", "--n-nodules", "1", "--largest-cm", "6"])
    assert u7 == {"total": 7.0, "within": True}
    assert _json(["couinaud", "--segments", "5,6,7,8"])["contiguous"] is True
    assert _json(["couinaud", "--segments", "5,7"])["contiguous"] is False


def test_body_cli() -> None:
    cg = _json(
        ["cockcroft-gault", "--age", "60", "--weight-kg", "72", "--creatinine", "1.0 mg/dL",
         "--sex", "female"]
    )  # fmt: skip
    assert cg["crcl_ml_min"] == pytest.approx(68.0)  # CG-2
    out = _json(["bsa", "--height-cm", "180", "--weight-kg", "85"])
    assert out["bsa_m2"] == pytest.approx(2.06155, abs=1e-5)  # BSA-1


def test_human_readable_output() -> None:
    result = runner.invoke(calc_app, ["meld", "--bilirubin", "1.9 mg/dL", "--inr", "1.2",
                                      "--creatinine", "1.3 mg/dL"])  # fmt: skip
    assert result.exit_code == 0
    assert "meld: 13" in result.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["albi", "--bilirubin", "1.2", "--albumin", "3.5 g/dL"], "bilirubin"),
        (["albi", "--bilirubin", "1.2 mg/ml", "--albumin", "3.5 g/dL"], "bilirubin"),
        (["albi", "--bilirubin", "-1 mg/dL", "--albumin", "3.5 g/dL"], "bilirubin"),
        (["bclc", "--nodules", "3", "--ecog", "0", "--child-pugh-class", "B"], "liver_function"),
        (["bclc", "--nodules", "a,b", "--ecog", "0", "--child-pugh-class", "A"], "nodules"),
        (["couinaud", "--segments", "9"], "segments"),
        (["bsa", "--height-cm", "1.8", "--weight-kg", "80"], "height_cm"),
        (
            [
                "meld3",
                "--bilirubin",
                "1 mg/dL",
                "--inr",
                "1",
                "--creatinine",
                "1 mg/dL",
                "--sodium",
                "137 mmol/L",
                "--albumin",
                "3.5 g/dL",
                "--sex",
                "other",
            ],
            "sex",
        ),
    ],
)
def test_bad_input_one_line_error_exit_2(args: list[str], field: str) -> None:
    result = runner.invoke(calc_app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {field}: got ")
    assert "allowed:" in lines[0]


# --- table -------------------------------------------------------------------------------


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "Bilirubin": ["1.9 mg/dL", "17.1 umol/L", "1.2", ""],
            "albumin": ["3.5 g/dL", "35 g/L", "3.0 g/dL", ""],
            "inr": ["1.2", "1.0", "1.0", ""],
            "creatinine": ["1.3", "88.4", "1.0 mg/dL", ""],
            "creatinine_unit": ["mg/dL", "umol/L", "", ""],
            "sodium": ["130 mmol/L", "140 mEq/L", "", ""],
            "ascites": ["none", "mild", "", ""],
            "encephalopathy": ["none", "none", "", ""],
            "sex": ["male", "female", "x", ""],
            "age": ["60", "15", "", ""],
            "weight_kg": ["72", "50", "", ""],
            "height_cm": ["170", "160", "", ""],
            "ecog": ["0", "1", "", ""],
            "nodules": ["3;2.5;1", "6", "", ""],
            "macrovascular_invasion": ["false", "", "", ""],
            "segments": ["5;6", "2;5", "", ""],
        }
    )


def test_score_table_matches_core_functions() -> None:
    out = score_table(_table())
    r = out.iloc[0]
    cp = liver.child_pugh("1.9 mg/dL", "3.5 g/dL", 1.2, "none", "none")
    assert r["child_pugh_points"] == cp.points and r["child_pugh_class"] == cp.child_pugh_class
    assert r["albi_score"] == pytest.approx(liver.albi("1.9 mg/dL", "3.5 g/dL").score, abs=1e-4)
    assert r["meld"] == 13  # MELD-1, calculatorlib worked example
    assert r["meld_na"] == 19  # MNa-2
    assert r["meld3"] == liver.meld3(1.9, 1.2, 1.3, 130, 3.5, sex="male")
    assert r["crcl_cockcroft_gault"] == pytest.approx(
        body.cockcroft_gault(age=60, weight_kg=72, creatinine=1.3, sex="male"), abs=0.01
    )
    assert r["bsa_mosteller"] == pytest.approx(body.bsa(height_cm=170, weight_kg=72), abs=1e-4)
    assert r["bclc"] == "A"  # BCLC-4
    assert r["cnlc"] == "Ib"  # CNLC-3 shape: 3 nodules, largest 3.0
    assert bool(r["milan"]) is True
    assert bool(r["couinaud_contiguous"]) is True
    assert pd.isna(r["calc_errors"])

    r = out.iloc[1]  # SI units; age 15 -> MELD 3.0 female term; Child-Pugh B -> no BCLC
    assert r["albi_score"] == pytest.approx(-2.161, abs=5e-4)  # ALBI-3
    assert r["child_pugh_points"] == 7 and r["child_pugh_class"] == "B"
    assert r["meld"] == 6
    assert r["meld3"] == liver.meld3(1.0, 1.0, 1.0, 140, 3.5, sex="female", age=15)
    assert pd.isna(r["crcl_cockcroft_gault"])  # under 18
    assert pd.isna(r["bclc"]) and "liver_function" in r["calc_errors"]
    assert r["cnlc"] == staging.cnlc([6.0], ecog=1, child_pugh_class="B").stage
    assert bool(r["up_to_seven"]) is True and r["up_to_seven_total"] == 7.0  # U7-1
    assert bool(r["couinaud_contiguous"]) is False

    r = out.iloc[2]  # a bare bilirubin number and an unknown sex are refused, not guessed
    assert pd.isna(r["albi_score"]) and pd.isna(r["meld"])
    assert "bilirubin: got '1.2'" in r["calc_errors"]
    assert "sex: got 'x'" in r["calc_errors"]

    r = out.iloc[3]  # an empty row: nothing computed, no error
    assert pd.isna(r["meld"]) and pd.isna(r["calc_errors"])


def test_table_command(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    dst = tmp_path / "out.csv"
    _table().to_csv(src, index=False)
    result = runner.invoke(calc_app, ["table", "--input", str(src), "--output", str(dst)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(dst)
    assert list(out["meld"].iloc[:2]) == [13, 6]
    assert "calc_errors" in out.columns
    missing = runner.invoke(calc_app, ["table", "-i", str(tmp_path / "no.csv"), "-o", str(dst)])
    assert missing.exit_code == 2
    assert missing.stderr.startswith("error: input: got ")


def test_table_help_documents_columns() -> None:
    result = runner.invoke(calc_app, ["table", "--help"])
    assert result.exit_code == 0
    for column in ("bilirubin_unit", "child_pugh_points", "meld3", "calc_errors"):
        assert column in result.stdout


_cell = st.one_of(
    st.just(""),
    st.text(max_size=8),
    st.builds(
        lambda v, u: f"{v} {u}",
        st.floats(-100, 1000, allow_nan=False),
        st.sampled_from(["mg/dL", "umol/L", "g/dL", "g/L", "mmol/L", "", "U/L"]),
    ),
)
_COLUMNS = [
    "bilirubin", "albumin", "inr", "creatinine", "sodium", "ascites", "encephalopathy",
    "dialysis", "sex", "age", "weight_kg", "height_cm", "ecog", "child_pugh_class",
    "liver_function", "nodules", "n_nodules", "largest_cm", "macrovascular_invasion",
    "extrahepatic_spread", "segments", "alt", "alt_uln", "platelets", "platelets_lln",
    "potassium", "potassium_uln",
]  # fmt: skip


@settings(max_examples=15, deadline=None)
@given(st.lists(st.fixed_dictionaries({c: _cell for c in _COLUMNS}), min_size=1, max_size=4))
def test_score_table_never_crashes(rows: list[dict[str, str]]) -> None:
    # any cell content ends up either as a score or as a message in calc_errors
    out = score_table(pd.DataFrame(rows, dtype=str))
    assert len(out) == len(rows)
    assert "calc_errors" in out.columns


# --- QLQ commands (scoring in hccrt.clinical.qol) ----------------------------------------

C30_1 = "4,4,1,4,3,1,4,4,1,3,2,4,4,1,4,2,4,2,1,4,1,4,3,4,1,4,4,1,2,3"
HCC18_1 = "2,1,3,2,1,1,2,3,1,1,1,2,3,2,3,2,4,1"


def test_qlq_c30_cli_example_c30_1() -> None:
    # scores.md C30-1 (EORTC scoring manual rules, checked by hand): QL2 25, PF2 26.67,
    # FA 66.67, DY 100, SUMSC 36.67
    out = _json(["qlq-c30", "--items", C30_1])
    assert out["QL2"] == pytest.approx(25.0)
    assert out["PF2"] == pytest.approx(26.67, abs=0.01)
    assert out["FA"] == pytest.approx(66.67, abs=0.01)
    assert out["DY"] == pytest.approx(100.0)
    assert out["SUMSC"] == pytest.approx(36.67, abs=0.01)


def test_qlq_c30_cli_missing_items_c30_5() -> None:
    # scores.md C30-5: q1, q2, q8, q10 missing -> PF2 44.44, FA 66.67, DY and SUMSC missing
    parts = C30_1.split(",")
    for item in (1, 2, 8, 10):
        parts[item - 1] = ""
    out = _json(["qlq-c30", "--items", ",".join(parts)])
    assert out["PF2"] == pytest.approx(44.44, abs=0.01)
    assert out["FA"] == pytest.approx(66.67, abs=0.01)
    assert out["DY"] is None and out["SUMSC"] is None


def test_qlq_hcc18_cli_example_hcc18_1() -> None:
    # scores.md HCC18-1
    out = _json(["qlq-hcc18", "--items", "2,1,3,2,1,1,2,3,1,1,1,2,3,2,3,2,4,1"])
    assert out["HCC_FATIGUE"] == pytest.approx(66.67, abs=0.01)
    assert out["HCC_NUTRITION"] == pytest.approx(33.33, abs=0.01)
    assert out["HCC_JAUNDICE"] == pytest.approx(16.67, abs=0.01)
    assert out["HCC_ABDOMINAL_SWELLING"] == pytest.approx(33.33, abs=0.01)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["qlq-hcc18", "--items", "2,1,3"], "items"),
        (["qlq-c30", "--items", C30_1.replace("4", "x", 1)], "items"),
        (["qlq-c30", "--items", "9" + C30_1[1:]], "q1"),
    ],
)
def test_qlq_cli_bad_items(args: list[str], field: str) -> None:
    result = runner.invoke(calc_app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {field}: got ")


# --- CTCAE, pneumonitis, REILD commands (grading in hccrt.clinical) -----------------------


@pytest.mark.parametrize(
    ("value", "grade"),
    [("801 U/L", 4), ("800 U/L", 3), ("201 U/L", 3), ("200 U/L", 2), ("121 U/L", 2),
     ("120 U/L", 1), ("41 U/L", 1), ("40 U/L", 0)],
)  # fmt: skip
def test_ctcae_cli_alt_boundaries_admiral(value: str, grade: int) -> None:
    # admiral tests (scores.md 3.1): ALT with ULN 40, cut-offs take the milder grade
    out = _json(["ctcae", "--test", "ALT", "--value", value, "--uln", "40 U/L"])
    assert out["grade"] == grade


def test_ctcae_cli_not_gradable_and_absolute_grade() -> None:
    out = _json(["ctcae", "--test", "ALT", "--value", "250 U/L"])
    assert out["gradable"] is False and out["grade"] is None and "ULN" in out["reason"]
    # admiral: platelets 74 x 10^9/L with LLN missing -> 2 (absolute threshold)
    assert _json(["ctcae", "--test", "PLAT", "--value", "74 10^9/L"])["grade"] == 2


def test_ctcae_cli_bad_value() -> None:
    result = runner.invoke(calc_app, ["ctcae", "--test", "ALT", "--value", "-5 U/L"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: value: got ")


def test_pneumonitis_cli() -> None:
    # CTCAE v5.0 pneumonitis: grade 1 asymptomatic; grade 2 symptomatic; grade 3 oxygen
    assert _json(["pneumonitis", "--present"])["grade"] == 1
    assert _json(["pneumonitis", "--present", "--symptoms", "present"])["grade"] == 2
    assert _json(["pneumonitis", "--present", "--oxygen"])["grade"] == 3


def test_reild_cli_sangro_2008_window() -> None:
    # Sangro 2008: jaundice and ascites 1-2 months after treatment, no progression or
    # obstruction; bilirubin threshold 3 mg/dL (reild module default)
    base = ["reild", "--treatment-date", "2026-01-01", "--ascites-date", "2026-02-12",
            "--no-tumour-progression", "--no-biliary-obstruction"]  # fmt: skip
    assert _json([*base, "--bilirubin", "2026-02-10=3.5 mg/dL"])["met"] is True
    assert _json([*base, "--bilirubin", "2026-02-10=2.0 mg/dL"])["met"] is False
    bad = runner.invoke(calc_app, [*base, "--bilirubin", "2026-02-10"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: bilirubin: got ")


def test_score_table_ctcae_columns() -> None:
    # admiral's CTCAE v5 test expectations (scores.md 3.1): ULN 40 -> ALT 801: 4, 800: 3,
    # 121: 2, 120: 1, 40: 0; platelets (LLN 100) 24: 4, 25: 3, 74 with LLN missing: 2
    df = pd.DataFrame(
        {
            "alt": ["801 U/L", "800 U/L", "121", "120", "40", "250 U/L"],
            "alt_uln": ["40 U/L", "40 U/L", "40", "40", "40", ""],
            "alt_unit": ["", "", "IU/L", "IU/L", "IU/L", ""],
            "platelets": ["24", "25", "74", "", "100", "x"],
            "platelets_lln": ["100", "100", "", "", "100", ""],
            "platelets_unit": ["10^9/L"] * 6,
        }
    )
    out = score_table(df)
    assert out["ctcae_alt_grade"].tolist()[:5] == [4, 3, 2, 1, 0]
    assert pd.isna(out["ctcae_alt_grade"].iloc[5])
    assert "ULN" in out["ctcae_alt_reason"].iloc[5]
    assert out["ctcae_platelets_grade"].tolist()[:3] == [4, 3, 2]
    assert out["ctcae_platelets_grade"].iloc[4] == 0
    assert pd.isna(out["ctcae_platelets_reason"].iloc[0])
    assert "platelets: got " in out["calc_errors"].iloc[5]


def test_score_table_qlq_columns() -> None:
    # scores.md C30-1 / C30-5 / HCC18-1 (scoring manual rules, checked by hand)
    c30 = C30_1.split(",")
    hcc18 = HCC18_1.split(",")
    full = dict(zip([f"q{i}" for i in range(1, 49)], c30 + hcc18, strict=True))
    missing = full | {"q1": "", "q2": "", "q8": "", "q10": ""}
    invalid = full | {"q5": "9"}
    out = score_table(pd.DataFrame([full, missing, invalid]))
    assert out["qlq_c30_SUMSC"].iloc[0] == pytest.approx(36.67)
    assert out["qlq_c30_PF2"].iloc[1] == pytest.approx(44.44)
    assert pd.isna(out["qlq_c30_SUMSC"].iloc[1]) and pd.isna(out["qlq_c30_DY"].iloc[1])
    assert pd.isna(out["qlq_c30_PF2"].iloc[2])
    assert out["calc_errors"].iloc[2].startswith("q5: got 9;")
    assert out["qlq_hcc18_HCC_FATIGUE"].tolist() == pytest.approx([66.67] * 3)
