"""Records bridge, visit and history domains: SV (visits), DV (protocol deviations), IE
(eligibility criteria not met, on the screening form), MH (medical history), CM + SUPPCM
(medications; reason of a subsequent anti-cancer therapy), PR + SUPPPR (surgery and subsequent
procedures, with their reason), MI (necrosis of the resected tumour, pathology report date),
and the Child-Pugh clinical signs of RS (ascites, hepatic encephalopathy).

Planned dates and windows of a loaded visit come from the protocol schedule (core expansion,
:mod:`hccrt.simulate.schedule`) and the visit's anchor date as the record tables give it:
consent / screening = DM.RFICDTC, enrolment / randomization = the DS milestone, first treatment
= DM.RFXSTDTC, last treatment = DM.RFXENDTC, last radiotherapy = the last radiotherapy or
radioembolization record of EX, surgery = the surgery of PR, each treatment = the previous
treatment visit. Where the tables hold no anchor date (e.g. ``study_end``), the visit's own
date is taken as anchor and planned date (a missed visit without a date: the consent date);
SV itself carries no planned date, so this does not change what exports.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np

from hccrt.errors import InputError
from hccrt.records import schema as rs
from hccrt.simulate.schedule import shift, window_days
from hccrt.web.capture import models as m
from hccrt.web.capture.bridge._common import (
    ExportContext,
    LoadContext,
    bulk_save,
    iso,
    missing,
    or_none,
    row_errors,
    text,
    to_date,
    to_float,
    yes_no,
)
from hccrt.web.capture.bridge.core_domains import visit_cols

HCC = "HEPATOCELLULAR CARCINOMA"
#: surgery procedure of the form <-> PRTRT / PRDECOD
SURGERY_TERMS = {"resection": ("HEPATECTOMY", "Hepatectomy"),
                 "transplant": ("LIVER TRANSPLANTATION", "Liver transplantation")}  # fmt: skip
PROTOCOL_SURGERY = "PROTOCOL SURGERY"
NECROSIS = {"MILNKID": "T01", "MITESTCD": "NECROPCT", "MITEST": rs.MI_TESTS["NECROPCT"][0],
            "MIORRESU": "%", "MISTRESU": "%", "MISPEC": "LIVER TUMOR TISSUE",
            "MIMETHOD": "HISTOPATHOLOGY"}  # fmt: skip
CHILD_PUGH = {"CPASCIT": ("ascites", "Child-Pugh Ascites", m.ASCITES),
              "CPENCEPH": ("encephalopathy", "Child-Pugh Hepatic Encephalopathy",
                           m.ENCEPHALOPATHY)}  # fmt: skip
CP_CAT = "CHILD-PUGH CLASSIFICATION"
RADIOTHERAPY_EXCAT = ("RADIOTHERAPY", "SBRT", "Y-90 RADIOEMBOLIZATION")


def _supp(studyid: str, code: str, usubjid: str, seq: int, qnam: str, qval: str,
          ) -> dict[str, Any]:  # fmt: skip
    return {"STUDYID": studyid, "RDOMAIN": code, "USUBJID": usubjid, "IDVAR": f"{code}SEQ",
            "IDVARVAL": str(seq), "QNAM": qnam, "QLABEL": rs.SUPP_QUALIFIERS[code][qnam][0],
            "QVAL": qval, "QORIG": "CRF", "QEVAL": None}  # fmt: skip


def _supp_values(ctx: LoadContext, code: str, qnam: str) -> dict[tuple[str, int], str]:
    """(USUBJID, --SEQ) -> QVAL of one qualifier of SUPP<code>."""
    out: dict[tuple[str, int], str] = {}
    allowed = rs.SUPP_QUALIFIERS[code][qnam][1]
    for i, row in enumerate(ctx.rows(f"SUPP{code}")):
        if row.get("QNAM") != qnam:
            continue
        with row_errors(f"SUPP{code}", i):
            if row.get("IDVAR") != f"{code}SEQ":
                raise InputError("IDVAR", row.get("IDVAR"), f"{code}SEQ")
            if allowed is not None and row.get("QVAL") not in allowed:
                raise InputError("QVAL", row.get("QVAL"), f"one of {list(allowed)}")
            out[(row["USUBJID"], int(float(row["IDVARVAL"])))] = row["QVAL"]
    return out


def _seq(row: dict[str, Any], code: str) -> int:
    return int(float(row[f"{code}SEQ"]))


# --------------------------------------------------------------------------- visits (SV)


def _anchor_dates(ctx: LoadContext) -> dict[str, dict[str, date]]:
    """Anchor dates per subject, from the record tables (see the module docstring)."""
    out: dict[str, dict[str, date]] = defaultdict(dict)
    for row in ctx.rows("DM"):
        a = out[row["USUBJID"]]
        for col, names in (("RFICDTC", ("consent", "screening")),
                           ("RFXSTDTC", ("first_treatment", "each_treatment")),
                           ("RFXENDTC", ("last_treatment",))):  # fmt: skip
            d = None if missing(row.get(col)) else to_date(row[col], col)
            if d is not None:
                a.update(dict.fromkeys(names, d))
    for row in ctx.rows("DS"):
        if row.get("DSDECOD") in ("ENROLLED", "RANDOMIZED") and not missing(row.get("DSSTDTC")):
            d = to_date(row["DSSTDTC"], "DSSTDTC")
            if d is not None:
                out[row["USUBJID"]].update(enrolment=d, randomization=d)
    for row in ctx.rows("EX"):
        if row.get("EXCAT") in RADIOTHERAPY_EXCAT:
            end = row.get("EXENDTC") if not missing(row.get("EXENDTC")) else row.get("EXSTDTC")
            d = to_date(end, "EXENDTC")
            a = out[row["USUBJID"]]
            if d is not None and ("last_radiotherapy" not in a or d > a["last_radiotherapy"]):
                a["last_radiotherapy"] = d
    for row in ctx.rows("PR"):
        if row.get("PRTRT") in {t for t, _ in SURGERY_TERMS.values()}:
            d = to_date(row.get("PRSTDTC"), "PRSTDTC")
            if d is not None:
                out[row["USUBJID"]].setdefault("surgery", d)
    return out


def import_sv(ctx: LoadContext) -> None:
    """Visits attended or missed (SV), after DM; linked forms find them by VISITNUM."""
    schedule = ctx.protocol.as_protocol().schedule.visits
    anchors = _anchor_dates(ctx)
    previous: dict[tuple[str, int], date] = {}
    items: list[tuple[int, Any]] = []
    rows = sorted(enumerate(ctx.rows("SV")),
                  key=lambda ir: (ir[1]["USUBJID"], float(ir[1]["VISITNUM"])))
    for i, row in rows:
        with row_errors("SV", i):
            p = ctx.who(row)
            num = to_float(row.get("VISITNUM"))
            if num is None or not 100 <= num < 100 * (len(schedule) + 1):
                raise InputError("VISITNUM", row.get("VISITNUM"),
                                 f"100 x (position of a visit of the schedule, 1.."
                                 f"{len(schedule)}) + occurrence")  # fmt: skip
            index, k = int(num // 100) - 1, round(num - 100 * (int(num // 100)))
            visit = schedule[index]
            name = text(row.get("VISIT"))
            if not name.startswith(visit.name):
                raise InputError("VISIT", row.get("VISIT"),
                                 f"the schedule's name of visit {num:g}: {visit.name!r}")
            occurred = yes_no(row.get("SVOCCUR"), "SVOCCUR")
            actual = to_date(row.get("SVSTDTC"), "SVSTDTC")
            if occurred is False and actual is not None:
                raise InputError("SVSTDTC", row.get("SVSTDTC"), "empty for a visit not done")
            anchor = visit.anchor.value
            key = (p.study_id, index)
            anchor_date = previous.get(key) if anchor == "each_treatment" and key in previous \
                else anchors.get(p.study_id, {}).get(anchor)  # fmt: skip
            if anchor_date is None:
                anchor_date = actual or p.consent_date
                planned = anchor_date
            else:
                planned_arr = shift(np.array([np.datetime64(anchor_date, "D")]), visit.nominal)
                if visit.repeat is not None and k:
                    planned_arr = shift(planned_arr, visit.repeat.every, k)
                planned = date.fromisoformat(str(planned_arr[0].astype("datetime64[D]")))
            if actual is not None:
                previous[key] = actual
            before, after = window_days(visit)
            v = m.Visit(participant=p, visit_code=visit.id, name=name, visitnum=num,
                        anchor=anchor, anchor_date=anchor_date, planned_date=planned,
                        window_start=planned - timedelta(days=before),
                        window_end=planned + timedelta(days=after), actual_date=actual,
                        missed=occurred is False, missed_reason=text(row.get("SVREASOC")))
            if (p.study_id, num) in ctx.visits:
                raise InputError("VISITNUM", num, f"one SV record per visit of {p.study_id}")
            items.append((i, v))
            ctx.visits[(p.study_id, num)] = v
    bulk_save(ctx, "SV", items)
    ctx.counts["SV"] += len(items)


def export_sv(ctx: ExportContext) -> list[dict[str, Any]]:
    out = []
    for v in m.Visit.objects.alive().filter(participant__in=ctx.participants) \
            .exclude(actual_date=None, missed=False).order_by("participant__study_id", "visitnum"):
        done = v.actual_date is not None
        out.append({
            "STUDYID": ctx.studyid, "DOMAIN": "SV", "USUBJID": ctx.ids[v.participant_id],
            "VISITNUM": float(v.visitnum), "VISIT": v.name, "SVPRESP": "Y",
            "SVOCCUR": "Y" if done else "N", "SVREASOC": or_none(v.missed_reason),
            "SVSTDTC": iso(v.actual_date), "SVENDTC": iso(v.actual_date),
        })  # fmt: skip
    return out


# --------------------------------------------------------------------------- DV, MH, IE


def import_dv(ctx: LoadContext) -> None:
    items: list[tuple[int, Any]] = []
    for i, row in enumerate(ctx.rows("DV")):
        with row_errors("DV", i):
            d = m.ProtocolDeviation(participant=ctx.who(row), term=text(row.get("DVTERM")),
                                     visit=ctx.visit(row, required=False),
                                     decoded_term=text(row.get("DVDECOD")),
                                     category=text(row.get("DVCAT")),
                                     start_date=to_date(row.get("DVSTDTC"), "DVSTDTC"))
            items.append((i, d))
    bulk_save(ctx, "DV", items)
    ctx.counts["DV"] += len(items)


def export_dv(ctx: ExportContext) -> list[dict[str, Any]]:
    return [{
        "STUDYID": ctx.studyid, "DOMAIN": "DV", "USUBJID": ctx.ids[d.participant_id],
        "DVTERM": d.term, "DVDECOD": or_none(d.decoded_term), "DVCAT": or_none(d.category),
        **visit_cols(d.visit), "DVSTDTC": iso(d.start_date),
    } for d in m.ProtocolDeviation.objects.alive().filter(participant__in=ctx.participants)
        .select_related("visit").order_by("participant__study_id", "start_date", "id")]


def import_mh(ctx: LoadContext) -> None:
    items: list[tuple[int, Any]] = []
    for i, row in enumerate(ctx.rows("MH")):
        with row_errors("MH", i):
            presp = yes_no(row.get("MHPRESP"), "MHPRESP")
            h = m.MedicalHistory(participant=ctx.who(row), term=text(row.get("MHTERM")),
                                  visit=ctx.visit(row, required=False),
                                  decoded_term=text(row.get("MHDECOD")),
                                  category=text(row.get("MHCAT")), prespecified=bool(presp),
                                  occurred=yes_no(row.get("MHOCCUR"), "MHOCCUR"),
                                  collection_date=to_date(row.get("MHDTC"), "MHDTC"),
                                  start_date=to_date(row.get("MHSTDTC"), "MHSTDTC"))
            items.append((i, h))
    bulk_save(ctx, "MH", items)
    ctx.counts["MH"] += len(items)


def export_mh(ctx: ExportContext) -> list[dict[str, Any]]:
    out = []
    for h in m.MedicalHistory.objects.alive().filter(participant__in=ctx.participants) \
            .select_related("visit").order_by("participant__study_id", "collection_date", "id"):
        out.append({
            "STUDYID": ctx.studyid, "DOMAIN": "MH", "USUBJID": ctx.ids[h.participant_id],
            "MHTERM": h.term, "MHDECOD": or_none(h.decoded_term), "MHCAT": or_none(h.category),
            "MHPRESP": "Y" if h.prespecified else None,
            "MHOCCUR": None if h.occurred is None else ("Y" if h.occurred else "N"),
            "VISITNUM": visit_cols(h.visit)["VISITNUM"], "MHDTC": iso(h.collection_date),
            "MHSTDTC": iso(h.start_date),
        })  # fmt: skip
    return out


def _criterion_codes(document: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """criterion id -> (IETESTCD, IETEST, kind): IN01.., EX01.. in protocol order; IETEST is
    the criterion text cut to SDTM's 200 characters."""
    out: dict[str, tuple[str, str, str]] = {}
    k = {"inclusion": 0, "exclusion": 0}
    for c in document["eligibility"]:
        k[c["kind"]] += 1
        prefix = "IN" if c["kind"] == "inclusion" else "EX"
        out[c["id"]] = (f"{prefix}{k[c['kind']]:02d}", c["text"][:200], c["kind"])
    return out


