"""Records bridge, tumour domains: TU (lesion identification), TR (measurements), SUPPTU
(inside treated area, Couinaud segment, malignant portal vein thrombosis, typical HCC
enhancement) <-> TumourAssessment
(one read: subject, date, visit, evaluator and reader) and its Lesion rows.

- A read's ``timepoint`` is baseline when its TR rows carry the baseline flag (TRBLFL = Y),
  else follow-up. ``criteria`` is mRECIST when the read's target lesions have viable-tumour
  diameters (VIABDIAM), else RECIST 1.1: the record tables measure once for every criteria
  set, the form names the one its measurements serve.
- A lesion's role and location come from its TU row (baseline or NEW); a follow-up
  measurement of a baseline lesion takes them from the baseline read of the same evaluator.
- TREVALID / TUEVALID (a central reader's pseudonymous id) is the reader's user name: a user
  of that name is created without a password or role when there is none (the administrator
  grants the central-reader membership).
- MPVT = Y is not stored: a lesion located in the PORTAL VEIN is tumour thrombus, and the
  export writes MPVT = Y for it.

Export order (so TUSEQ and TRSEQ come back): within a subject and date, reads by evaluator
(investigator first) and, within a read, TU baseline lesions then NEW lesions; TR rows of a
read: target longest diameters, target viable diameters, non-target states, then the NEW
lesions' state, longest and viable diameters.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model

from hccrt.errors import InputError
from hccrt.records import schema as rs
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
)
from hccrt.web.capture.bridge.core_domains import visit_cols

EVAL_ORDER = {e: i for i, e in enumerate(rs.EVAL)}
TESTS = {"LDIAM": "Longest Diameter", "VIABDIAM": "Viable Tumor Longest Diameter",
         "TUMSTATE": "Tumor State"}  # fmt: skip
QUALIFIERS = ("INFIELD", "COUINAUD", "MPVT", "TYPHCC")

Key = tuple[str, str, Any, str, str]  # USUBJID, date, VISITNUM, evaluator, evaluator id


def _key(row: dict[str, Any], d: str) -> Key:
    num = row.get("VISITNUM")
    return (row["USUBJID"], str(row[f"{d}DTC"]), None if missing(num) else float(num),
            text(row.get(f"{d}EVAL")) or "INVESTIGATOR", text(row.get(f"{d}EVALID")))


def _reader(name: str) -> Any:
    if not name:
        return None
    user, created = get_user_model().objects.get_or_create(username=name)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def import_tu_tr(ctx: LoadContext) -> None:
    supp: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for i, row in enumerate(ctx.rows("SUPPTU")):
        with row_errors("SUPPTU", i):
            qnam = row.get("QNAM")
            if qnam not in QUALIFIERS:
                raise InputError("QNAM", qnam, f"one of {list(QUALIFIERS)}")
            allowed = rs.SUPP_QUALIFIERS["TU"][qnam][1] or ()
            if row.get("QVAL") not in allowed:
                raise InputError("QVAL", row.get("QVAL"), f"one of {list(allowed)}")
            supp[(row["USUBJID"], int(float(row["IDVARVAL"])))][qnam] = row["QVAL"]
    # lesions identified in TU, by read
    lesions: dict[Key, dict[str, dict[str, Any]]] = defaultdict(dict)
    baseline_of: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    where: dict[Key, tuple[str, int, dict[str, Any]]] = {}
    for i, row in enumerate(ctx.rows("TU")):
        with row_errors("TU", i):
            if row.get("TUTESTCD") != "TUMIDENT":
                raise InputError("TUTESTCD", row.get("TUTESTCD"), "TUMIDENT")
            role = row.get("TUORRES")
            if role not in rs.LESION_ROLES:
                raise InputError("TUORRES", role, f"one of {list(rs.LESION_ROLES)}")
            q = supp.get((row["USUBJID"], int(float(row["TUSEQ"]))), {})
            k = _key(row, "TU")
            les = {"role": role, "location": text(row.get("TULOC")) or "LIVER",
                   "couinaud_segment": None if "COUINAUD" not in q else int(q["COUINAUD"]),
                   "in_field": None if "INFIELD" not in q else q["INFIELD"] == "Y",
                   "typical_hcc": None if "TYPHCC" not in q else q["TYPHCC"] == "Y",
                   "method": text(row.get("TUMETHOD")), "baseline": row.get("TUBLFL") == "Y"}
            if q.get("MPVT") == "Y" and les["location"] != "PORTAL VEIN":
                raise InputError("SUPPTU.MPVT", "Y", "Y only for a lesion in the PORTAL VEIN")
            lesions[k][str(row["TULNKID"])] = les
            where.setdefault(k, ("TU", i, row))
            if les["baseline"]:
                baseline_of[(k[0], k[3], k[4], str(row["TULNKID"]))] = les
    # measurements in TR, by read and lesion
    measured: dict[Key, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    flags: dict[Key, set[bool]] = defaultdict(set)
    for i, row in enumerate(ctx.rows("TR")):
        with row_errors("TR", i):
            code = row.get("TRTESTCD")
            if code not in TESTS:
                raise InputError("TRTESTCD", code, f"one of {list(TESTS)}")
            k = _key(row, "TR")
            lnk = str(row["TRLNKID"])
            entry = measured[k][lnk]
            entry["group"] = row.get("TRGRPID")
            entry["row"] = i  # a bad lesion is named by its last TR row
            entry["method"] = text(row.get("TRMETHOD"))
            if code == "TUMSTATE":
                entry["state"] = row.get("TRORRES")
            else:
                if not missing(row.get("TRORRESU")) and row.get("TRORRESU") != "mm":
                    raise InputError("TRORRESU", row.get("TRORRESU"), "mm")
                field = "longest_diameter_mm" if code == "LDIAM" else "viable_diameter_mm"
                entry[field] = to_float(row.get("TRORRES"))
            if entry["group"] != "NEW":
                flags[k].add(row.get("TRBLFL") == "Y")
            where.setdefault(k, ("TR", i, row))
    reads: list[tuple[int, Any]] = []
    read_domains: list[str] = []
    pending: list[tuple[str, int, Any, Key]] = []
    for k in sorted(set(lesions) | set(measured),
                    key=lambda x: (x[0], x[1], EVAL_ORDER.get(x[3], 99), x[4])):
        domain, i, row = where[k]
        with row_errors(domain, i):
            p = ctx.who(row)
            if len(flags[k]) > 1:
                raise InputError("TRBLFL", None, "the same baseline flag on every row of a read")
            base = flags[k] == {True} or any(v["baseline"] for v in lesions[k].values())
            meas = measured.get(k, {})
            viable = any("viable_diameter_mm" in v for v in meas.values())
            methods = {v["method"] for v in (*lesions[k].values(), *meas.values())} - {""}
            if len(methods) > 1:
                raise InputError(f"{domain}METHOD", sorted(methods), "one method per read")
            a = m.TumourAssessment(
                participant=p, visit=ctx.visit(row, required=False),
                assessment_date=to_date(k[1], f"{domain}DTC"),
                timepoint=m.TumourAssessment.Timepoint.BASELINE if base
                else m.TumourAssessment.Timepoint.FOLLOW_UP,
                criteria="MRECIST" if viable else "RECIST 1.1",
                modality=methods.pop() if methods else "CT SCAN", evaluator=k[3],
                reader=_reader(k[4]))  # fmt: skip
            reads.append((i, a))
            read_domains.append(domain)
            pending.append((domain, i, a, k))
    bulk_save(ctx, read_domains, reads)
    ctx.counts["TU/TR reads"] += len(reads)
    items: list[tuple[int, Any]] = []
    item_domains: list[str] = []
    for domain, i, a, k in pending:
        with row_errors(domain, i):
            p, meas = a.participant, measured.get(k, {})
            for lnk in [*lesions[k], *(x for x in meas if x not in lesions[k])]:
                ident = lesions[k].get(lnk) or baseline_of.get((k[0], k[3], k[4], lnk))
                values = meas.get(lnk, {})
                role = ident["role"] if ident else values.get("group")
                if role not in rs.LESION_ROLES:
                    raise InputError("TRLNKID", lnk, "a lesion identified in TU")
                les = m.Lesion(
                    participant=p, assessment=a, lesion_id=lnk, role=role,
                    location=ident["location"] if ident else "LIVER",
                    couinaud_segment=(lesions[k].get(lnk) or {}).get("couinaud_segment"),
                    in_field=(lesions[k].get(lnk) or {}).get("in_field"),
                    typical_hcc=(lesions[k].get(lnk) or {}).get("typical_hcc"),
                    longest_diameter_mm=values.get("longest_diameter_mm"),
                    viable_diameter_mm=values.get("viable_diameter_mm"),
                    state=values.get("state") or "")  # fmt: skip
                items.append((values.get("row", i), les))
                item_domains.append("TR" if "row" in values else domain)
    bulk_save(ctx, item_domains, items)
    ctx.counts["lesions"] += len(items)
    ctx.counts["TU"] = sum(1 for _ in ctx.rows("TU"))
    ctx.counts["TR"] = sum(1 for _ in ctx.rows("TR"))


def export_tu_tr(ctx: ExportContext) -> dict[str, list[dict[str, Any]]]:
    reads = list(m.TumourAssessment.objects.alive().filter(participant__in=ctx.participants)
                 .select_related("visit", "reader"))  # fmt: skip
    reads.sort(key=lambda a: (ctx.ids[a.participant_id], a.assessment_date,
                              EVAL_ORDER.get(a.evaluator, 99),
                              a.reader.username if a.reader else "",
                              a.visit.visitnum if a.visit else 0.0, a.pk))
    by_read: dict[int, list[m.Lesion]] = defaultdict(list)
    for les in m.Lesion.objects.alive().filter(assessment__in=reads).order_by("id"):
        by_read[les.assessment_id].append(les)
    tu: list[dict[str, Any]] = []
    tr: list[dict[str, Any]] = []
    quals: list[tuple[dict[str, Any], str, str]] = []
    groups: list[tuple[tuple[Any, ...], list[tuple[dict[str, Any], bool, list[Any]]]]] = []
    for a in reads:
        us = ctx.ids[a.participant_id]
        base = a.timepoint == m.TumourAssessment.Timepoint.BASELINE
        common = {"STUDYID": ctx.studyid, "USUBJID": us}
        ev = {"EVAL": a.evaluator, "EVALID": a.reader.username if a.reader else None}
        vis = visit_cols(a.visit)
        lesions = by_read[a.pk]
        for les in [x for x in lesions if base or x.role == "NEW"]:
            row = {**common, "DOMAIN": "TU", "TULNKID": les.lesion_id, "TUTESTCD": "TUMIDENT",
                   "TUTEST": "Tumor Identification", "TUORRES": les.role, "TUSTRESC": les.role,
                   "TULOC": les.location, "TUMETHOD": a.modality, "TUEVAL": ev["EVAL"],
                   "TUEVALID": ev["EVALID"], "TUBLFL": "Y" if base and les.role != "NEW"
                   else None, **vis, "TUDTC": iso(a.assessment_date)}  # fmt: skip
            tu.append(row)
            if les.in_field is not None:
                quals.append((row, "INFIELD", "Y" if les.in_field else "N"))
            if les.couinaud_segment is not None:
                quals.append((row, "COUINAUD", str(les.couinaud_segment)))
            if les.location == "PORTAL VEIN":
                quals.append((row, "MPVT", "Y"))
            if les.typical_hcc is not None:
                quals.append((row, "TYPHCC", "Y" if les.typical_hcc else "N"))

        read = {**common, "DOMAIN": "TR", "TRMETHOD": a.modality, "TREVAL": ev["EVAL"],
                "TREVALID": ev["EVALID"], **vis, "TRDTC": iso(a.assessment_date)}  # fmt: skip
        group = (us, a.assessment_date, a.evaluator, ev["EVALID"])
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        groups[-1][1].append((read, base, lesions))
    for _, members in groups:
        tr += _tr_rows(members)
    # SUPPTU points at the TUSEQ the export assigns (sort by subject and date, stable)
    order = sorted(range(len(tu)), key=lambda j: (tu[j]["USUBJID"], tu[j]["TUDTC"] or ""))
    seq: dict[int, int] = {}
    count: dict[str, int] = defaultdict(int)
    for j in order:
        count[tu[j]["USUBJID"]] += 1
        seq[id(tu[j])] = count[tu[j]["USUBJID"]]
    supp = [{"STUDYID": ctx.studyid, "RDOMAIN": "TU", "USUBJID": row["USUBJID"],
             "IDVAR": "TUSEQ", "IDVARVAL": str(seq[id(row)]), "QNAM": qnam,
             "QLABEL": rs.SUPP_QUALIFIERS["TU"][qnam][0], "QVAL": qval, "QORIG": "CRF",
             "QEVAL": row["TUEVAL"]} for row, qnam, qval in quals]  # fmt: skip
    return {"TU": tu, "TR": tr, "SUPPTU": supp}


def _tr_rows(members: list[tuple[dict[str, Any], bool, list[m.Lesion]]]) -> list[dict[str, Any]]:
    """TR rows of the reads of one subject, date and evaluator (usually one read; two when two
    imaging visits fall on one date): target longest diameters, target viable diameters,
    non-target states, each lesion by lesion and, for a lesion, read by read (visit order);
    then the NEW lesions' state, longest and viable diameters, read by read."""
    order: dict[str, int] = {}
    for _, _, lesions in members:
        for x in lesions:
            order.setdefault(x.lesion_id, len(order))
    blocks = (("LDIAM", "TARGET"), ("VIABDIAM", "TARGET"), ("TUMSTATE", "NON-TARGET"))
    out = []
    for code, role in blocks:
        cells = [(order[x.lesion_id], k, read, base, x)
                 for k, (read, base, lesions) in enumerate(members)
                 for x in lesions if x.role == role]  # fmt: skip
        cells.sort(key=lambda c: (c[0], c[1]))
        out += [_measurement(read, base, x, code, role) for _, _, read, base, x in cells]
    for read, base, lesions in members:
        for x in (x for x in lesions if x.role == "NEW"):
            out += [_measurement(read, base, x, c, "NEW")
                    for c in ("TUMSTATE", "LDIAM", "VIABDIAM")]  # fmt: skip
    return out


