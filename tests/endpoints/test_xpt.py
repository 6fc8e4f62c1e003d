"""ADaM outputs fit SAS transport v5 (XPT) without truncation, with CDISC-conformant PARAMCDs.

Limits checked (SAS TS-140 transport v5; CDISC ADaM IG 1.3 section 3.3.4 for PARAMCD): dataset
and variable names <= 8 characters, labels <= 40, character values <= 200 bytes, PARAMCD <= 8
characters of A-Z, 0-9, _ starting with a letter, one parameter per PARAMCD within a dataset.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pydantic
import pyreadstat
import pytest

from hccrt.endpoints import analyze
from hccrt.endpoints.adtte import check_unique_paramcds, paramcd
from hccrt.endpoints.xpt import DATASET_LABELS, VARIABLE_LABELS, write_adam_xpt, xpt_problems
from hccrt.errors import InputError
from hccrt.protocols import load_builtin
from hccrt.protocols.schema import Endpoint
from hccrt.simulate import simulate

CODES = ["tare-ut7", "rescue", "sirt-haic", "io-rt-mvi", "sbrt-bclcc"]
CDISC_PARAMCD = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")


@pytest.fixture(scope="module", params=CODES)
def run(request):
    code = request.param
    return code, analyze(simulate(code, n=30, seed=4).records, code)


def test_every_paramcd_is_cdisc_conformant_and_unique_per_dataset(run) -> None:
    code, r = run
    for name, df in r.datasets.items():
        if "PARAMCD" not in df.columns or df.empty:
            continue
        codes = df["PARAMCD"].dropna().astype(str).unique()
        bad = [c for c in codes if not CDISC_PARAMCD.match(c)]
        assert not bad, (code, name, bad)
        if "PARAM" in df.columns:
            per = df[["PARAMCD", "PARAM"]].drop_duplicates().groupby("PARAMCD").size()
            assert (per == 1).all(), (code, name, per[per > 1])
    adtte = r.datasets["ADTTE"]
    params = adtte[["PARAMCD", "ENDPOINT", "CRITERIA"]].astype(object).drop_duplicates()
    assert params["PARAMCD"].is_unique, (code, params)
    # every time-to-event endpoint x criteria set of the protocol has its own parameter
    proto = load_builtin(code)
    tte = [e for e in proto.endpoints if e.kind.value in ("time_to_event", "duration",
                                                          "restricted_mean")]
    assert len(params) == sum(max(1, len(e.criteria)) for e in tte)
    res = r.results()["PARAMCD"].dropna().astype(str).unique()
    assert all(CDISC_PARAMCD.match(c) for c in res), (code, res)


def test_adam_datasets_round_trip_through_xpt_without_truncation(run, tmp_path) -> None:
    code, r = run
    for name, df in r.datasets.items():
        assert xpt_problems(name, df) == [], (code, name)
    paths = write_adam_xpt(r.datasets, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{n.lower()}.xpt" for n in r.datasets)
    for p in paths:
        back, meta = pyreadstat.read_xport(str(p))
        name = p.stem.upper()
        orig = r.datasets[name]
        assert list(back.columns) == list(orig.columns)
        assert len(back) == len(orig)
        assert all(len(lbl) <= 40 for lbl in meta.column_labels)
        for col in orig.columns:
            o, b = orig[col], back[col]
            if pd.api.types.is_datetime64_any_dtype(o):
                want = pd.to_datetime(o).dt.normalize().to_numpy("datetime64[D]")
                got = pd.to_datetime(b).to_numpy("datetime64[D]")
                np.testing.assert_array_equal(got, want, err_msg=f"{code} {name}.{col}")
            elif pd.api.types.is_numeric_dtype(o) or pd.api.types.is_bool_dtype(o):
                np.testing.assert_allclose(b.astype(float), pd.to_numeric(o).astype(float),
                                           rtol=1e-15, err_msg=f"{code} {name}.{col}")
            else:  # text comes back whole: same characters, nothing cut at 8 or 200
                want = o.astype(object).where(o.notna(), "").astype(str).to_numpy()
                assert (back[col].astype(str).to_numpy() == want).all(), (code, name, col)


def test_labels_fit_forty_characters() -> None:
    assert all(len(v) <= 40 for v in [*DATASET_LABELS.values(), *VARIABLE_LABELS.values()])


def test_breaches_are_listed_and_nothing_is_written(tmp_path) -> None:
    bad = pd.DataFrame({"USUBJID": ["S-1"], "PARAMCD": ["PFS-MRECIST"], "LONGNAME9": [1.0],
                        "EVNTDESC": ["x" * 201]})
    problems = xpt_problems("ADTTE", bad)
    assert any("PARAMCD" in p and "PFS-MRECIST" in p for p in problems)
    assert any("LONGNAME9" in p for p in problems)
    assert any("201 bytes" in p for p in problems)
    assert xpt_problems("ADTOOLONG", bad[["USUBJID"]])
    with pytest.raises(InputError) as e:
        write_adam_xpt({"ADTTE": bad}, tmp_path / "out")
    assert e.value.field == "datasets"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    # exactly 200 bytes and 8-character names are allowed
    ok = pd.DataFrame({"USUBJID": ["S-1"], "PARAMCD": ["RMDOCRLM"], "EVNTDESC": ["y" * 200],
                       "ADT": [dt.date(2025, 1, 31)]}).astype({"ADT": "datetime64[s]"})
    assert xpt_problems("ADTTE", ok) == []
    (path,) = write_adam_xpt({"ADTTE": ok}, tmp_path)
    back, _ = pyreadstat.read_xport(str(path))
    assert back["EVNTDESC"].iloc[0] == "y" * 200 and back["PARAMCD"].iloc[0] == "RMDOCRLM"
    assert pd.Timestamp(back["ADT"].iloc[0]) == pd.Timestamp("2025-01-31")


def _endpoint(**kw) -> Endpoint:
    base = {"id": "time-to-subsequent-treatment", "name": "x", "role": "secondary",
            "kind": "time_to_event", "population": "all", "definition": "x", "time_frame": "x",
            "origin": {"source": "first_treatment", "description": "x"},
            "events": [{"source": "death", "description": "x"}]}
    return Endpoint(**{**base, **kw})


def test_paramcd_from_the_protocol_file_plus_criteria_code() -> None:
    ep = _endpoint(paramcd="RMDOCR", criteria=["localized-mrecist", "mrecist"])
    assert paramcd(ep, "localized-mrecist") == "RMDOCRLM"
    assert paramcd(ep, "mrecist") == "RMDOCRM"
    assert paramcd(_endpoint(paramcd="OS"), None) == "OS"
    # no paramcd in the file: initials of the id's words
    assert paramcd(_endpoint(), None) == "TTST"
    assert paramcd(_endpoint(id="hpfs"), "mrecist") == "HPFSM"


@pytest.mark.parametrize("code", ["PFS-M", "pfs", "ABCDEFG", "1OS"])
def test_protocol_paramcd_must_leave_room_for_the_criteria_code(code: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        _endpoint(paramcd=code)


def test_a_paramcd_shared_by_two_parameters_is_refused() -> None:
    adtte = pd.DataFrame({"PARAMCD": ["DORM", "DORM"], "ENDPOINT": ["dor", "docr"],
                          "CRITERIA": ["mrecist", "mrecist"]})
    with pytest.raises(InputError) as e:
        check_unique_paramcds(adtte)
    assert e.value.value == "DORM"