def import_ie(ctx: LoadContext) -> None:
    """Criteria not met (IE) -> one screening form per subject, outcome not eligible."""
    codes = _criterion_codes(ctx.protocol.document)
    failed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, row in enumerate(ctx.rows("IE")):
        with row_errors("IE", i):
            cid = row.get("IESPID")
            if cid not in codes:
                raise InputError("IESPID", cid, f"a criterion id of {ctx.protocol.code}")
            kind = codes[cid][2]
            if row.get("IECAT") != kind.upper():
                raise InputError("IECAT", row.get("IECAT"), f"{kind.upper()} for {cid}")
            not_met = "N" if kind == "inclusion" else "Y"
            if row.get("IEORRES") != not_met:
                raise InputError("IEORRES", row.get("IEORRES"),
                                 f"{not_met}: IE holds the criteria a subject failed")
            failed[row["USUBJID"]].append({
                "id": cid, "kind": kind, "outcome": "not met" if kind == "inclusion" else "met",
                "explanation": ["recorded in the IE domain"], "missing": []})
            first.setdefault(row["USUBJID"], (i, row))
    for usubjid, criteria in failed.items():
        i, row = first[usubjid]
        with row_errors("IE", i):
            s = m.Screening(participant=ctx.who(row), criteria=criteria,
                            screening_date=to_date(row.get("IEDTC"), "IEDTC"),
                            outcome=m.Screening.Outcome.NOT_ELIGIBLE)
            s.save(user=ctx.user)
            ctx.counts["IE"] += len(criteria)


