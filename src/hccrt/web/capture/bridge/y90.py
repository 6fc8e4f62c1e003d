"""Records bridge, Y-90 radioembolization: EX (one record per administration), XP (the plan's
inputs and planned doses; XPSCAT POST-TREATMENT: doses measured on post-treatment imaging) and
XA (activities at administration) <-> Y90Plan, Y90Administration and
Y90PostTreatmentDosimetry.

One plan per administration (EXGRPID PLAN<n> / EXLNKID ADM<n>, as XP and XA link them). The
plan's inputs for the core (:class:`hccrt.dosimetry.plan.Y90PlanInput`): device from XPSPEC,
partition model driven by the planned activity (XP ACTIVITY), perfused volume = TUMVOL + NLVOL
with one tumour of TUMVOL and TNR, LSF, lung mass, whole liver volume. The prescribed tumour
dose (TARGDOSE) and the vial activity at administration (XA VIALACT) are kept in the plan's
``planning_context``; an administration with dose-calibrator assays exports its own vial
activity at administration (the assay decay-corrected by the core) instead, so XA RESACT is
then its residual at administration. The planned masses and doses (TUMMASS, NLMASS,
TUMDOSE, NLDOSE, LUNGDOSE, CLUNGDSE) and DOSECONS are what the core computes from these inputs
on save (masses with the core's ``mass_kg`` and densities), written back with the generator's
4 decimals; residual activity and percentages (XA RESACT, RESPCT, DELPCT) are computed from
the stored activities.

A POST-TREATMENT row (XPTESTCD one of :data:`~hccrt.web.capture.models.POST_TREATMENT_DOSES`,
Gy) is one Y90PostTreatmentDosimetry of the administration its XPLNKID names (of the plan its
XPGRPID names), dated XPDTC, the dose model in XPMETHOD; the records carry no imaging modality,
so the form's modality stays empty. Exported after the plan's rows, with the plan's XPLOC and
XPSPEC.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hccrt.dosimetry.constants import Y90Constants
from hccrt.dosimetry.y90 import mass_kg
from hccrt.errors import InputError
from hccrt.records import schema as rs
from hccrt.web.capture import models as m
from hccrt.web.capture.bridge._common import (
    ExportContext,
    LoadContext,
    bulk_save,
    iso,
    row_errors,
    text,
    to_date,
    to_float,
)

CAT = "Y-90 RADIOEMBOLIZATION"
DEVICES = {"GLASS": ("glass", "YTTRIUM-90 GLASS MICROSPHERES"),
           "RESIN": ("resin", "YTTRIUM-90 RESIN MICROSPHERES")}  # fmt: skip
EX_FIXED = {"EXCAT": CAT, "EXDOSU": "GBq", "EXDOSFRM": "MICROSPHERE", "EXDOSFRQ": "ONCE",
            "EXROUTE": "INTRA-ARTERIAL", "EXLOC": "LIVER"}  # fmt: skip
PLANNED = ("ACTIVITY", "LSF", "TNR", "TUMVOL", "NLVOL", "LIVVOL", "TUMMASS", "NLMASS",
           "LUNGMASS", "TARGDOSE", "TUMDOSE", "NLDOSE", "LUNGDOSE", "DOSECONS")  # fmt: skip
INPUTS = ("ACTIVITY", "LSF", "TNR", "TUMVOL", "NLVOL", "LIVVOL", "LUNGMASS", "TARGDOSE")
XA_ORDER = ("PRESACT", "VIALACT", "DELACT", "RESACT", "RESPCT", "DELPCT")
TARGET_KEY, VIAL_KEY = "target_tumour_dose_gy", "vial_activity_at_administration_gbq"


def import_y90(ctx: LoadContext) -> None:
    plans: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    first: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    post: list[tuple[int, dict[str, Any]]] = []
    for i, row in enumerate(ctx.rows("XP")):
        with row_errors("XP", i):
            if row.get("XPSCAT") == "POST-TREATMENT":
                post.append((i, row))  # loaded once the administrations are
                continue
            if row.get("XPSCAT") != "PLANNED":
                raise InputError("XPSCAT", row.get("XPSCAT"), "PLANNED or POST-TREATMENT")
            if row.get("XPMETHOD") != "PARTITION":
                raise InputError("XPMETHOD", row.get("XPMETHOD"), "PARTITION (the model the "
                                 "bridge loads)")  # fmt: skip
            if row.get("XPSPEC") not in DEVICES:
                raise InputError("XPSPEC", row.get("XPSPEC"), f"one of {list(DEVICES)}")
            code = row.get("XPTESTCD")
            if code not in (*PLANNED, "CLUNGDSE"):
                raise InputError("XPTESTCD", code, f"one of {[*PLANNED, 'CLUNGDSE']}")
            unit = rs.XP_TESTS[code][1] or None
            if (row.get("XPORRESU") or None) != unit and str(row.get("XPORRESU")) != "nan":
                raise InputError("XPORRESU", row.get("XPORRESU"), str(unit))
            key = (row["USUBJID"], text(row.get("XPGRPID")))
            plans[key][code] = to_float(row.get("XPORRES"))
            for col in ("XPDTC", "XPSPEC", "XPLOC", "XPLNKID"):
                plans[key].setdefault(col, row.get(col))
            first.setdefault(key, (i, row))
    xa: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for i, row in enumerate(ctx.rows("XA")):
        with row_errors("XA", i):
            if row.get("XATESTCD") not in XA_ORDER:
                raise InputError("XATESTCD", row.get("XATESTCD"), f"one of {list(XA_ORDER)}")
            xa[(row["USUBJID"], text(row.get("XALNKID")))][row["XATESTCD"]] = \
                to_float(row.get("XAORRES"))  # fmt: skip
    saved: dict[tuple[str, str], m.Y90Plan] = {}
    items: list[tuple[int, Any]] = []
    for key, values in plans.items():
        i, row = first[key]
        with row_errors("XP", i):
            absent = [c for c in INPUTS if values.get(c) is None]
            if absent:
                raise InputError("XPTESTCD", absent, f"the plan inputs {list(INPUTS)}")
            device = DEVICES[values["XPSPEC"]][0]
            adm = xa.get((key[0], text(values.get("XPLNKID"))), {})
            plan = m.Y90Plan(
                participant=ctx.who(row), plan_date=to_date(values["XPDTC"], "XPDTC"),
                territory=text(values.get("XPLOC")).lower() or "perfused territory",
                inputs={"device": device, "model": "partition", "driver": "activity",
                        "prescribed_value": values["ACTIVITY"],
                        "territory": text(values.get("XPLOC")).lower() or "perfused territory",
                        "perfused_volume_ml": values["TUMVOL"] + values["NLVOL"],
                        "tumours": [{"name": "tumour", "volume_ml": values["TUMVOL"],
                                     "tnr": values["TNR"]}],
                        "lsf": values["LSF"] / 100.0, "lung_mass_kg": values["LUNGMASS"],
                        "liver_volume_ml": values["LIVVOL"]},
                planning_context={TARGET_KEY: values["TARGDOSE"],
                                  **({VIAL_KEY: adm["VIALACT"]} if "VIALACT" in adm else {})},
            )  # fmt: skip
            items.append((i, plan))
            saved[key] = plan
    bulk_save(ctx, "XP", items)
    ctx.counts["XP plans"] += len(items)
    items = []
    administered: dict[tuple[str, str], m.Y90Administration] = {}
    for i, row in enumerate(ctx.rows("EX")):
        if row.get("EXCAT") != CAT:
            continue
        with row_errors("EX", i):
            plan = saved.get((row["USUBJID"], text(row.get("EXGRPID"))))
            if plan is None:
                raise InputError("EXGRPID", row.get("EXGRPID"), "a plan (XPGRPID) of the subject")
            for col, value in EX_FIXED.items():
                if row.get(col) != value:
                    raise InputError(col, row.get(col), value)
            spec = next(s for s, (d, _) in DEVICES.items() if d == plan.inputs["device"])
            if row.get("EXTRT") != DEVICES[spec][1]:
                raise InputError("EXTRT", row.get("EXTRT"), DEVICES[spec][1])
            adm = xa.get((row["USUBJID"], text(row.get("EXLNKID"))), {})
            delivered = adm.get("DELACT", to_float(row.get("EXDOSE")))
            a = m.Y90Administration(participant=plan.participant, plan=plan,
                                    administration_date=to_date(row["EXSTDTC"], "EXSTDTC"),
                                    delivered_activity_gbq=delivered)
            items.append((i, a))
            administered[(row["USUBJID"], text(row.get("EXLNKID")))] = a
    bulk_save(ctx, "EX", items)
    ctx.counts["EX"] += len(items)
    _import_post_treatment(ctx, post, saved, administered)


def _import_post_treatment(ctx: LoadContext, rows: list[tuple[int, dict[str, Any]]],
                           plans: dict[tuple[str, str], m.Y90Plan],
                           administered: dict[tuple[str, str], m.Y90Administration]) -> None:
    """XP POST-TREATMENT rows -> Y90PostTreatmentDosimetry (see the module docstring)."""
    items: list[tuple[int, Any]] = []
    for i, row in rows:
        with row_errors("XP", i):
            code = row.get("XPTESTCD")
            if code not in m.POST_TREATMENT_DOSES:
                raise InputError("XPTESTCD", code, f"one of {list(m.POST_TREATMENT_DOSES)} "
                                 "for a post-treatment measurement")  # fmt: skip
            plan = plans.get((row["USUBJID"], text(row.get("XPGRPID"))))
            if plan is None:
                raise InputError("XPGRPID", row.get("XPGRPID"), "a plan (XPGRPID) of the subject")
            adm = administered.get((row["USUBJID"], text(row.get("XPLNKID"))))
            if adm is None or adm.plan_id != plan.pk:
                raise InputError("XPLNKID", row.get("XPLNKID"),
                                 f"an administration (EXLNKID) of plan {row.get('XPGRPID')}")
            spec = next(s for s, (d, _) in DEVICES.items() if d == plan.inputs["device"])
            if row.get("XPSPEC") != spec:
                raise InputError("XPSPEC", row.get("XPSPEC"), f"{spec} (the plan's device)")
            if text(row.get("XPLOC")) != plan.territory.upper():
                raise InputError("XPLOC", row.get("XPLOC"),
                                 f"{plan.territory.upper()} (the plan's territory)")
            items.append((i, m.Y90PostTreatmentDosimetry(
                participant=adm.participant, administration=adm,
                imaging_date=to_date(row.get("XPDTC"), "XPDTC"), quantity=code,
                value=to_float(row.get("XPORRES")), unit=text(row.get("XPORRESU")),
                dose_model=text(row.get("XPMETHOD")))))  # fmt: skip
    bulk_save(ctx, "XP", items)
    ctx.counts["XP post-treatment"] += len(items)


def _fmt(v: float) -> tuple[str, float]:
    x = round(float(v), 4)
    return f"{x:g}", x


def vial_at_administration(plan: m.Y90Plan, adm: m.Y90Administration) -> float | None:
    """XA VIALACT: the vial's activity at administration. From the administration's own
    dose-calibrator assays when it has them (decay-corrected by the core on save, kept in its
    report), else the value the plan's planning context holds (what the records loaded)."""
    assays = (adm.report or {}).get("assays")
    if assays:
        return float(assays["vial_activity_at_administration_gbq"])
    return (plan.planning_context or {}).get(VIAL_KEY)


