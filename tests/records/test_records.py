"""hccrt.records: SDTM conventions, validation errors and CSV/XPT round-trips.

References: CDISC SDTMIG v3.4 (variable names, cores, --SEQ keys, ISO 8601 --DTC, DM screen
failures with ARMNRS); SAS transport v5 limits (names <= 8 characters, labels <= 40); the
pharmaverse example datasets in shared/conformance/pharmaverse-recist (real column conventions).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.records import (
    DOMAINS,
    RecordError,
    RecordSet,
    is_iso8601,
    read_csv_dir,
    read_xpt_dir,
    write_csv_dir,
    write_xpt_dir,
)
from hccrt.records.schema import lb_units
from hccrt.response.sdtm import lesions_from_sdtm

CONF = Path("/work/shared/conformance/pharmaverse-recist")

# Variable names SDTMIG v3.4 defines, which the schema must spell exactly.
SDTMIG_NAMES = {
    "DM": ["STUDYID", "DOMAIN", "USUBJID", "SUBJID", "SITEID", "ARMCD", "ARM", "ACTARMCD",
           "ACTARM", "ARMNRS", "RFSTDTC", "RFXSTDTC", "RFICDTC", "RFPENDTC", "DTHDTC", "DTHFL",
           "AGE", "AGEU", "SEX", "RACE", "COUNTRY"],
    "LB": ["LBSEQ", "LBTESTCD", "LBTEST", "LBORRES", "LBORRESU", "LBSTRESN", "LBSTRESU",
           "LBORNRHI", "LBSTNRHI", "LBDTC", "LBTOXGR", "VISIT", "VISITNUM"],
    "AE": ["AESEQ", "AETERM", "AEDECOD", "AETOXGR", "AESER", "AEREL", "AESTDTC", "AEENDTC",
           "AESEV"],
    "TU": ["TUSEQ", "TULNKID", "TUTESTCD", "TUORRES", "TUSTRESC", "TULOC", "TUEVAL",
           "TUEVALID", "TUMETHOD"],
    "TR": ["TRSEQ", "TRGRPID", "TRLNKID", "TRTESTCD", "TRORRES", "TRSTRESN", "TREVAL",
           "TREVALID", "TRACPTFL"],
    "RS": ["RSSEQ", "RSTESTCD", "RSORRES", "RSSTRESC", "RSEVAL", "RSEVALID", "RSACPTFL"],
    "DS": ["DSSEQ", "DSTERM", "DSDECOD", "DSCAT", "DSSTDTC"],
    "SV": ["VISITNUM", "VISIT", "SVSTDTC", "SVENDTC"],
    "EX": ["EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXSTDTC", "EXENDTC"],
    "SUPPTU": ["RDOMAIN", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QVAL", "QORIG"],
}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(CONF / name, dtype=str, keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("code", sorted(SDTMIG_NAMES))
def test_sdtmig_variable_names(code: str) -> None:
    names = DOMAINS[code].names
    for n in SDTMIG_NAMES[code]:
        assert n in names, f"{code} lacks {n}"


def test_xpt_v5_limits_and_custom_domain_names() -> None:
    for code, dom in DOMAINS.items():
        assert len(code) <= 8
        for v in dom.variables:
            assert len(v.name) <= 8, v.name
            assert len(v.label) <= 40, (v.name, v.label)
        if dom.custom:
            assert code[0] in "XYZ"
        if dom.seq:
            assert dom.keys == ("USUBJID", dom.seq)
            assert dom.variable(dom.seq).core == "Req"
    assert {"XP", "XA"} <= {c for c, d in DOMAINS.items() if d.custom}


def test_pharmaverse_examples_validate() -> None:
    rs = RecordSet({"DM": _read("dm.csv"), "DS": _read("ds.csv"),
                    "TU": _read("tu_onco_recist.csv"), "TR": _read("tr_onco_recist.csv"),
                    "RS": _read("rs_onco_recist.csv")})
    rs.validate()
    # the example omits three Expected variables; SDTM conformance checkers warn on those
    assert {(w.domain, w.variable) for w in rs.warnings()} == {
        ("TU", "TUDTC"), ("TR", "TRMETHOD"), ("RS", "RSCAT")}


@pytest.mark.parametrize("text,ok", [
    ("2024", True), ("2024-02", True), ("2024-02-29", True), ("2023-02-29", False),
    ("2024-13", False), ("2024-02-20T14:30", True), ("2024-02-20T14:30:59", True),
    ("2024-02-20T25:00", False), ("20240220", False), ("02/20/2024", False), ("", False),
])
def test_iso8601(text: str, ok: bool) -> None:
    assert is_iso8601(text) is ok


def test_sample_validates_and_csv_round_trip(records: RecordSet, tmp_path: Path) -> None:
    records.validate()
    paths = write_csv_dir(records, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{c.lower()}.csv" for c in records)
    back = read_csv_dir(tmp_path)
    assert set(back) == set(records)
    for code in records:
        pd.testing.assert_frame_equal(back[code], records[code], check_exact=True)
    # SDTM CSV text: integers without a decimal point, blanks for missing
    text = (tmp_path / "tr.csv").read_text().splitlines()
    assert text[0].startswith("STUDYID,DOMAIN,USUBJID,TRSEQ")
    assert ",48.5,mm," in text[2]


def test_xpt_round_trip(records: RecordSet, tmp_path: Path) -> None:
    write_xpt_dir(records, tmp_path)
    back = read_xpt_dir(tmp_path)
    for code in records:
        pd.testing.assert_frame_equal(back[code], records[code], check_exact=True)


def test_response_engine_reads_the_records(records: RecordSet) -> None:
    les = lesions_from_sdtm(records["TR"], records["TU"], records["SUPPTU"])
    t01 = les.loc[les["lesion_id"] == "T01"].sort_values("visitnum")
    assert list(t01["viable_diameter"]) == [48.5, 12.0]
    assert list(t01["in_treated_area"]) == ["Y", "Y"]


def _expect(tables: dict[str, pd.DataFrame], domain: str, variable: str, row: int | None) -> None:
    with pytest.raises(RecordError) as exc:
        RecordSet(tables).validate()
    hits = [i for i in exc.value.issues if i.domain == domain and variable in (i.variable or "")]
    assert hits, exc.value.issues
    assert hits[0].row == row
    assert isinstance(exc.value, InputError)
    assert domain in str(exc.value) or len(exc.value.issues) > 1


def test_duplicate_seq(tables: dict[str, pd.DataFrame]) -> None:
    tables["TR"].loc[3, "TRSEQ"] = 1
    _expect(tables, "TR", "TRSEQ", 3)


def test_impossible_date(tables: dict[str, pd.DataFrame]) -> None:
    tables["LB"].loc[1, "LBDTC"] = "2024-02-30"
    _expect(tables, "LB", "LBDTC", 1)


def test_subject_not_in_dm(tables: dict[str, pd.DataFrame]) -> None:
    tables["AE"].loc[0, "USUBJID"] = "TEST-01-999"
    _expect(tables, "AE", "USUBJID", 0)


def test_toxicity_grade_outside_ctcae(tables: dict[str, pd.DataFrame]) -> None:
    tables["AE"].loc[0, "AETOXGR"] = "6"
    _expect(tables, "AE", "AETOXGR", 0)


def test_lab_unit_not_convertible_for_test(tables: dict[str, pd.DataFrame]) -> None:
    assert "mg/dL" in lb_units("BILI") and "umol/L" in lb_units("BILI")
    tables["LB"].loc[0, "LBORRESU"] = "U/L"  # an enzyme unit for bilirubin
    _expect(tables, "LB", "LBORRESU", 0)


def test_required_value_missing(tables: dict[str, pd.DataFrame]) -> None:
    tables["DS"].loc[2, "DSDECOD"] = None
    _expect(tables, "DS", "DSDECOD", 2)


def test_unknown_column_and_lesion_role(tables: dict[str, pd.DataFrame]) -> None:
    tables["TR"]["TRLDIAM"] = "1"
    _expect(tables, "TR", "TRLDIAM", None)
    tables = {**tables, "TR": tables["TR"].drop(columns="TRLNKID")}
    tables["TU"].loc[0, "TUORRES"] = "TARGETED"
    _expect(tables, "TU", "TUORRES", 0)


def test_supp_qualifier_points_at_missing_record(tables: dict[str, pd.DataFrame]) -> None:
    tables["SUPPTU"].loc[1, "IDVARVAL"] = "7"
    _expect(tables, "SUPPTU", "IDVARVAL", 1)


def test_disposition_term(tables: dict[str, pd.DataFrame]) -> None:
    tables["DS"].loc[1, "DSDECOD"] = "WITHDREW"
    _expect(tables, "DS", "DSDECOD", 1)


def test_non_numeric_num_value(tables: dict[str, pd.DataFrame]) -> None:
    tables["LB"]["LBSTRESN"] = tables["LB"]["LBSTRESN"].astype(object)
    tables["LB"].loc[0, "LBSTRESN"] = "high"
    with pytest.raises(RecordError) as exc:
        RecordSet(tables)
    assert (exc.value.issues[0].domain, exc.value.issues[0].variable,
            exc.value.issues[0].row) == ("LB", "LBSTRESN", 0)


def test_invalid_set_writes_nothing(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    tables["AE"].loc[0, "AESTDTC"] = "10/03/2024"
    with pytest.raises(RecordError):
        write_csv_dir(RecordSet(tables), tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unknown_file_in_folder(records: RecordSet, tmp_path: Path) -> None:
    write_csv_dir(records, tmp_path)
    (tmp_path / "zz.csv").write_text("A\n1\n")
    with pytest.raises(InputError, match=r"zz\.csv"):
        read_csv_dir(tmp_path)


def test_rewrite_leaves_exactly_the_new_set(records: RecordSet, tmp_path: Path) -> None:
    write_csv_dir(records, tmp_path)
    (tmp_path / "notes.txt").write_text("kept")
    smaller = RecordSet({k: records[k] for k in ("DM", "DS")})
    write_csv_dir(smaller, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dm.csv", "ds.csv", "notes.txt"]
    assert set(read_csv_dir(tmp_path)) == {"DM", "DS"}
