"""Records bridge: the database to the record tables of the core pipeline, and back.

:func:`export_records` turns a protocol's participants and forms into an SDTM-shaped
:class:`hccrt.records.RecordSet`; :func:`import_records` loads record tables (for example a
synthetic cohort from :mod:`hccrt.simulate`) through the same path as the API: every row is a
model ``save()`` (validation by the core, audit event, edit checks) inside one transaction,
so a table with an invalid row loads nothing and the error names the domain, row, field,
value and rule.

Domains bridged: DM (participants), LB (labs), VS (vital signs: height, weight, blood
pressure, pulse, temperature), AE (adverse events), DS (disposition events; the consent
milestone is exported from DM's consent date; ENROLLED / RANDOMIZED milestones are
allocations), QS (QLQ-C30 and QLQ-HCC18 items; unanswered items as NOT DONE). Not yet: SV, IE,
EX, XP/XA, TU/TR/RS, QS, PR, MI, CM, MH and the SUPP-- qualifiers (see the issue note).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction

from hccrt.errors import InputError
from hccrt.records import RecordSet
from hccrt.records import schema as rs
from hccrt.units import CANONICAL_UNIT, convert
from hccrt.web.audit.base import audit_context
from hccrt.web.capture import models as m
from hccrt.web.core.models import Participant, Protocol, Site

BRIDGED = ("DM", "LB", "VS", "AE", "DS", "QS")
#: QSCAT <-> instrument of the QoL form, and the item code of item number n
QS_INSTRUMENTS = {"EORTC QLQ-C30 V3.0": "QLQ-C30", "EORTC QLQ-HCC18": "QLQ-HCC18"}


def qs_testcd(instrument: str, item: int) -> str:
    return f"EOR01{item:02d}" if instrument == "QLQ-C30" else f"HCC18{item:02d}"
#: DSDECOD -> DSTERM where the reported term differs from the decoded one
DS_TERMS = {"COMPLETED": "STUDY COMPLETED"}
#: withdrawal scope <-> DSTERM of a WITHDRAWAL BY SUBJECT record (records schema: withdrawal of
#: consent is DSTERM = WITHDRAWAL OF CONSENT, i.e. no further data collection)
WITHDRAWAL_TERMS = {"all": "WITHDRAWAL OF CONSENT", "treatment": "WITHDRAWAL FROM STUDY TREATMENT",
                    "visits": "WITHDRAWAL FROM STUDY VISITS"}  # fmt: skip
#: VS test code -> (VitalSigns field, unit of the field)
VS_FIELDS = {"HEIGHT": ("height_cm", "cm"), "WEIGHT": ("weight_kg", "kg"),
             "SYSBP": ("systolic_bp", "mmHg"), "DIABP": ("diastolic_bp", "mmHg"),
             "PULSE": ("pulse", "beats/min"), "TEMP": ("temperature_c", "C")}  # fmt: skip
VS_NAMES = {"HEIGHT": "Height", "WEIGHT": "Weight", "SYSBP": "Systolic Blood Pressure",
            "DIABP": "Diastolic Blood Pressure", "PULSE": "Pulse Rate",
            "TEMP": "Temperature"}  # fmt: skip


class BridgeError(InputError):
    """A record row could not be loaded; names the domain and row too."""


def _num_text(x: float | None) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return f"{x:.15g}"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""


def _date(v: Any, field: str) -> date | None:
    if _missing(v):
        return None
    try:
        return date.fromisoformat(str(v)[:10]) if len(str(v)) >= 10 else _partial(v, field)
    except ValueError:
        raise InputError(field, v, "an ISO 8601 date YYYY-MM-DD") from None


def _partial(v: Any, field: str) -> date:
    raise InputError(field, v, "a complete date YYYY-MM-DD (the forms hold complete dates)")


def _float(v: Any) -> float | None:
    return None if _missing(v) else float(v)


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


# --------------------------------------------------------------------------- export


def export_records(protocol_code: str) -> RecordSet:
    """The bridged domains of one protocol's data (soft-deleted rows excluded)."""
    studyid = protocol_code.upper()
    participants = list(Participant.objects.alive().filter(protocol__code=protocol_code)
                        .select_related("site", "protocol").order_by("study_id"))  # fmt: skip
    doc = participants[0].protocol.document if participants else \
        Protocol.objects.get(code=protocol_code, is_current=True).document
    arm_names = {a["id"]: a["name"] for a in doc["arms"]}
    dm = []
    for p in participants:
        arm = p.arm or None
        dm.append({
            "STUDYID": studyid, "DOMAIN": "DM", "USUBJID": p.study_id,
            "SUBJID": p.study_id.rsplit("-", 1)[-1], "RFICDTC": _iso(p.consent_date),
            "SITEID": p.site.code, "AGE": float(p.age) if p.age is not None else None,
            "AGEU": "YEARS" if p.age is not None else None, "SEX": p.sex or "U",
            "ARMCD": arm.upper() if arm else None, "ARM": arm_names.get(arm) if arm else None,
            "ARMNRS": "SCREEN FAILURE" if p.status == Participant.Status.SCREEN_FAILED else None,
            "COUNTRY": p.site.country or None,
        })  # fmt: skip
    ids = {p.pk: p.study_id for p in participants}
    lb = []
    for r in m.LabResult.objects.alive().filter(participant__in=participants) \
            .order_by("participant__study_id", "collection_date", "id"):
        analyte = rs.LB_ANALYTE.get(r.test)
        std_unit = CANONICAL_UNIT[analyte] if analyte else (r.unit or None)

        def std(x: float | None, analyte: str | None = analyte, unit: str = r.unit) -> Any:
            if x is None or not analyte or not unit:
                return x
            return float(convert(x, unit, CANONICAL_UNIT[analyte], analyte=analyte))

        value_std = std(r.value)
        lb.append({
            "STUDYID": studyid, "DOMAIN": "LB", "USUBJID": ids[r.participant_id],
            "LBTESTCD": r.test, "LBTEST": _lb_name(r.test), "LBORRES": _num_text(r.value),
            "LBORRESU": None if r.unit in ("", "1") else r.unit,
            "LBSTRESC": _num_text(value_std), "LBSTRESN": value_std,
            "LBSTRESU": None if std_unit in ("1", "") else std_unit,
            "LBORNRLO": _num_text(r.lln), "LBORNRHI": _num_text(r.uln),
            "LBSTNRLO": std(r.lln), "LBSTNRHI": std(r.uln),
            "LBTOXGR": None if r.ctcae_grade is None else str(r.ctcae_grade),
            "LBDTC": _iso(r.collection_date),
        })  # fmt: skip
    vs = []
    for v in m.VitalSigns.objects.alive().filter(participant__in=participants) \
            .order_by("participant__study_id", "assessment_date", "id"):
        for code, (field, unit) in VS_FIELDS.items():
            value = getattr(v, field)
            if value is None:
                continue
            vs.append({
                "STUDYID": studyid, "DOMAIN": "VS", "USUBJID": ids[v.participant_id],
                "VSTESTCD": code, "VSTEST": VS_NAMES[code], "VSORRES": _num_text(value),
                "VSORRESU": unit, "VSSTRESC": _num_text(value), "VSSTRESN": float(value),
                "VSSTRESU": unit, "VSDTC": _iso(v.assessment_date),
            })  # fmt: skip
    ae = []
    for a in m.AdverseEvent.objects.alive().filter(participant__in=participants) \
            .order_by("participant__study_id", "start_date", "id"):
        rel = [x for x in rs.AEREL if x in set(a.relatedness.values())]
        ae.append({
            "STUDYID": studyid, "DOMAIN": "AE", "USUBJID": ids[a.participant_id],
            "AETERM": a.term, "AEDECOD": a.term, "AESER": _yn(a.serious),
            "AEREL": rel[-1] if rel else None, "AEOUT": a.outcome or None,
            "AESHOSP": _yn(a.hospitalization), "AESLIFE": _yn(a.life_threatening),
            "AESDTH": _yn(a.results_in_death), "AETOXGR": str(a.grade),
            "AESTDTC": _iso(a.start_date), "AEENDTC": _iso(a.end_date),
        })  # fmt: skip
    ds = [{"STUDYID": studyid, "DOMAIN": "DS", "USUBJID": p.study_id,
           "DSTERM": "INFORMED CONSENT OBTAINED", "DSDECOD": "INFORMED CONSENT OBTAINED",
           "DSCAT": "PROTOCOL MILESTONE", "DSSTDTC": _iso(p.consent_date)}
          for p in participants if p.consent_date is not None]  # fmt: skip
    for a in m.Allocation.objects.alive().filter(participant__in=participants):
        term = "RANDOMIZED" if a.method == m.Allocation.Method.RANDOMIZED else "ENROLLED"
        ds.append({"STUDYID": studyid, "DOMAIN": "DS", "USUBJID": ids[a.participant_id],
                   "DSTERM": term, "DSDECOD": term, "DSCAT": "PROTOCOL MILESTONE",
                   "DSSTDTC": _iso(a.allocation_date)})  # fmt: skip
    for d in m.Disposition.objects.alive().filter(participant__in=participants) \
            .order_by("participant__study_id", "disposition_date", "id"):
        ds.append({
            "STUDYID": studyid, "DOMAIN": "DS", "USUBJID": ids[d.participant_id],
            "DSTERM": WITHDRAWAL_TERMS.get(d.withdrawal_scope) or DS_TERMS.get(d.event, d.event),
            "DSDECOD": d.event,
            "DSCAT": "DISPOSITION EVENT", "DSSTDTC": _iso(d.disposition_date),
        })  # fmt: skip
    ds.sort(key=lambda r: (r["USUBJID"], r["DSSTDTC"] or ""))
    qs = []
    categories = {v: k for k, v in QS_INSTRUMENTS.items()}
    for q in m.QolResponse.objects.alive().filter(participant__in=participants) \
            .order_by("participant__study_id", "completion_date", "id"):
        for key, answer in sorted(q.answers.items(), key=lambda kv: int(str(kv[0]).lstrip("q"))):
            item = int(str(key).lstrip("q"))
            code = qs_testcd(q.instrument, item)
            name = "EORTC QLQ-C30" if q.instrument == "QLQ-C30" else "EORTC QLQ-HCC18"
            done = answer is not None
            qs.append({
                "STUDYID": studyid, "DOMAIN": "QS", "USUBJID": ids[q.participant_id],
                "QSTESTCD": code, "QSTEST": f"{name} item {item}",
                "QSCAT": categories[q.instrument], "QSORRES": str(answer) if done else None,
                "QSSTRESC": str(answer) if done else None,
                "QSSTRESN": float(answer) if done else None,
                "QSSTAT": None if done else "NOT DONE",
                "QSREASND": None if done else "ITEM NOT ANSWERED",
                "QSDTC": _iso(q.completion_date),
            })  # fmt: skip
    tables = {"DM": dm, "LB": lb, "VS": vs, "AE": ae, "DS": ds, "QS": qs}
    frames = {}
    for code, rows in tables.items():
        df = pd.DataFrame(rows)
        if code != "DM" and not df.empty:
            df.insert(3, f"{code}SEQ", (df.groupby("USUBJID").cumcount() + 1).astype(float))
        if not df.empty or code == "DM":
            frames[code] = df
    return RecordSet(frames)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _lb_name(code: str) -> str:
    names = {"BILI": "Bilirubin", "ALB": "Albumin", "CREAT": "Creatinine",
             "HGB": "Hemoglobin", "PLAT": "Platelets", "NEUT": "Neutrophils",
             "WBC": "Leukocytes", "LYM": "Lymphocytes", "AST": "Aspartate Aminotransferase",
             "ALT": "Alanine Aminotransferase", "ALP": "Alkaline Phosphatase",
             "GGT": "Gamma Glutamyl Transferase", "INR": "Prothrombin Intl. Normalized Ratio",
             "SODIUM": "Sodium", "K": "Potassium", "AFP": "Alpha Fetoprotein"}  # fmt: skip
    return names.get(code, code)