def export_y90(ctx: ExportContext) -> dict[str, list[dict[str, Any]]]:
    const = Y90Constants()  # the constants plan_y90 computes with (its default)
    k = const.dose_constant_gy_kg_per_gbq
    plans = list(m.Y90Plan.objects.alive().filter(participant__in=ctx.participants)
                 .order_by("participant__study_id", "plan_date", "id"))  # fmt: skip
    admins = {a.plan_id: a for a in m.Y90Administration.objects.alive().filter(plan__in=plans)}
    order = list(m.POST_TREATMENT_DOSES)
    measured: dict[int, list[m.Y90PostTreatmentDosimetry]] = defaultdict(list)
    for d in sorted(m.Y90PostTreatmentDosimetry.objects.alive().filter(
            administration__in=admins.values()),
            key=lambda d: (d.imaging_date, order.index(d.quantity), d.pk)):  # fmt: skip
        measured[d.administration_id].append(d)
    number: dict[int, int] = {}
    count: dict[int, int] = defaultdict(int)
    lung_sum: dict[int, float] = defaultdict(float)
    xp, xa, ex = [], [], []
    for p in plans:
        count[p.participant_id] += 1
        n = number[p.pk] = count[p.participant_id]
        us = ctx.ids[p.participant_id]
        inp, res = p.inputs, p.result
        spec = next(s for s, (d, _) in DEVICES.items() if d == inp["device"])
        tumour = inp["tumours"][0]
        masses_t = tumour["volume_ml"]
        values = {
            "ACTIVITY": res["activity_gbq"], "LSF": inp["lsf"] * 100.0, "TNR": tumour["tnr"],
            "TUMVOL": masses_t, "NLVOL": inp["perfused_volume_ml"] - masses_t,
            "LIVVOL": inp.get("liver_volume_ml"),
            "TUMMASS": float(mass_kg(masses_t, const.tumour_density_g_per_ml)),
            "NLMASS": float(mass_kg(inp["perfused_volume_ml"] - masses_t,
                                    const.liver_density_g_per_ml)),
            "LUNGMASS": res["lung_mass_kg"],
            "TARGDOSE": (p.planning_context or {}).get(TARGET_KEY),
            "TUMDOSE": res["tumour_dose_gy"], "NLDOSE": res["normal_liver_dose_gy"],
            "LUNGDOSE": res["lung_dose_gy"], "DOSECONS": k,
        }  # fmt: skip
        lung_sum[p.participant_id] += res["lung_dose_gy"]
        if n > 1:
            values["CLUNGDSE"] = lung_sum[p.participant_id]
        for code, v in values.items():
            if v is None:
                continue
            txt, num = _fmt(v)
            unit = rs.XP_TESTS[code][1] or None
            xp.append({
                "STUDYID": ctx.studyid, "DOMAIN": "XP", "USUBJID": us, "XPGRPID": f"PLAN{n}",
                "XPLNKID": f"ADM{n}", "XPTESTCD": code, "XPTEST": rs.XP_TESTS[code][0],
                "XPCAT": "Y-90 PLAN", "XPSCAT": "PLANNED", "XPORRES": txt, "XPORRESU": unit,
                "XPSTRESC": txt, "XPSTRESN": num, "XPSTRESU": unit, "XPMETHOD": "PARTITION",
                "XPLOC": p.territory.upper(), "XPSPEC": spec, "VISITNUM": None,
                "XPDTC": iso(p.plan_date)})  # fmt: skip
        a = admins.get(p.pk)
        if a is None:
            continue
        for post in measured[a.pk]:
            txt, num = _fmt(post.value)
            xp.append({
                "STUDYID": ctx.studyid, "DOMAIN": "XP", "USUBJID": us, "XPGRPID": f"PLAN{n}",
                "XPLNKID": f"ADM{n}", "XPTESTCD": post.quantity,
                "XPTEST": rs.XP_TESTS[post.quantity][0], "XPCAT": "Y-90 PLAN",
                "XPSCAT": "POST-TREATMENT", "XPORRES": txt, "XPORRESU": post.unit,
                "XPSTRESC": txt, "XPSTRESN": num, "XPSTRESU": post.unit,
                "XPMETHOD": post.dose_model, "XPLOC": p.territory.upper(), "XPSPEC": spec,
                "VISITNUM": None, "XPDTC": iso(post.imaging_date)})  # fmt: skip
        d = iso(a.administration_date)
        ex.append({"STUDYID": ctx.studyid, "DOMAIN": "EX", "USUBJID": us, "EXGRPID": f"PLAN{n}",
                   "EXLNKID": f"ADM{n}", "EXTRT": DEVICES[spec][1], **EX_FIXED,
                   "EXDOSE": round(a.delivered_activity_gbq, 3), "EXSTDTC": d,
                   "EXENDTC": d})  # fmt: skip
        vial = vial_at_administration(p, a)
        pres, dlv = res["activity_gbq"], a.delivered_activity_gbq
        acts = {"PRESACT": pres, "VIALACT": vial, "DELACT": dlv,
                "RESACT": None if vial is None else vial - dlv,
                "RESPCT": None if not vial else (vial - dlv) / vial * 100.0,
                "DELPCT": dlv / pres * 100.0}  # fmt: skip
        for code in XA_ORDER:
            if acts[code] is None:
                continue
            txt, num = _fmt(acts[code])
            unit = rs.XA_TESTS[code][1]
            xa.append({
                "STUDYID": ctx.studyid, "DOMAIN": "XA", "USUBJID": us, "XAGRPID": f"PLAN{n}",
                "XALNKID": f"ADM{n}", "XATESTCD": code, "XATEST": rs.XA_TESTS[code][0],
                "XACAT": "Y-90 ADMINISTRATION", "XAORRES": txt, "XAORRESU": unit,
                "XASTRESC": txt, "XASTRESN": num, "XASTRESU": unit, "XASPEC": spec,
                "VISITNUM": None, "XADTC": d})  # fmt: skip
    return {"XP": xp, "XA": xa, "EX": ex}