def export_ie(ctx: ExportContext) -> list[dict[str, Any]]:
    codes = _criterion_codes(ctx.document)
    first_visit = ctx.document["schedule"]["visits"][0]["name"]
    out = []
    for s in m.Screening.objects.alive().filter(participant__in=ctx.participants) \
            .order_by("participant__study_id", "screening_date", "id"):
        for c in s.criteria:
            failing = (c["kind"] == "inclusion" and c["outcome"] == "not met") or \
                (c["kind"] == "exclusion" and c["outcome"] == "met")  # fmt: skip
            if not failing:
                continue
            testcd, test, kind = codes[c["id"]]
            res = "N" if kind == "inclusion" else "Y"
            out.append({
                "STUDYID": ctx.studyid, "DOMAIN": "IE", "USUBJID": ctx.ids[s.participant_id],
                "IESPID": c["id"], "IETESTCD": testcd, "IETEST": test, "IECAT": kind.upper(),
                "IEORRES": res, "IESTRESC": res, "VISITNUM": 100.0, "VISIT": first_visit,
                "EPOCH": "SCREENING", "IEDTC": iso(s.screening_date),
            })  # fmt: skip
    return out


# --------------------------------------------------------------------------- CM, PR, MI


def import_cm(ctx: LoadContext) -> None:
    reasons = _supp_values(ctx, "CM", "SUBTXRSN")
    for i, row in enumerate(ctx.rows("CM")):
        with row_errors("CM", i):
            c = m.ConcomitantMedication(
                participant=ctx.who(row), spid=text(row.get("CMSPID")),
                medication=text(row.get("CMTRT")), category=text(row.get("CMCAT")),
                indication=text(row.get("CMINDC")),
                start_date=to_date(row.get("CMSTDTC"), "CMSTDTC"),
                end_date=to_date(row.get("CMENDTC"), "CMENDTC"),
                reason=reasons.get((row["USUBJID"], _seq(row, "CM")), ""))
            c.save(user=ctx.user)
            ctx.counts["CM"] += 1


