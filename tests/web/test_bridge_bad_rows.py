"""Records bridge: a bad row of a newly bridged domain loads nothing and the error names the
domain, the row, the field and the value (the rule of the form or of the records schema)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from hccrt.protocols import load_builtin
from hccrt.simulate import simulate
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture.bridge import BridgeError, import_records
from hccrt.web.core.models import Participant
from hccrt.web.core.services import store_protocol

pytestmark = [pytest.mark.database, pytest.mark.django_db]


@pytest.fixture(scope="module")
def cohort() -> dict[str, pd.DataFrame]:
    # rescue, seed 1, n 10: has IE, DV, CM + SUPPCM, PR + SUPPPR, MI (see the counts in the
    # round-trip test); the large LB and QS tables are left out to keep the test fast
    records = simulate("rescue", n=10, seed=1).records
    return {k: v for k, v in records.items() if k not in ("LB", "QS")}


def _set(domain: str, row: int, column: str, value: object
         ) -> Callable[[dict[str, pd.DataFrame]], None]:  # fmt: skip
    def edit(tables: dict[str, pd.DataFrame]) -> None:
        df = tables[domain].copy().astype(object)
        df.loc[row, column] = value
        tables[domain] = df
    return edit


def _drop_supp_cm(tables: dict[str, pd.DataFrame]) -> None:
    tables["SUPPCM"] = tables["SUPPCM"].iloc[1:].reset_index(drop=True)


CASES = [
    # (edit, field, value, where)
    (_set("MH", 1, "MHOCCUR", "MAYBE"), "MH.MHOCCUR", "MAYBE", "MH row 1"),
    (_set("MH", 2, "MHOCCUR", None), "MH.occurred", None, "MH row 2"),
    (_set("DV", 0, "DVTERM", " "), "DV.term", " ", "DV row 0"),
    (_set("DV", 0, "VISITNUM", 9900.0), "DV.VISITNUM", 9900.0, "DV row 0"),
    (_set("SV", 3, "VISITNUM", 5000.0), "SV.VISITNUM", 5000.0, "SV row 3"),
    (_set("SV", 3, "SVOCCUR", "N"), "SV.SVSTDTC", "2024-06-02", "SV row 3"),
    (_set("IE", 0, "IESPID", "no-such-criterion"), "IE.IESPID", "no-such-criterion",
     "IE row 0"),
    (_set("IE", 0, "IEORRES", "MAYBE"), "IE.IEORRES", "MAYBE", "IE row 0"),
    (_drop_supp_cm, "CM.reason", "", "CM row 0"),
    (_set("SUPPCM", 0, "QVAL", "BORED"), "SUPPCM.QVAL", "BORED", "SUPPCM row 0"),
    (_set("SUPPAE", 0, "QVAL", "MAYBE"), "SUPPAE.QVAL", "MAYBE", "SUPPAE row 0"),
    (_set("PR", 0, "PRCAT", "OTHER"), "PR.PRCAT", "OTHER", "PR row 0"),
    (_set("MI", 0, "MIORRES", "150"), "MI.necrosis_percent", 150.0, "MI row 0"),
    (_set("MI", 0, "MIDTC", "2000-01-01"), "MI.report_date", "2000-01-01", "MI row 0"),
    (_set("MI", 0, "MIDTC", "2024-13"), "MI.MIDTC", "2024-13", "MI row 0"),
    (_set("RS", 0, "RSORRES", "LOTS"), "RS.RSORRES", "LOTS", "RS row 0"),
    (_set("TU", 0, "TUORRES", "MAYBE"), "TU.TUORRES", "MAYBE", "TU row 0"),
    (_set("SUPPTU", 0, "QVAL", "9"), "SUPPTU.QVAL", "9", "SUPPTU row 0"),
    (_set("EX", 0, "EXCAT", "CHEMO"), "EX.EXCAT", "CHEMO", "EX row 0"),
    # rescue's only arm gives Y-90, not SBRT (the protocol decides, not the table)
    (_set("EX", 0, "EXCAT", "SBRT"), "EX.EXCAT", "SBRT", "EX row 0"),
    (_set("XL", 2, "XLORRESU", "%/min"), "XL.XLORRESU", "%/min", "XL row 2"),
    (_set("XL", 4, "XLORRES", "-1"), "XL.uptake_rate", -1.0, "XL row 4"),
    (_set("XL", 1, "XLLOC", "LEFT LOBE"), "XL.territory", "LEFT LOBE", "XL row 1"),
]


def _viable_above_longest(tables: dict[str, pd.DataFrame]) -> None:
    tr = tables["TR"].copy().astype(object)
    j = int(tr.index[tr["TRTESTCD"] == "VIABDIAM"][0])
    tr.loc[j, "TRORRES"] = "999"
    tables["TR"] = tr


def test_a_viable_diameter_above_the_longest_is_named_by_its_tr_row(world, cohort):
    store_protocol(load_builtin("rescue"), source="rescue.yaml")
    tables = dict(cohort)
    _viable_above_longest(tables)
    j = int(tables["TR"].index[tables["TR"]["TRORRES"] == "999"][0])
    with pytest.raises(BridgeError) as info:
        import_records(tables, "rescue", user=world.system)
    assert info.value.field == "TR.viable_diameter_mm" and info.value.value == 999.0
    assert info.value.detail == f"TR row {j}"
    assert not m.Lesion.objects.exists() and not m.TumourAssessment.objects.exists()


@pytest.mark.parametrize(("edit", "field", "value", "where"), CASES,
                         ids=[c[1] for c in CASES])
def test_a_bad_row_loads_nothing_and_is_named(world, cohort, edit, field, value, where):
    store_protocol(load_builtin("rescue"), source="rescue.yaml")
    tables = dict(cohort)
    edit(tables)
    with pytest.raises(BridgeError) as info:
        import_records(tables, "rescue", user=world.system)
    err = info.value
    assert err.field == field
    if value is None:
        assert err.value is None
    else:
        assert err.value == value or str(err.value) == str(value)
    assert err.detail == where
    assert err.allowed  # the rule is stated
    assert not Participant.objects.filter(protocol__code="rescue").exists()
    for model in (m.Visit, m.Screening, m.SurgeryPathology, m.SubsequentTreatment,
                  m.MedicalHistory, m.ConcomitantMedication, m.ProtocolDeviation,
                  m.ChildPughClinical, m.TumourAssessment, m.Lesion, m.SbrtCourse,
                  m.SystemicTherapy, m.SystemicDose, m.RegionalLiverFunction):
        assert not model.objects.exists(), model
    assert not AuditEvent.objects.filter(model__startswith="capture.").exists()


def test_typical_hcc_enhancement_of_a_lesion_round_trips(world, cohort):
    """SUPPTU TYPHCC (not written by the generator) <-> Lesion.typical_hcc."""
    from hccrt.web.capture.bridge import export_records

    store_protocol(load_builtin("rescue"), source="rescue.yaml")
    tables = dict(cohort)
    tu = tables["TU"]
    first = tu.iloc[0]
    extra = pd.DataFrame([{"STUDYID": first["STUDYID"], "RDOMAIN": "TU",
                           "USUBJID": first["USUBJID"], "IDVAR": "TUSEQ",
                           "IDVARVAL": str(int(first["TUSEQ"])), "QNAM": "TYPHCC",
                           "QLABEL": "Typical HCC Enhancement", "QVAL": "Y", "QORIG": "CRF",
                           "QEVAL": first["TUEVAL"]}])
    tables["SUPPTU"] = pd.concat([tables["SUPPTU"], extra], ignore_index=True)
    import_records(tables, "rescue", user=world.system)
    assert m.Lesion.objects.filter(typical_hcc=True).count() == 1
    out = export_records("rescue")["SUPPTU"]
    got = out[out["QNAM"] == "TYPHCC"]
    assert got[["USUBJID", "IDVARVAL", "QVAL"]].values.tolist() == \
        [[first["USUBJID"], str(int(first["TUSEQ"])), "Y"]]


@pytest.mark.parametrize(("column", "value", "field"), [
    ("XPORRESU", "cGy", "XP.unit"),
    ("XPORRES", "-3", "XP.value"),
    ("XPTESTCD", "LUNGMASS", "XP.XPTESTCD"),
    ("XPLNKID", "ADM9", "XP.XPLNKID"),
    ("XPSPEC", "CERAMIC", "XP.XPSPEC"),
    ("XPMETHOD", "GUESS", "XP.dose_model"),
    ("XPDTC", "day before", "XP.imaging_date"),
])  # fmt: skip
def test_a_bad_post_treatment_dose_row_loads_nothing_and_is_named(world, cohort, column, value,
                                                                   field):  # fmt: skip
    """XP POST-TREATMENT (measured absorbed dose) -> Y90PostTreatmentDosimetry."""
    store_protocol(load_builtin("rescue"), source="rescue.yaml")
    tables = dict(cohort)
    xp = tables["XP"].copy().astype(object)
    j = int(xp.index[xp["XPSCAT"] == "POST-TREATMENT"][0])
    if value == "day before":  # imaged the day before the administration it measures
        ex = tables["EX"]
        given = ex[(ex["USUBJID"] == xp.loc[j, "USUBJID"])
                   & (ex["EXLNKID"] == xp.loc[j, "XPLNKID"])]["EXSTDTC"].iloc[0]
        value = (pd.Timestamp(given) - pd.Timedelta(days=1)).date().isoformat()
    xp.loc[j, column] = value
    tables["XP"] = xp
    with pytest.raises(BridgeError) as info:
        import_records(tables, "rescue", user=world.system)
    err = info.value
    assert err.field == field and err.detail == f"XP row {j}" and err.allowed
    assert str(err.value) == str(value) or err.value == float(value)
    assert not m.Y90PostTreatmentDosimetry.objects.exists() and not m.Y90Plan.objects.exists()
    assert not AuditEvent.objects.filter(model__startswith="capture.").exists()
