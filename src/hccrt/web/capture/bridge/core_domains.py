"""Records bridge, first domains: DM (participants), LB (labs), VS (vital signs) with the ECOG
score of RS, AE (adverse events), DS (disposition events and milestones), QS (QLQ-C30 and
QLQ-HCC18 items; unanswered items as NOT DONE).

LB, VS, RS (ECOG) and QS rows are linked to the visit of their VISITNUM (loaded from SV) and
export VISITNUM / VISIT from it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hccrt.errors import InputError
from hccrt.records import schema as rs
from hccrt.units import CANONICAL_UNIT, convert
from hccrt.web.capture import models as m
from hccrt.web.capture.bridge._common import (
    ExportContext,
    LoadContext,
    bulk_save,
    iso,
    missing,
    num_text,
    row_errors,
    to_date,
    to_float,
    yn,
)
from hccrt.web.core.models import Participant, Site

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


ECOG = {"RSTESTCD": "ECOG101", "RSTEST": "ECOG1-Performance Status", "RSCAT": "ECOG"}


#: VISITNUM of the schedule's first visit (screening / baseline): its records are baseline
BASELINE_VISITNUM = 100.0


def baseline_flag(visit: Any, participant: Participant) -> str | None:
    """--BLFL: Y for a record of the schedule's first (screening / baseline) visit of a
    participant who entered the study (a screen failure has no baseline)."""
    if participant.status == Participant.Status.SCREEN_FAILED:
        return None
    return "Y" if visit is not None and float(visit.visitnum) == BASELINE_VISITNUM else None


def visit_cols(visit: Any) -> dict[str, Any]:
    """VISITNUM and VISIT of a form linked to a visit (None when it is not)."""
    if visit is None:
        return {"VISITNUM": None, "VISIT": None}
    return {"VISITNUM": float(visit.visitnum), "VISIT": visit.name}


# --------------------------------------------------------------------------- export


def export_core(ctx: ExportContext) -> dict[str, list[dict[str, Any]]]:
    """DM, LB, VS, AE, DS, QS and the ECOG rows of RS."""
    studyid, participants, ids = ctx.studyid, ctx.participants, ctx.ids
    arm_names = {a["id"]: a["name"] for a in ctx.document["arms"]}
    people = {p.pk: p for p in participants}
    first_tx, last_tx = treatment_dates(participants)
    end, death = end_of_participation(participants)
    dm = []
    for p in participants:
        arm = p.arm or None
        treated = p.pk in first_tx
        failed = p.status == Participant.Status.SCREEN_FAILED
        dm.append({
            "STUDYID": studyid, "DOMAIN": "DM", "USUBJID": p.study_id,
            "SUBJID": p.study_id.rsplit("-", 1)[-1], "RFSTDTC": iso(first_tx.get(p.pk)),
            "RFENDTC": iso(end.get(p.pk)), "RFXSTDTC": iso(first_tx.get(p.pk)),
            "RFXENDTC": iso(last_tx.get(p.pk)), "RFICDTC": iso(p.consent_date),
            "RFPENDTC": iso(end.get(p.pk)), "DTHDTC": iso(death.get(p.pk)),
            "DTHFL": "Y" if p.pk in death else None,
            "SITEID": p.site.code, "AGE": float(p.age) if p.age is not None else None,
            "AGEU": "YEARS" if p.age is not None else None, "SEX": p.sex or "U",
            "ARMCD": arm.upper() if arm else None, "ARM": arm_names.get(arm) if arm else None,
            "ACTARMCD": arm.upper() if arm and treated else None,
            "ACTARM": arm_names.get(arm) if arm and treated else None,
            "ARMNRS": "SCREEN FAILURE" if failed else (
                "ASSIGNED, NOT TREATED" if arm and not treated else None),
            "ACTARMUD": None, "COUNTRY": p.site.country or None,
            "DMDTC": iso(p.consent_date),
        })  # fmt: skip
    lb = []
    for r in m.LabResult.objects.alive().filter(participant__in=participants) \
            .select_related("visit").order_by("participant__study_id", "collection_date", "id"):
        analyte = rs.LB_ANALYTE.get(r.test)
        std_unit = CANONICAL_UNIT[analyte] if analyte else (r.unit or None)

        def std(x: float | None, analyte: str | None = analyte, unit: str = r.unit) -> Any:
            if x is None or not analyte or not unit:
                return x
            return float(convert(x, unit, CANONICAL_UNIT[analyte], analyte=analyte))

        value_std = std(r.value)
        lb.append({
            "STUDYID": studyid, "DOMAIN": "LB", "USUBJID": ids[r.participant_id],
            "LBTESTCD": r.test, "LBTEST": _lb_name(r.test), "LBORRES": num_text(r.value),
            "LBORRESU": None if r.unit in ("", "1") else r.unit,
            "LBSTRESC": num_text(value_std), "LBSTRESN": value_std,
            "LBSTRESU": None if std_unit in ("1", "") else std_unit,
            "LBORNRLO": num_text(r.lln), "LBORNRHI": num_text(r.uln),
            "LBSTNRLO": std(r.lln), "LBSTNRHI": std(r.uln),
            "LBNRIND": _nrind(r.value, r.lln, r.uln),
            "LBBLFL": baseline_flag(r.visit, people[r.participant_id]),
            "LBTOXGR": None if r.ctcae_grade is None else str(r.ctcae_grade),
            **visit_cols(r.visit), "LBDTC": iso(r.collection_date),
        })  # fmt: skip
    vs, ecog = [], []
    for v in m.VitalSigns.objects.alive().filter(participant__in=participants) \
            .select_related("visit").order_by("participant__study_id", "assessment_date", "id"):
        for code, (field, unit) in VS_FIELDS.items():
            value = getattr(v, field)
            if value is None:
                continue
            vs.append({
                "STUDYID": studyid, "DOMAIN": "VS", "USUBJID": ids[v.participant_id],
                "VSTESTCD": code, "VSTEST": VS_NAMES[code], "VSORRES": num_text(value),
                "VSORRESU": unit, "VSSTRESC": num_text(value), "VSSTRESN": float(value),
                "VSSTRESU": unit, "VSBLFL": baseline_flag(v.visit, people[v.participant_id]),
                **visit_cols(v.visit),
                "VSDTC": iso(v.assessment_date),
            })  # fmt: skip
        if v.ecog is not None:
            ecog.append({
                "STUDYID": studyid, "DOMAIN": "RS", "USUBJID": ids[v.participant_id], **ECOG,
                "RSORRES": str(v.ecog), "RSSTRESC": str(v.ecog), "RSSTRESN": float(v.ecog),
                "RSEVAL": "INVESTIGATOR", **visit_cols(v.visit), "RSDTC": iso(v.assessment_date),
            })  # fmt: skip
    ae: list[dict[str, Any]] = []
    suppae: list[dict[str, Any]] = []
    ae_seq: dict[str, int] = defaultdict(int)  # the AESEQ export_records gives (same order)
    for a in m.AdverseEvent.objects.alive().filter(participant__in=participants) \
            .order_by("participant__study_id", "start_date", "id"):
        ae_seq[ids[a.participant_id]] += 1
        if a.special_interest is not None:
            suppae.append({
                "STUDYID": studyid, "RDOMAIN": "AE", "USUBJID": ids[a.participant_id],
                "IDVAR": "AESEQ", "IDVARVAL": str(ae_seq[ids[a.participant_id]]),
                "QNAM": "AESI", "QLABEL": rs.SUPP_QUALIFIERS["AE"]["AESI"][0],
                "QVAL": yn(a.special_interest), "QORIG": "CRF", "QEVAL": None,
            })  # fmt: skip
        rel = [x for x in rs.AEREL if x in set(a.relatedness.values())]
        ae.append({
            "STUDYID": studyid, "DOMAIN": "AE", "USUBJID": ids[a.participant_id],
            "AETERM": a.term, "AEDECOD": a.term, "AESER": yn(a.serious),
            "AEREL": rel[-1] if rel else None, "AEOUT": a.outcome or None,
            "AESHOSP": yn(a.hospitalization), "AESLIFE": yn(a.life_threatening),
            "AESDTH": yn(a.results_in_death), "AETOXGR": str(a.grade),
            "EPOCH": _epoch(a.start_date, first_tx.get(a.participant_id)),
            "AESTDTC": iso(a.start_date), "AEENDTC": iso(a.end_date),
        })  # fmt: skip
    ds = [{"STUDYID": studyid, "DOMAIN": "DS", "USUBJID": p.study_id,
           "DSTERM": "INFORMED CONSENT OBTAINED", "DSDECOD": "INFORMED CONSENT OBTAINED",
           "DSCAT": "PROTOCOL MILESTONE", "EPOCH": "SCREENING", "DSSTDTC": iso(p.consent_date)}
          for p in participants if p.consent_date is not None]  # fmt: skip
    for a in m.Allocation.objects.alive().filter(participant__in=participants):
        term = "RANDOMIZED" if a.method == m.Allocation.Method.RANDOMIZED else "ENROLLED"
        ds.append({"STUDYID": studyid, "DOMAIN": "DS", "USUBJID": ids[a.participant_id],
                   "DSTERM": term, "DSDECOD": term, "DSCAT": "PROTOCOL MILESTONE",
                   "EPOCH": "SCREENING", "DSSTDTC": iso(a.allocation_date)})  # fmt: skip
    for d in m.Disposition.objects.alive().filter(participant__in=participants) \
            .order_by("participant__study_id", "disposition_date", "id"):
        ds.append({
            "STUDYID": studyid, "DOMAIN": "DS", "USUBJID": ids[d.participant_id],
            "DSTERM": WITHDRAWAL_TERMS.get(d.withdrawal_scope) or DS_TERMS.get(d.event, d.event),
            "DSDECOD": d.event, "DSCAT": "DISPOSITION EVENT",
            "EPOCH": "SCREENING" if d.event == "SCREEN FAILURE" else "FOLLOW-UP",
            "DSSTDTC": iso(d.disposition_date),
        })  # fmt: skip
    ds.sort(key=lambda r: (r["USUBJID"], r["DSSTDTC"] or ""))
    qs = []
    categories = {v: k for k, v in QS_INSTRUMENTS.items()}
    for q in m.QolResponse.objects.alive().filter(participant__in=participants) \
            .select_related("visit").order_by("participant__study_id", "completion_date", "id"):
        for key, answer in sorted(q.answers.items(), key=lambda kv: int(str(kv[0]).lstrip("q"))):
            item = int(str(key).lstrip("q"))
            code = qs_testcd(q.instrument, item)
            name = "EORTC QLQ-C30" if q.instrument == "QLQ-C30" else "EORTC QLQ-HCC18"
            done = answer is not None
            qs.append({
                "STUDYID": studyid, "DOMAIN": "QS", "USUBJID": ids[q.participant_id],
                "QSTESTCD": code, "QSTEST": f"{name} item {item}",
                "QSCAT": categories[q.instrument], "QSORRES": str(answer) if done else None,
                "QSORRESU": None, "QSSTRESU": None,  # questionnaire items have no unit
                "QSSTRESC": str(answer) if done else None,
                "QSSTRESN": float(answer) if done else None,
                "QSSTAT": None if done else "NOT DONE",
                "QSREASND": None if done else "ITEM NOT ANSWERED",
                "QSBLFL": baseline_flag(q.visit, people[q.participant_id]),
                **visit_cols(q.visit), "QSDTC": iso(q.completion_date),
            })  # fmt: skip
    return {"DM": dm, "LB": lb, "VS": vs, "AE": ae, "SUPPAE": suppae, "DS": ds, "QS": qs,
            "RS": ecog}


def _nrind(value: float | None, lln: float | None, uln: float | None) -> str | None:
    """Reference range indicator: LOW below the lower limit, HIGH above the upper, else
    NORMAL (SDTM LBNRIND); None without a value or a range."""
    if value is None or (lln is None and uln is None):
        return None
    if lln is not None and value < lln:
        return "LOW"
    if uln is not None and value > uln:
        return "HIGH"
    return "NORMAL"


def _epoch(start: Any, first_treatment: Any) -> str:
    """SCREENING before the first study treatment, TREATMENT from it on (the follow-up epoch
    needs the end of treatment, which the forms do not record)."""
    return "TREATMENT" if first_treatment is not None and start >= first_treatment \
        else "SCREENING"  # fmt: skip


def treatment_dates(participants: list[Participant]) -> tuple[dict[int, Any], dict[int, Any]]:
    """First and last study treatment date per participant (pk): the earliest and latest
    start of any treatment form (Y-90 administration, SBRT or radiotherapy fraction, HAIC
    cycle, systemic therapy cycle)."""
    dates: dict[int, list[Any]] = defaultdict(list)
    for model, field in ((m.Y90Administration, "administration_date"),
                         (m.SbrtFraction, "fraction_date"), (m.HaicCycle, "cycle_date"),
                         (m.SystemicDose, "start_date")):  # fmt: skip
        for pid, d in model.objects.alive().filter(participant__in=participants) \
                .values_list("participant_id", field):
            dates[pid].append(d)
    return {k: min(v) for k, v in dates.items()}, {k: max(v) for k, v in dates.items()}


def end_of_participation(participants: list[Participant],
                         ) -> tuple[dict[int, Any], dict[int, Any]]:  # fmt: skip
    """Date of the last disposition event (completion, death, withdrawal, loss, screen
    failure) and the death date, per participant (pk)."""
    end: dict[int, Any] = {}
    death: dict[int, Any] = {}
    for d in m.Disposition.objects.alive().filter(participant__in=participants):
        if d.participant_id not in end or d.disposition_date > end[d.participant_id]:
            end[d.participant_id] = d.disposition_date
        if d.event == "DEATH":
            death[d.participant_id] = d.disposition_date
    return end, death


def _lb_name(code: str) -> str:
    names = {"BILI": "Bilirubin", "ALB": "Albumin", "CREAT": "Creatinine",
             "HGB": "Hemoglobin", "PLAT": "Platelets", "NEUT": "Neutrophils",
             "WBC": "Leukocytes", "LYM": "Lymphocytes", "AST": "Aspartate Aminotransferase",
             "ALT": "Alanine Aminotransferase", "ALP": "Alkaline Phosphatase",
             "GGT": "Gamma Glutamyl Transferase", "INR": "Prothrombin Intl. Normalized Ratio",
             "SODIUM": "Sodium", "K": "Potassium", "AFP": "Alpha Fetoprotein"}  # fmt: skip
    return names.get(code, code)


# --------------------------------------------------------------------------- import


def import_dm(ctx: LoadContext) -> None:
    """Participants (DM); sites are created on first sight."""
    protocol, user = ctx.protocol, ctx.user
    arms = {a["id"].upper(): a["id"] for a in protocol.document["arms"]}
    for i, row in enumerate(ctx.rows("DM")):
        with row_errors("DM", i):
            site, _ = Site.objects.get_or_create(
                code=str(row["SITEID"]).lower(),
                defaults={"name": str(row["SITEID"]), "country": row.get("COUNTRY") or ""})
            armcd = row.get("ARMCD")
            if not missing(armcd) and str(armcd) not in arms:
                raise InputError("ARMCD", armcd, f"an arm of {protocol.code}: {list(arms)}")
            status = Participant.Status.SCREEN_FAILED \
                if row.get("ARMNRS") == "SCREEN FAILURE" else (
                    Participant.Status.ENROLLED if not missing(armcd)
                    else Participant.Status.SCREENING)  # fmt: skip
            p = Participant(study_id=row["USUBJID"], protocol=protocol, site=site,
                            arm=arms.get(str(armcd), "") if not missing(armcd) else "",
                            consent_date=to_date(row.get("RFICDTC"), "RFICDTC"),
                            sex=row.get("SEX") or "", status=status,
                            age=None if missing(row.get("AGE")) else int(row["AGE"]))
            p.save(user=user)
            ctx.people[p.study_id] = p
            ctx.counts["DM"] += 1


def import_core(ctx: LoadContext) -> None:
    """LB, VS (+ ECOG of RS), AE, DS, QS; DM and SV must be loaded first."""
    protocol = ctx.protocol
    items: list[tuple[int, Any]] = []
    for i, row in enumerate(ctx.rows("LB")):
        with row_errors("LB", i):
            unit = row.get("LBORRESU")
            lab = m.LabResult(participant=ctx.who(row), test=row["LBTESTCD"],
                              visit=ctx.visit(row, required=False),
                              collection_date=to_date(row["LBDTC"], "LBDTC"),
                              value=to_float(row["LBORRES"]),
                              unit="" if missing(unit) else str(unit),
                              lln=to_float(row.get("LBORNRLO")),
                              uln=to_float(row.get("LBORNRHI")))  # fmt: skip
            items.append((i, lab))
    bulk_save(ctx, "LB", items)
    ctx.counts["LB"] += len(items)
    # one VitalSigns form per subject, date and visit: VS measurements and the ECOG of RS
    wide: dict[tuple[str, str, Any], dict[str, Any]] = defaultdict(dict)
    where: dict[tuple[str, str, Any], tuple[str, int, dict[str, Any]]] = {}
    for i, row in enumerate(ctx.rows("VS")):
        code = row["VSTESTCD"]
        if code not in VS_FIELDS:
            continue  # derived (BMI, BSA): recomputed downstream, not captured
        field, unit = VS_FIELDS[code]
        with row_errors("VS", i):
            if row.get("VSORRESU") != unit:
                raise InputError("VSORRESU", row.get("VSORRESU"), unit)
            key = (row["USUBJID"], row["VSDTC"], _num_key(row.get("VISITNUM")))
            wide[key][field] = to_float(row["VSORRES"])
            where.setdefault(key, ("VS", i, row))
    for i, row in enumerate(ctx.rows("RS")):
        if row.get("RSTESTCD") != ECOG["RSTESTCD"]:
            continue  # Child-Pugh clinical signs: see history.py
        with row_errors("RS", i):
            value = row.get("RSORRES")
            if missing(value) or str(value) not in {"0", "1", "2", "3", "4", "5"}:
                raise InputError("RSORRES", value, "an ECOG performance status 0-5")
            if row.get("RSEVAL") not in (None, "INVESTIGATOR") and not missing(row.get("RSEVAL")):
                raise InputError("RSEVAL", row.get("RSEVAL"), "INVESTIGATOR for ECOG")
            key = (row["USUBJID"], row["RSDTC"], _num_key(row.get("VISITNUM")))
            wide[key]["ecog"] = int(value)
            where.setdefault(key, ("RS", i, row))
    items = []
    domains = []  # a bad form is named by the row it came from (VS, or RS for ECOG alone)
    for key, values in wide.items():
        domain, i, row = where[key]
        with row_errors(domain, i):
            vs = m.VitalSigns(participant=ctx.who(row), visit=ctx.visit(row, required=False),
                              assessment_date=to_date(key[1], f"{domain}DTC"), **values)
            items.append((i, vs))
            domains.append(domain)
    bulk_save(ctx, domains, items)
    ctx.counts["VS"] += len(items)
    items = []
    from hccrt.web.capture.bridge.history import _seq, _supp_values  # (history imports us)

    special = _supp_values(ctx, "AE", "AESI")
    for i, row in enumerate(ctx.rows("AE")):
        with row_errors("AE", i):
            p = ctx.who(row)
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
                relatedness={} if missing(rel) else dict.fromkeys(arm_interventions, rel),
                start_date=to_date(row["AESTDTC"], "AESTDTC"),
                end_date=to_date(row.get("AEENDTC"), "AEENDTC"),
                outcome=row.get("AEOUT") or "",
            )  # fmt: skip
            flag = special.get((row["USUBJID"], _seq(row, "AE"))) if special else None
            ae.special_interest = None if flag is None else flag == "Y"
            items.append((i, ae))
    bulk_save(ctx, "AE", items)
    ctx.counts["AE"] += len(items)
    _import_ds(ctx)
    forms: dict[tuple[str, str, str, Any], dict[str, Any]] = defaultdict(dict)
    first: dict[tuple[str, str, str, Any], tuple[int, dict[str, Any]]] = {}
    for i, row in enumerate(ctx.rows("QS")):
        with row_errors("QS", i):
            instrument = QS_INSTRUMENTS.get(row["QSCAT"])
            if instrument is None:
                raise InputError("QSCAT", row["QSCAT"], f"one of {list(QS_INSTRUMENTS)}")
            item = int(str(row["QSTESTCD"])[-2:])
            answer = None if missing(row.get("QSORRES")) else int(float(row["QSORRES"]))
            key = (row["USUBJID"], row["QSDTC"], instrument, _num_key(row.get("VISITNUM")))
            forms[key][f"q{item}"] = answer
            first.setdefault(key, (i, row))
    items = []
    for key, answers in forms.items():
        i, row = first[key]
        with row_errors("QS", i):
            q = m.QolResponse(participant=ctx.who(row), visit=ctx.visit(row, required=False),
                              completion_date=to_date(key[1], "QSDTC"),
                              instrument=key[2], answers=answers)  # fmt: skip
            items.append((i, q))
    bulk_save(ctx, "QS", items)
    ctx.counts["QS"] += len(items)


def _num_key(v: Any) -> float | None:
    return None if missing(v) else float(v)


def _import_ds(ctx: LoadContext) -> None:
    protocol, user = ctx.protocol, ctx.user
    for i, row in enumerate(ctx.rows("DS")):
        if row.get("DSCAT") == "PROTOCOL MILESTONE" and \
                row.get("DSDECOD") in ("ENROLLED", "RANDOMIZED"):
            with row_errors("DS", i):
                p = ctx.who(row)
                design = protocol.document["design"]["type"]
                method = {"single_arm": "single_arm", "randomized": "randomized"}.get(
                    design, "non_randomized")
                if not p.arm:
                    raise InputError("ARMCD", None, "an arm in DM for an allocated subject")
                alloc = m.Allocation(participant=p, method=method, arm=p.arm,
                                     allocation_date=to_date(row["DSSTDTC"], "DSSTDTC"),
                                     reason="loaded from record tables")  # fmt: skip
                alloc.save(user=user)
                ctx.counts["DS"] += 1
            continue
        if row.get("DSCAT") != "DISPOSITION EVENT":
            continue  # consent is DM's RFICDTC
        with row_errors("DS", i):
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
            d = m.Disposition(participant=ctx.who(row), event=event,
                              disposition_date=to_date(row["DSSTDTC"], "DSSTDTC"),
                              death_cause=cause, withdrawal_scope=scope)  # fmt: skip
            d.save(user=user)
            ctx.counts["DS"] += 1