def export_cm(ctx: ExportContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    cm: list[dict[str, Any]] = []
    supp: list[dict[str, Any]] = []
    seq: dict[str, int] = defaultdict(int)
    for c in m.ConcomitantMedication.objects.alive().filter(
            participant__in=ctx.participants).order_by("participant__study_id", "start_date",
                                                       "id"):  # fmt: skip
        us = ctx.ids[c.participant_id]
        seq[us] += 1
        cm.append({"STUDYID": ctx.studyid, "DOMAIN": "CM", "USUBJID": us,
                   "CMSPID": or_none(c.spid), "CMTRT": c.medication,
                   "CMCAT": or_none(c.category), "CMINDC": or_none(c.indication),
                   "CMSTDTC": iso(c.start_date), "CMENDTC": iso(c.end_date)})  # fmt: skip
        if c.reason:
            supp.append(_supp(ctx.studyid, "CM", us, seq[us], "SUBTXRSN", c.reason))
    return cm, supp


def import_pr_mi(ctx: LoadContext) -> None:
    """PR surgery rows -> SurgeryPathology (and a SubsequentTreatment too when the surgery is a
    subsequent therapy); other subsequent procedures -> SubsequentTreatment; MI -> necrosis."""
    reasons = _supp_values(ctx, "PR", "SUBTXRSN")
    procedures = {t: proc for proc, (t, _) in SURGERY_TERMS.items()}
    necrosis: dict[str, tuple[int, float | None, date | None]] = {}
    for i, row in enumerate(ctx.rows("MI")):
        with row_errors("MI", i):
            if row.get("MITESTCD") != "NECROPCT":
                raise InputError("MITESTCD", row.get("MITESTCD"), "NECROPCT")
            if row.get("MIORRESU") != "%":
                raise InputError("MIORRESU", row.get("MIORRESU"), "%")
            if row["USUBJID"] in necrosis:
                raise InputError("USUBJID", row["USUBJID"], "one necrosis result per surgery")
            necrosis[row["USUBJID"]] = (i, to_float(row.get("MIORRES")),
                                        to_date(row.get("MIDTC"), "MIDTC"))
    for i, row in enumerate(ctx.rows("PR")):
        with row_errors("PR", i):
            p = ctx.who(row)
            trt, cat = text(row.get("PRTRT")), text(row.get("PRCAT"))
            start = to_date(row.get("PRSTDTC"), "PRSTDTC")
            if cat not in (PROTOCOL_SURGERY, rs.SUBSEQUENT_CAT):
                raise InputError("PRCAT", cat, f"{PROTOCOL_SURGERY} or {rs.SUBSEQUENT_CAT}")
            if cat == rs.SUBSEQUENT_CAT:
                reason = reasons.get((row["USUBJID"], _seq(row, "PR")))
                if reason is None:
                    raise InputError("SUPPPR.SUBTXRSN", None,
                                     "a reason for a subsequent anti-cancer therapy")
                st = m.SubsequentTreatment(participant=p, start_date=start, treatment=trt,
                                           reason=reason)  # fmt: skip
                st.save(user=ctx.user)
            elif trt not in procedures:
                raise InputError("PRTRT", trt, f"one of {list(procedures)} for protocol surgery")
            if trt in procedures:
                end = to_date(row.get("PRENDTC"), "PRENDTC")
                if end is not None and end != start:
                    raise InputError("PRENDTC", row.get("PRENDTC"), "the surgery date")
                mi_row, nec, reported = necrosis.pop(row["USUBJID"], (None, None, None))
                s = m.SurgeryPathology(participant=p, surgery_date=start,
                                       procedure=procedures[trt], necrosis_percent=nec,
                                       report_date=reported)  # fmt: skip
                if mi_row is not None:  # a bad necrosis value or date is named by its MI row
                    with row_errors("MI", mi_row):
                        s.full_clean(exclude=["participant"], validate_unique=False,
                                     validate_constraints=False)
                s.save(user=ctx.user)
            ctx.counts["PR"] += 1
    for usubjid, (i, *_) in necrosis.items():
        with row_errors("MI", i):
            raise InputError("USUBJID", usubjid, "a subject with a surgery in PR")
    ctx.counts["MI"] = sum(1 for _ in ctx.rows("MI"))


def export_pr_mi(ctx: ExportContext) -> dict[str, list[dict[str, Any]]]:
    """PR (surgery, subsequent procedures), SUPPPR (their reason), MI (necrosis, report date).

    PRSPID: SURG<n> for the n-th surgery of a subject; SUB<j> for the other subsequent
    procedures, j counting them over the study in subject-number (SUBJID) order."""
    surgeries = list(m.SurgeryPathology.objects.alive().filter(
        participant__in=ctx.participants).order_by("participant__study_id", "surgery_date", "id"))
    subsequent = list(m.SubsequentTreatment.objects.alive().filter(
        participant__in=ctx.participants).order_by("participant__study_id", "start_date", "id"))
    matched: dict[int, Any] = {}
    for s in surgeries:
        term = SURGERY_TERMS[s.procedure][0]
        for t in subsequent:
            if t.participant_id == s.participant_id and t.start_date == s.surgery_date \
                    and t.treatment == term and t.pk not in {x.pk for x in matched.values()}:
                matched[s.pk] = t
                break
    used = {t.pk for t in matched.values()}
    rows: list[tuple[str, date, int, dict[str, Any], str | None]] = []
    n_surg: dict[int, int] = defaultdict(int)
    mi = []
    for s in surgeries:
        us = ctx.ids[s.participant_id]
        n_surg[s.participant_id] += 1
        trt, decod = SURGERY_TERMS[s.procedure]
        sub = matched.get(s.pk)
        rows.append((us, s.surgery_date, len(rows), {
            "PRSPID": f"SURG{n_surg[s.participant_id]}", "PRTRT": trt, "PRDECOD": decod,
            "PRCAT": rs.SUBSEQUENT_CAT if sub else PROTOCOL_SURGERY, "PRINDC": HCC,
            "PRLOC": "LIVER", "PRSTDTC": iso(s.surgery_date), "PRENDTC": iso(s.surgery_date),
        }, sub.reason if sub else None))  # fmt: skip
        if s.necrosis_percent is not None:
            nec = float(s.necrosis_percent)
            mi.append({"STUDYID": ctx.studyid, "DOMAIN": "MI", "USUBJID": us, **NECROSIS,
                       "MIORRES": f"{nec:g}", "MISTRESC": f"{nec:g}", "MISTRESN": nec,
                       "VISITNUM": None, "MIDTC": iso(s.report_date)})  # fmt: skip
    j = 0
    by_number = sorted(subsequent, key=lambda t: (ctx.ids[t.participant_id].rsplit("-", 1)[-1],
                                                  t.start_date, t.pk))  # fmt: skip
    for t in by_number:
        if t.pk in used:
            continue
        rows.append((ctx.ids[t.participant_id], t.start_date, len(rows), {
            "PRSPID": f"SUB{j}", "PRTRT": t.treatment, "PRDECOD": None,
            "PRCAT": rs.SUBSEQUENT_CAT, "PRINDC": HCC, "PRLOC": "LIVER",
            "PRSTDTC": iso(t.start_date), "PRENDTC": None}, t.reason))  # fmt: skip
        j += 1
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    pr, supp = [], []
    seq: dict[str, int] = defaultdict(int)
    for us, _, _, values, reason in rows:
        seq[us] += 1
        pr.append({"STUDYID": ctx.studyid, "DOMAIN": "PR", "USUBJID": us, **values})
        if reason:
            supp.append(_supp(ctx.studyid, "PR", us, seq[us], "SUBTXRSN", reason))
    return {"PR": pr, "SUPPPR": supp, "MI": mi}


# --------------------------------------------------------------------------- RS Child-Pugh


def import_child_pugh(ctx: LoadContext) -> None:
    wide: dict[tuple[str, str, Any, str], dict[str, str]] = defaultdict(dict)
    first: dict[tuple[str, str, Any, str], tuple[int, dict[str, Any]]] = {}
    for i, row in enumerate(ctx.rows("RS")):
        code = row.get("RSTESTCD")
        if row.get("RSCAT") != CP_CAT:
            continue
        with row_errors("RS", i):
            if code not in CHILD_PUGH:
                raise InputError("RSTESTCD", code, f"one of {list(CHILD_PUGH)} in {CP_CAT}")
            field, _, allowed = CHILD_PUGH[code]
            if row.get("RSORRES") not in allowed:
                raise InputError("RSORRES", row.get("RSORRES"), f"one of {list(allowed)}")
            num = None if missing(row.get("VISITNUM")) else float(row["VISITNUM"])
            key = (row["USUBJID"], row["RSDTC"], num, text(row.get("RSEVAL")) or "INVESTIGATOR")
            wide[key][field] = row["RSORRES"]
            first.setdefault(key, (i, row))
    items: list[tuple[int, Any]] = []
    for key, values in wide.items():
        i, row = first[key]
        with row_errors("RS", i):
            if set(values) != {"ascites", "encephalopathy"}:
                raise InputError("RSTESTCD", list(values),
                                 "both CPASCIT and CPENCEPH for one assessment")
            c = m.ChildPughClinical(participant=ctx.who(row), visit=ctx.visit(row, False),
                                     assessment_date=to_date(key[1], "RSDTC"),
                                     evaluator=key[3], **values)
            items.append((i, c))
    bulk_save(ctx, "RS", items)
    ctx.counts["RS"] += 2 * len(items)


def export_child_pugh(ctx: ExportContext) -> list[dict[str, Any]]:
    out = []
    for c in m.ChildPughClinical.objects.alive().filter(participant__in=ctx.participants) \
            .select_related("visit").order_by("participant__study_id", "assessment_date", "id"):
        for code, (field, name, _) in CHILD_PUGH.items():
            value = getattr(c, field)
            out.append({
                "STUDYID": ctx.studyid, "DOMAIN": "RS", "USUBJID": ctx.ids[c.participant_id],
                "RSTESTCD": code, "RSTEST": name, "RSCAT": CP_CAT, "RSORRES": value,
                "RSSTRESC": value, "RSSTRESN": None, "RSEVAL": c.evaluator,
                **visit_cols(c.visit), "RSDTC": iso(c.assessment_date),
            })  # fmt: skip
    return out

