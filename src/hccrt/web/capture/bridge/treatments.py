"""Records bridge, treatment exposure (EX) other than Y-90:

- SBRT and external beam radiotherapy (EXCAT SBRT / RADIOTHERAPY, one record per fraction,
  EXGRPID the course, EXSPID FX<n>, EXLOC the target) <-> SbrtCourse (start, end, target,
  total dose = the sum of the fractions' doses, fractions = the number given) and its
  SbrtFraction rows. Which of the two a course is comes from the participant's arm in the
  protocol (an intervention of kind ``sbrt`` or ``radiotherapy``).
- HAIC (EXCAT HAIC, one record per drug and cycle) <-> HaicCycle (cycle, date, the protocol's
  regimen of the arm; drugs as given: agent, dose, unit, dose text, end date).
- Immunotherapy and systemic therapy (one record per agent and cycle) <-> one SystemicTherapy
  line per agent (line 1; start and end of its cycles) and its SystemicDose rows.

Y-90 administrations (EXCAT Y-90 RADIOEMBOLIZATION, with XP / XA): :mod:`.y90`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any

from hccrt.errors import InputError
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

RT = {"sbrt": ("STEREOTACTIC BODY RADIATION THERAPY", "SBRT"),
      "radiotherapy": ("EXTERNAL BEAM RADIOTHERAPY", "RADIOTHERAPY")}  # fmt: skip
RT_FIXED = {"EXDOSU": "Gy", "EXDOSFRM": "RADIATION", "EXDOSFRQ": "QD",
            "EXROUTE": "EXTERNAL BEAM"}  # fmt: skip
HAIC_FIXED = {"EXCAT": "HAIC", "EXDOSFRM": "SOLUTION", "EXDOSFRQ": "ONCE",
              "EXROUTE": "INTRA-ARTERIAL", "EXLOC": "HEPATIC ARTERY"}  # fmt: skip
SYSTEMIC_CATS = ("IMMUNOTHERAPY", "SYSTEMIC THERAPY")
Y90_CAT = "Y-90 RADIOEMBOLIZATION"
_CYCLE = re.compile(r"^CYCLE (\d+)$")
_FX = re.compile(r"^FX(\d+)$")


def _kinds(document: dict[str, Any], arm: str) -> set[str]:
    return {i["kind"] for a in document["arms"] if a["id"] == arm for i in a["interventions"]}


def _cycle(row: dict[str, Any]) -> int:
    match = _CYCLE.match(text(row.get("EXGRPID")))
    if match is None:
        raise InputError("EXGRPID", row.get("EXGRPID"), "CYCLE <n> for a cycle of a regimen")
    return int(match.group(1))


def _expect(row: dict[str, Any], fixed: dict[str, str]) -> None:
    for col, value in fixed.items():
        if row.get(col) != value:
            raise InputError(col, row.get(col), value)


def import_ex(ctx: LoadContext) -> None:
    doc = ctx.protocol.document
    courses: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    haic: dict[tuple[str, int], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    systemic: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for i, row in enumerate(ctx.rows("EX")):
        cat = row.get("EXCAT")
        with row_errors("EX", i):
            p = ctx.who(row)
            if cat in ("SBRT", "RADIOTHERAPY"):
                kind = "sbrt" if cat == "SBRT" else "radiotherapy"
                if kind not in _kinds(doc, p.arm):
                    raise InputError("EXCAT", cat, f"a treatment of arm {p.arm!r}")
                _expect(row, {"EXTRT": RT[kind][0], **RT_FIXED})
                courses[(row["USUBJID"], text(row.get("EXGRPID")))].append((i, row))
            elif cat == "HAIC":
                _expect(row, HAIC_FIXED)
                haic[(row["USUBJID"], _cycle(row))].append((i, row))
            elif cat in SYSTEMIC_CATS:
                systemic[(row["USUBJID"], text(row.get("EXTRT")))].append((i, row))
            elif cat == Y90_CAT:
                continue  # y90.py
            else:
                raise InputError("EXCAT", cat, f"one of SBRT, RADIOTHERAPY, HAIC, "
                                               f"{', '.join(SYSTEMIC_CATS)}, {Y90_CAT}")
    fractions: list[tuple[int, Any]] = []
    for rows in courses.values():
        i0, r0 = rows[0]
        with row_errors("EX", i0):
            if len({r.get("EXLOC") for _, r in rows}) != 1:
                raise InputError("EXLOC", sorted({str(r.get("EXLOC")) for _, r in rows}),
                                 "one target per course")
            dates = [to_date(r["EXSTDTC"], "EXSTDTC") for _, r in rows]
            course = m.SbrtCourse(participant=ctx.who(r0), start_date=min(dates),
                                  end_date=max(dates), target=text(r0.get("EXLOC")),
                                  prescribed_dose_gy=round(sum(to_float(r["EXDOSE"]) or 0.0
                                                               for _, r in rows), 6),
                                  fractions=len(rows))  # fmt: skip
            course.save(user=ctx.user)
        for i, row in rows:
            with row_errors("EX", i):
                match = _FX.match(text(row.get("EXSPID")))
                if match is None:
                    raise InputError("EXSPID", row.get("EXSPID"), "FX<n> for a fraction")
                if row.get("EXENDTC") != row.get("EXSTDTC"):
                    raise InputError("EXENDTC", row.get("EXENDTC"), "the fraction's date")
                fx = m.SbrtFraction(participant=course.participant, course=course,
                                    number=int(match.group(1)), dose_gy=to_float(row["EXDOSE"]),
                                    fraction_date=to_date(row["EXSTDTC"], "EXSTDTC"))
                fractions.append((i, fx))
    bulk_save(ctx, "EX", fractions)
    ctx.counts["EX"] += len(fractions)
    regimens = doc.get("planning", {}).get("regimens", [])
    for (_, cycle), rows in haic.items():
        i0, r0 = rows[0]
        with row_errors("EX", i0):
            p = ctx.who(r0)
            regimen = next((r["id"] for r in regimens if p.arm in r.get("arms", [])), None)
            if regimen is None:
                raise InputError("EXCAT", "HAIC", f"a HAIC regimen of arm {p.arm!r}")
            if len({r.get("EXSTDTC") for _, r in rows}) != 1:
                raise InputError("EXSTDTC", r0.get("EXSTDTC"), "one date per cycle")
            drugs = [{"agent": text(r.get("EXTRT")), "dose": to_float(r.get("EXDOSE")),
                      "dose_unit": text(r.get("EXDOSU")), "dose_text": text(r.get("EXDOSTXT")),
                      "end_date": text(r.get("EXENDTC"))} for _, r in rows]  # fmt: skip
            c = m.HaicCycle(participant=p, cycle=cycle, regimen=regimen, drugs=drugs,
                            cycle_date=to_date(r0["EXSTDTC"], "EXSTDTC"))
            c.save(user=ctx.user)
            ctx.counts["EX"] += len(rows)
    doses: list[tuple[int, Any]] = []
    for (_, agent), rows in systemic.items():
        i0, r0 = rows[0]
        with row_errors("EX", i0):
            starts = [to_date(r["EXSTDTC"], "EXSTDTC") for _, r in rows]
            ends = [to_date(r.get("EXENDTC"), "EXENDTC") for _, r in rows]
            line = m.SystemicTherapy(participant=ctx.who(r0), line=1, agent=agent,
                                     start_date=min(starts),
                                     end_date=max((e for e in ends if e), default=None))
            line.save(user=ctx.user)
        for i, row in rows:
            with row_errors("EX", i):
                d = m.SystemicDose(participant=line.participant, therapy=line,
                                    cycle=_cycle(row),
                                    start_date=to_date(row["EXSTDTC"], "EXSTDTC"),
                                    end_date=to_date(row.get("EXENDTC"), "EXENDTC"),
                                    dose=to_float(row.get("EXDOSE")),
                                    dose_unit=text(row.get("EXDOSU")),
                                    dose_form=text(row.get("EXDOSFRM")),
                                    frequency=text(row.get("EXDOSFRQ")),
                                    route=text(row.get("EXROUTE")), category=text(row["EXCAT"]))
                doses.append((i, d))
    bulk_save(ctx, "EX", doses)
    ctx.counts["EX"] += len(doses)


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def export_ex(ctx: ExportContext) -> list[dict[str, Any]]:
    """EX rows, in the order the generator writes treatments (radiotherapy, HAIC, systemic),
    each type by subject, date and form order."""
    common = {"STUDYID": ctx.studyid, "DOMAIN": "EX"}
    people = {p.pk: p for p in ctx.participants}
    out: list[dict[str, Any]] = []
    courses = list(m.SbrtCourse.objects.alive().filter(participant__in=ctx.participants)
                   .order_by("participant__study_id", "start_date", "id"))  # fmt: skip
    number: dict[int, int] = {}
    seen: dict[int, int] = defaultdict(int)
    for c in courses:
        seen[c.participant_id] += 1
        number[c.pk] = seen[c.participant_id]
    by_kind: dict[str, list[dict[str, Any]]] = {"sbrt": [], "radiotherapy": []}
    for f in m.SbrtFraction.objects.alive().filter(course__in=courses).select_related(
            "course").order_by("participant__study_id", "fraction_date", "id"):  # fmt: skip
        kinds = _kinds(ctx.document, people[f.participant_id].arm)
        kind = "sbrt" if "sbrt" in kinds else "radiotherapy"
        d = iso(f.fraction_date)
        by_kind[kind].append({
            **common, "USUBJID": ctx.ids[f.participant_id],
            "EXGRPID": f"COURSE {number[f.course_id]}", "EXSPID": f"FX{f.number}",
            "EXTRT": RT[kind][0], "EXCAT": RT[kind][1], "EXDOSE": _num(f.dose_gy), **RT_FIXED,
            "EXLOC": or_none(f.course.target), "EXSTDTC": d, "EXENDTC": d})  # fmt: skip
    out += by_kind["sbrt"] + by_kind["radiotherapy"]
    for c in m.HaicCycle.objects.alive().filter(participant__in=ctx.participants) \
            .order_by("participant__study_id", "cycle_date", "id"):
        for drug in c.drugs:
            out.append({
                **common, "USUBJID": ctx.ids[c.participant_id], "EXGRPID": f"CYCLE {c.cycle}",
                "EXTRT": drug.get("agent"), "EXDOSE": _num(drug.get("dose")),
                "EXDOSU": drug.get("dose_unit") or None, **HAIC_FIXED,
                "EXDOSTXT": drug.get("dose_text") or None, "EXSTDTC": iso(c.cycle_date),
                "EXENDTC": drug.get("end_date") or None})  # fmt: skip
    for d in m.SystemicDose.objects.alive().filter(participant__in=ctx.participants) \
            .select_related("therapy").order_by("participant__study_id", "start_date", "id"):
        out.append({
            **common, "USUBJID": ctx.ids[d.participant_id], "EXGRPID": f"CYCLE {d.cycle}",
            "EXTRT": d.therapy.agent, "EXCAT": d.category, "EXDOSE": _num(d.dose),
            "EXDOSU": d.dose_unit, "EXDOSFRM": d.dose_form, "EXDOSFRQ": d.frequency,
            "EXROUTE": d.route, "EXSTDTC": iso(d.start_date), "EXENDTC": iso(d.end_date)})
    return [r for r in out if not missing(r["USUBJID"])]