# --------------------------------------------------------------------------- import


@transaction.atomic
def import_records(records: RecordSet, protocol_code: str, *, user: Any = None,
                   reason: str = "loaded from record tables") -> dict[str, int]:  # fmt: skip
    """Load DM, LB, VS and AE through the audited save path; returns rows loaded per domain."""
    protocol = Protocol.objects.get(code=protocol_code, is_current=True)
    arms = {a["id"].upper(): a["id"] for a in protocol.document["arms"]}
    counts: dict[str, int] = defaultdict(int)
    people: dict[str, Participant] = {}
    with audit_context(user, reason):
        for i, row in enumerate(records["DM"].to_dict("records")):
            with _row("DM", i):
                site, _ = Site.objects.get_or_create(
                    code=str(row["SITEID"]).lower(),
                    defaults={"name": str(row["SITEID"]), "country": row.get("COUNTRY") or ""})
                armcd = row.get("ARMCD")
                if not _missing(armcd) and str(armcd) not in arms:
                    raise InputError("ARMCD", armcd, f"an arm of {protocol_code}: {list(arms)}")
                status = Participant.Status.SCREEN_FAILED \
                    if row.get("ARMNRS") == "SCREEN FAILURE" else (
                        Participant.Status.ENROLLED if not _missing(armcd)
                        else Participant.Status.SCREENING)  # fmt: skip
                p = Participant(study_id=row["USUBJID"], protocol=protocol, site=site,
                                arm=arms.get(str(armcd), "") if not _missing(armcd) else "",
                                consent_date=_date(row.get("RFICDTC"), "RFICDTC"),
                                sex=row.get("SEX") or "", status=status,
                                age=None if _missing(row.get("AGE")) else int(row["AGE"]))
                p.save(user=user)
                people[p.study_id] = p
                counts["DM"] += 1
        if "LB" in records:
            for i, row in enumerate(records["LB"].to_dict("records")):
                with _row("LB", i):
                    unit = row.get("LBORRESU")
                    lab = m.LabResult(participant=_who(people, row), test=row["LBTESTCD"],
                                      collection_date=_date(row["LBDTC"], "LBDTC"),
                                      value=_float(row["LBORRES"]),
                                      unit="" if _missing(unit) else str(unit),
                                      lln=_float(row.get("LBORNRLO")),
                                      uln=_float(row.get("LBORNRHI")))  # fmt: skip
                    lab.save(user=user)
                    counts["LB"] += 1
        if "VS" in records:
            wide: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
            for i, row in enumerate(records["VS"].to_dict("records")):
                code = row["VSTESTCD"]
                if code not in VS_FIELDS:
                    continue  # derived (BMI, BSA): recomputed downstream, not captured
                field, unit = VS_FIELDS[code]
                with _row("VS", i):
                    if row.get("VSORRESU") != unit:
                        raise InputError("VSORRESU", row.get("VSORRESU"), unit)
                    wide[(row["USUBJID"], row["VSDTC"])][field] = _float(row["VSORRES"])
            for i, ((usubjid, dtc), values) in enumerate(wide.items()):
                with _row("VS", i):
                    vs = m.VitalSigns(participant=_who(people, {"USUBJID": usubjid}),
                                      assessment_date=_date(dtc, "VSDTC"), **values)
                    vs.save(user=user)
                    counts["VS"] += 1
        if "AE" in records:
            for i, row in enumerate(records["AE"].to_dict("records")):
                with _row("AE", i):
                    p = _who(people, row)
                    grade = int(row["AETOXGR"])
                    arm_interventions = [x["id"] for a in protocol.document["arms"]
                                         if a["id"] == p.arm for x in a["interventions"]]
                    rel = row.get("AEREL")
                    ae = m.AdverseEvent(
                        participant=p, term=row["AETERM"], grade=grade,
                        serious=row.get("AESER") == "Y",
                        hospitalization=row.get("AESHOSP") == "Y",
                        life_threatening=row.get("AESLIFE") == "Y",
                        results_in_death=row.get("AESDTH") == "Y" or grade == 5,
                        relatedness={} if _missing(rel) else dict.fromkeys(arm_interventions,
                                                                           rel),
                        start_date=_date(row["AESTDTC"], "AESTDTC"),
                        end_date=_date(row.get("AEENDTC"), "AEENDTC"),
                        outcome=row.get("AEOUT") or "",
                    )  # fmt: skip
                    ae.save(user=user)
                    counts["AE"] += 1
        if "DS" in records:
            for i, row in enumerate(records["DS"].to_dict("records")):
                if row.get("DSCAT") == "PROTOCOL MILESTONE" and \
                        row.get("DSDECOD") in ("ENROLLED", "RANDOMIZED"):
                    with _row("DS", i):
                        p = _who(people, row)
                        design = protocol.document["design"]["type"]
                        method = {"single_arm": "single_arm", "randomized": "randomized"}.get(
                            design, "non_randomized")
                        alloc = m.Allocation(participant=p, method=method, arm=p.arm,
                                             allocation_date=_date(row["DSSTDTC"], "DSSTDTC"),
                                             reason="loaded from record tables")  # fmt: skip
                        if not p.arm:
                            raise InputError("ARMCD", None, "an arm in DM for an allocated "
                                             "subject")  # fmt: skip
                        alloc.save(user=user)
                        counts["DS"] += 1
                    continue
                if row.get("DSCAT") != "DISPOSITION EVENT":
                    continue  # consent is DM's RFICDTC; other milestones are not bridged yet
                with _row("DS", i):
                    event = row["DSDECOD"]
                    cause = ""
                    if event == "DEATH":
                        term = str(row.get("DSTERM") or "")
                        cause = term if term and term != "DEATH" else "unknown"
                    scope = ""
                    if event == "WITHDRAWAL BY SUBJECT":
                        scopes = {v: k for k, v in WITHDRAWAL_TERMS.items()}
                        scope = scopes.get(str(row.get("DSTERM")), "")
                        if not scope:
                            raise InputError("DSTERM", row.get("DSTERM"),
                                             f"one of {list(scopes)} for a withdrawal")
                    d = m.Disposition(participant=_who(people, row), event=event,
                                      disposition_date=_date(row["DSSTDTC"], "DSSTDTC"),
                                      death_cause=cause, withdrawal_scope=scope)  # fmt: skip
                    d.save(user=user)
                    counts["DS"] += 1
        if "QS" in records:
            forms: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(dict)
            for i, row in enumerate(records["QS"].to_dict("records")):
                with _row("QS", i):
                    instrument = QS_INSTRUMENTS.get(row["QSCAT"])
                    if instrument is None:
                        raise InputError("QSCAT", row["QSCAT"], f"one of {list(QS_INSTRUMENTS)}")
                    item = int(str(row["QSTESTCD"])[-2:])
                    answer = None if _missing(row.get("QSORRES")) else int(float(row["QSORRES"]))
                    forms[(row["USUBJID"], row["QSDTC"], instrument)][f"q{item}"] = answer
            for i, ((usubjid, dtc, instrument), answers) in enumerate(forms.items()):
                with _row("QS", i):
                    q = m.QolResponse(participant=_who(people, {"USUBJID": usubjid}),
                                      completion_date=_date(dtc, "QSDTC"),
                                      instrument=instrument, answers=answers)  # fmt: skip
                    q.save(user=user)
                    counts["QS"] += 1
    return dict(counts)


def _who(people: dict[str, Participant], row: dict[str, Any]) -> Participant:
    p = people.get(row["USUBJID"])
    if p is None:
        raise InputError("USUBJID", row["USUBJID"], "a subject of DM")
    return p


class _row:
    """Re-raise a row's validation error as a BridgeError naming domain and row."""

    def __init__(self, domain: str, index: int) -> None:
        self.domain, self.index = domain, index

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc is None:
            return False
        where = f"{self.domain} row {self.index}"
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.error_dict.items()))
            params = errors[0].params or {}
            raise BridgeError(f"{self.domain}.{field}", params.get("value"),
                              str(params.get("rule") or errors[0].message), where) from exc
        if isinstance(exc, InputError) and not isinstance(exc, BridgeError):
            raise BridgeError(f"{self.domain}.{exc.field}", exc.value, exc.allowed,
                              where) from exc
        return False
