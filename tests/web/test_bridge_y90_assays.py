"""Records bridge, XA of an administration with dose-calibrator assays: VIALACT is the
administration's own vial activity at administration (the assay decay-corrected by the core),
not the plan's planning context, and RESACT / RESPCT / DELACT follow from it.

The reference values are computed here by hand from the decay law A = A0 x 2^(-t / 64.1 h)
(Y-90 half-life, TheraSphere US package insert v12), rounded to the export's 4 decimals. The
other administrations of the cohort (loaded from records without assay times) keep exporting
their XA rows unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import pandas as pd
import pytest

from hccrt.protocols import load_builtin
from hccrt.simulate import simulate
from hccrt.web.audit.base import audit_context
from hccrt.web.capture import models as m
from hccrt.web.capture.bridge import export_records, import_records
from hccrt.web.core.services import store_protocol

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _xa(records, usubjid: str, lnkid: str) -> dict[str, float]:
    xa: pd.DataFrame = records["XA"]
    rows = xa[(xa["USUBJID"] == usubjid) & (xa["XALNKID"] == lnkid)]
    return dict(zip(rows["XATESTCD"], rows["XASTRESN"].astype(float), strict=True))


def test_assayed_administration_exports_its_own_vial_activity(world):
    store_protocol(load_builtin("tare-ut7"), source="tare-ut7.yaml")
    import_records(simulate("tare-ut7", n=6, seed=1).records, "tare-ut7", user=world.system)
    before = export_records("tare-ut7")
    adm = m.Y90Administration.objects.order_by("pk").first()
    assert adm is not None and "assays" not in adm.report
    day = adm.administration_date
    at = datetime.combine(day, time(10, 0), tzinfo=UTC)
    adm.vial_assay_gbq, adm.vial_assay_at = 4.0, datetime.combine(day, time(8, 0), tzinfo=UTC)
    adm.residual_assay_gbq = 0.1
    adm.residual_assay_at = datetime.combine(day, time(10, 30), tzinfo=UTC)
    adm.administered_at = at
    with audit_context(world.system):
        adm.save(user=world.system, reason="dose-calibrator readings transcribed")
    after = export_records("tare-ut7")

    vial = 4.0 * 2 ** (-2 / 64.1)
    residual = 0.1 * 2 ** (0.5 / 64.1)
    xa_rows = after["XA"]
    # the administration's subject and link: the export numbers plans per subject in date order
    ex = after["EX"]
    row = ex[(ex["EXSTDTC"] == day.isoformat()) & ex["EXDOSE"].eq(round(vial - residual, 3))]
    assert len(row) == 1
    key = (row["USUBJID"].iloc[0], row["EXLNKID"].iloc[0])
    got = _xa(after, *key)
    assert got["VIALACT"] == round(vial, 4)
    assert got["DELACT"] == round(vial - residual, 4)
    assert got["RESACT"] == round(residual, 4)
    assert got["RESPCT"] == round(residual / vial * 100.0, 4)
    assert got["VIALACT"] != _xa(before, *key)["VIALACT"]
    # every other administration's XA rows are as before
    others = lambda df: df[~((df["USUBJID"] == key[0]) & (df["XALNKID"] == key[1]))]  # noqa: E731
    cols = ["USUBJID", "XALNKID", "XATESTCD", "XAORRES", "XASTRESN"]
    pd.testing.assert_frame_equal(others(before["XA"])[cols].reset_index(drop=True),
                                  others(xa_rows)[cols].reset_index(drop=True))
