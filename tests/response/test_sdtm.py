"""SDTM reader: XPT gives the same lesions as CSV (the XPT is written by pyreadstat, an
independent SAS-transport writer), subject dates from DM + DS equal the pharmaverse ADSL's,
partial dates are imputed as admiralonco does, and protocol parameters load from a mapping."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.response.best import BestResponseParams
from hccrt.response.sdtm import (
    SdtmData,
    impute_dtc,
    lesions_from_sdtm,
    read_sdtm_dir,
    subjects_from_sdtm,
)
from hccrt.response.timepoint import derive_timepoint_response

DATA = Path("/work/shared/conformance/pharmaverse-recist")
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="conformance data not present")


def test_xpt_gives_the_same_timepoints_as_csv(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    for dom, name in (("tu", "tu_onco_recist"), ("tr", "tr_onco_recist")):
        df = pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)
        if dom == "tr":
            df["TRSTRESN"] = pd.to_numeric(df["TRSTRESN"], errors="coerce")
            df["VISITNUM"] = pd.to_numeric(df["VISITNUM"])
        pyreadstat.write_xport(df, str(tmp_path / f"{dom}.xpt"), file_format_version=5,
                               table_name=dom.upper())
    x = read_sdtm_dir(tmp_path)
    c = read_sdtm_dir(DATA)
    tx = derive_timepoint_response(lesions_from_sdtm(x.tr, x.tu))
    tc = derive_timepoint_response(lesions_from_sdtm(c.tr, c.tu))
    cols = ["subject", "evaluator", "visit", "date", "overall", "target_sum"]
    pd.testing.assert_frame_equal(tx[cols].astype(str), tc[cols].astype(str))


def test_subject_dates_from_dm_and_ds_equal_adsl():
    d = read_sdtm_dir(DATA)
    from_adsl = subjects_from_sdtm(d).set_index("subject")
    from_dm = subjects_from_sdtm(SdtmData(dm=d.dm, ds=d.ds)).set_index("subject")
    both = from_adsl.join(from_dm.add_suffix("_dm"))
    rand = both.dropna(subset=["randomization_date"])
    assert len(rand) == 254  # 306 ADSL subjects minus 52 screen failures (response-rules 4)
    assert (rand["randomization_date"] == rand["randomization_date_dm"]).all()


def test_partial_dates_imputed_last_or_first_day():
    dates, flag = impute_dtc(pd.Series(["2014-02", "2014-03-06", "2012"]), "last")
    assert dates.tolist()[:2] == [pd.Timestamp("2014-02-28"), pd.Timestamp("2014-03-06")]
    assert pd.isna(dates.iloc[2])  # a year alone is not imputed
    assert flag.tolist()[:2] == ["D", None]
    assert impute_dtc(pd.Series(["2012-02"]), "first")[0].item() == pd.Timestamp("2012-02-01")
    with pytest.raises(InputError):
        impute_dtc(pd.Series(["2012-02"]), "middle")


def test_params_from_protocol_mapping():
    p = BestResponseParams.from_mapping({"confirmation_days": 21, "reference": "treatment_date"})
    assert (p.confirmation_days, p.sd_min_days, p.reference) == (21, 42, "treatment_date")
    with pytest.raises(InputError, match="best response parameter"):
        BestResponseParams.from_mapping({"confirm_days": 21})
    with pytest.raises(InputError, match="sd_breaks_confirmation"):
        BestResponseParams.from_mapping({"sd_breaks_confirmation": "no"})


def test_missing_folder_and_wrong_file_type(tmp_path):
    with pytest.raises(InputError, match="sdtm folder"):
        read_sdtm_dir(tmp_path / "nope")
    from hccrt.response.sdtm import read_domain

    (tmp_path / "tr.txt").write_text("x")
    with pytest.raises(InputError, match="csv"):
        read_domain(tmp_path / "tr.txt")