def _measurement(read: dict[str, Any], base: bool, les: m.Lesion, code: str, group: str,
                 ) -> dict[str, Any]:  # fmt: skip
    """One TR row of a lesion (columns in the order the records schema lists them)."""
    if code == "TUMSTATE":
        value: Any = or_none(les.state)
        num, unit = None, None
    else:
        num = les.longest_diameter_mm if code == "LDIAM" else les.viable_diameter_mm
        value, unit = (None if num is None else f"{num:g}"), "mm"
    return {**read, "TRGRPID": group, "TRLNKID": les.lesion_id, "TRTESTCD": code,
            "TRTEST": TESTS[code], "TRORRES": value, "TRORRESU": unit, "TRSTRESC": value,
            "TRSTRESN": num, "TRSTRESU": unit,
            "TRBLFL": "Y" if base and group != "NEW" else None}  # fmt: skip


# --------------------------------------------------------------------------- XL


XL = {"XLTESTCD": "HBUPTR", "XLTEST": rs.XL_TESTS["HBUPTR"][0], "XLCAT": "REGIONAL LIVER FUNCTION",
      "XLORRESU": rs.XL_TESTS["HBUPTR"][1], "XLSTRESU": rs.XL_TESTS["HBUPTR"][1]}  # fmt: skip


def import_xl(ctx: LoadContext) -> None:
    """Hepatobiliary scintigraphy (XL) -> RegionalLiverFunction, one per scan and territory."""
    items: list[tuple[int, Any]] = []
    for i, row in enumerate(ctx.rows("XL")):
        with row_errors("XL", i):
            if row.get("XLTESTCD") != XL["XLTESTCD"]:
                raise InputError("XLTESTCD", row.get("XLTESTCD"), XL["XLTESTCD"])
            if row.get("XLORRESU") != XL["XLORRESU"]:
                raise InputError("XLORRESU", row.get("XLORRESU"), XL["XLORRESU"])
            f = m.RegionalLiverFunction(
                participant=ctx.who(row), visit=ctx.visit(row, required=False),
                scan_date=to_date(row.get("XLDTC"), "XLDTC"), territory=text(row.get("XLLOC")),
                uptake_rate=to_float(row.get("XLORRES")),
                method=text(row.get("XLMETHOD")) or "HEPATOBILIARY SCINTIGRAPHY WITH SPECT-CT")
            items.append((i, f))
    bulk_save(ctx, "XL", items)
    ctx.counts["XL"] += len(items)


def export_xl(ctx: ExportContext) -> list[dict[str, Any]]:
    from hccrt.web.capture.bridge.core_domains import baseline_flag

    people = {p.pk: p for p in ctx.participants}
    out = []
    for f in m.RegionalLiverFunction.objects.alive().filter(
            participant__in=ctx.participants).select_related("visit").order_by(
            "participant__study_id", "scan_date", "id"):  # fmt: skip
        value = f"{f.uptake_rate:g}"
        out.append({"STUDYID": ctx.studyid, "DOMAIN": "XL", "USUBJID": ctx.ids[f.participant_id],
                    **XL, "XLORRES": value, "XLSTRESC": value, "XLSTRESN": float(f.uptake_rate),
                    "XLLOC": f.territory, "XLMETHOD": f.method,
                    "XLBLFL": baseline_flag(f.visit, people[f.participant_id]),
                    **visit_cols(f.visit), "XLDTC": iso(f.scan_date)})  # fmt: skip
    return out
