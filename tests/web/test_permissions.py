"""Part 3: every API endpoint x role x own/other site gives the expected allow or deny.

The expectations below are written from the issue (roles and what each may see and do), not
from the implementation's policy table. A site role holds its membership at site A; "own" is
the record at site A, "other" the one at site B. The central imaging reader's "own" record is
the read assigned to them (site A); "other" is a read assigned to nobody (site B).
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from hccrt.web.capture import models as m
from hccrt.web.capture.schedule import generate_visits
from tests.web.conftest import World

pytestmark = [pytest.mark.database, pytest.mark.django_db]

Y90 = {"device": "glass", "model": "mird", "driver": "perfused_dose", "prescribed_value": 120,
       "perfused_volume_ml": 1000, "lsf": 0.05}
D = date(2026, 2, 1)
ALL = (
    "participants", "screenings", "allocations", "y90-plans", "y90-administrations",
    "sbrt-courses", "sbrt-fractions", "haic-cycles", "systemic-therapies", "visits",
    "vital-signs", "labs", "tumour-assessments", "lesions", "adverse-events", "qol",
    "surgeries", "subsequent-treatments", "dispositions", "queries",
    # forms added for the records bridge (MH, CM, DV, RS Child-Pugh signs, EX doses, XL)
    "medical-history", "concomitant-medications", "protocol-deviations", "child-pugh-clinical",
    "systemic-doses", "regional-liver-function",
    # absorbed dose measured on post-treatment imaging (XP POST-TREATMENT): treatment
    # dosimetry, the medical physicist's like the plan
    "y90-post-treatment-dosimetry",
)
TREATMENT = {"y90-plans", "y90-administrations", "y90-post-treatment-dosimetry",
             "sbrt-courses", "sbrt-fractions"}
IMAGING = {"tumour-assessments", "lesions"}
NO_GENERIC_WRITE = {"allocations"}  # allocated through /participants/{id}/allocate/
EVERY = set(ALL)

# role -> (readable at own site, readable at other site, writable own, writable other)
EXPECT: dict[str, tuple[set[str], set[str], set[str], set[str]]] = {
    "administrator": (EVERY, EVERY, EVERY, EVERY),
    "data_manager": (EVERY, EVERY, EVERY, EVERY),
    "statistician": (EVERY, EVERY, set(), set()),  # read-only, all sites
    "monitor": (EVERY, set(), {"queries"}, set()),  # read-only plus queries, own site
    "site_investigator": (EVERY, set(), EVERY - {"queries"}, set()),
    "site_coordinator": (EVERY, set(), EVERY - {"queries"}, set()),
    "medical_physicist": (TREATMENT | {"participants", "vital-signs", "labs", "visits"}, set(),
                          TREATMENT, set()),
    "central_reader": (IMAGING, set(), IMAGING, set()),
}


def _records(world: World, p, reader=None) -> dict[str, object]:
    s = world.system
    out: dict[str, object] = {"participants": p}

    def put(name, obj):
        obj.save(user=s)
        out[name] = obj
        return obj

    put("screenings", m.Screening(participant=p, screening_date=D))
    put("allocations", m.Allocation(participant=p, method="randomized", arm="exp",
                                    allocation_date=D))
    plan = put("y90-plans", m.Y90Plan(participant=p, plan_date=D, inputs=Y90))
    adm = put("y90-administrations", m.Y90Administration(participant=p, plan=plan,
                                                         administration_date=D,
                                                         delivered_activity_gbq=2.0))
    put("y90-post-treatment-dosimetry", m.Y90PostTreatmentDosimetry(
        participant=p, administration=adm, imaging_date=D, quantity="LUNGDOSE", value=9.5))
    course = put("sbrt-courses", m.SbrtCourse(participant=p, start_date=D,
                                              prescribed_dose_gy=40, fractions=5))
    put("sbrt-fractions", m.SbrtFraction(participant=p, course=course, number=1,
                                         fraction_date=D, dose_gy=8))
    put("haic-cycles", m.HaicCycle(participant=p, cycle=1, cycle_date=D, regimen="folfox"))
    line = put("systemic-therapies", m.SystemicTherapy(participant=p, line=1, agent="sorafenib",
                                                       start_date=D))
    put("systemic-doses", m.SystemicDose(participant=p, therapy=line, cycle=1, start_date=D,
                                         dose=400, dose_unit="mg", dose_form="TABLET",
                                         frequency="BID", route="ORAL",
                                         category="TARGETED THERAPY"))
    put("medical-history", m.MedicalHistory(participant=p, term="Cirrhosis",
                                            collection_date=D))
    put("concomitant-medications", m.ConcomitantMedication(participant=p, medication="Entecavir",
                                                           start_date=D))
    put("protocol-deviations", m.ProtocolDeviation(participant=p, term="Visit out of window",
                                                   start_date=D))
    put("child-pugh-clinical", m.ChildPughClinical(participant=p, assessment_date=D,
                                                   ascites="NONE", encephalopathy="NONE"))
    put("regional-liver-function", m.RegionalLiverFunction(participant=p, scan_date=D,
                                                           territory="WHOLE LIVER",
                                                           uptake_rate=8.5))
    out["visits"] = generate_visits(p, "randomization", D, user=s)[0]
    put("vital-signs", m.VitalSigns(participant=p, assessment_date=D, weight_kg=70))
    put("labs", m.LabResult(participant=p, collection_date=D, test="ALT", value=30, unit="U/L",
                            uln=40))
    a = put("tumour-assessments", m.TumourAssessment(participant=p, assessment_date=D,
                                                     timepoint="baseline", criteria="MRECIST",
                                                     modality="MRI", reader=reader))
    put("lesions", m.Lesion(participant=p, assessment=a, lesion_id="T01", role="TARGET",
                            longest_diameter_mm=30))
    put("adverse-events", m.AdverseEvent(participant=p, term="Fatigue", grade=1, start_date=D))
    put("qol", m.QolResponse(participant=p, completion_date=D, instrument="QLQ-HCC18",
                             answers={"q31": 1}))
    put("surgeries", m.SurgeryPathology(participant=p, surgery_date=D, procedure="resection"))
    put("subsequent-treatments", m.SubsequentTreatment(participant=p, start_date=D,
                                                       treatment="TACE",
                                                       reason="PROGRESSIVE DISEASE"))
    put("dispositions", m.Disposition(participant=p, disposition_date=D, event="COMPLETED"))
    put("queries", m.DataQuery(participant=p, target_model="core.participant",
                               target_pk=str(p.pk), text="please check the consent date"))
    return out


def _payload(name: str, p, rec: dict[str, object], world: World, n: int) -> dict:
    d = "2026-02-02"
    body = {
        "participants": {"study_id": f"NEW-{n}", "protocol": "mini-trial", "site": p.site.code,
                         "consent_date": "2026-01-10"},
        "screenings": {"screening_date": d},
        "allocations": {"method": "randomized", "arm": "exp", "allocation_date": d},
        "y90-plans": {"plan_date": d, "inputs": Y90},
        "y90-administrations": {"plan": rec["y90-plans"].pk, "administration_date": d,
                                "delivered_activity_gbq": 1.5},
        "sbrt-courses": {"start_date": d, "prescribed_dose_gy": 40, "fractions": 5},
        "sbrt-fractions": {"course": rec["sbrt-courses"].pk, "number": 2, "fraction_date": d,
                           "dose_gy": 8},
        "haic-cycles": {"cycle": 2, "cycle_date": d, "regimen": "folfox"},
        "systemic-therapies": {"line": 2, "agent": "lenvatinib", "start_date": d},
        "visits": {"visit_code": "unscheduled", "name": "Unscheduled", "visitnum": 9999,
                   "anchor": "first_treatment", "anchor_date": d, "planned_date": d,
                   "window_start": d, "window_end": d},
        "vital-signs": {"assessment_date": d, "weight_kg": 71},
        "labs": {"collection_date": d, "test": "AST", "value": 30, "unit": "U/L", "uln": 40},
        "tumour-assessments": {"assessment_date": d, "timepoint": "follow_up",
                               "criteria": "MRECIST", "modality": "MRI"},
        "lesions": {"assessment": rec["tumour-assessments"].pk, "lesion_id": "T02",
                    "role": "TARGET", "longest_diameter_mm": 20},
        "adverse-events": {"term": "Nausea", "grade": 1, "start_date": d},
        "qol": {"completion_date": d, "instrument": "QLQ-HCC18", "answers": {"q31": 2}},
        "surgeries": {"surgery_date": d, "procedure": "transplant"},
        "subsequent-treatments": {"start_date": d, "treatment": "sorafenib",
                                  "reason": "PROGRESSIVE DISEASE"},
        "dispositions": {"disposition_date": d, "event": "COMPLETED"},
        "queries": {"target_model": "core.participant", "target_pk": str(p.pk),
                    "text": "source document?"},
        "systemic-doses": {"therapy": rec["systemic-therapies"].pk, "cycle": 2,
                           "start_date": d, "dose": 400, "dose_unit": "mg",
                           "dose_form": "TABLET", "frequency": "BID", "route": "ORAL",
                           "category": "TARGETED THERAPY"},
        "medical-history": {"term": "Diabetes mellitus", "collection_date": d},
        "concomitant-medications": {"medication": "Tenofovir", "start_date": d},
        "protocol-deviations": {"term": "Lab not done", "start_date": d},
        "child-pugh-clinical": {"assessment_date": d, "ascites": "SLIGHT",
                                "encephalopathy": "NONE"},
        "regional-liver-function": {"scan_date": d, "territory": "UNTREATED LIVER",
                                    "uptake_rate": 5.1},
        "y90-post-treatment-dosimetry": {"administration": rec["y90-administrations"].pk,
                                         "imaging_date": d, "quantity": "TUMDOSE",
                                         "value": 120.5, "unit": "Gy",
                                         "modality": "BREMSSTRAHLUNG SPECT/CT"},
    }[name]
    if name != "participants":
        body["participant"] = p.pk
    return body


_serial = itertools.count(1)


def test_permission_matrix(world):
    reader = world.users["central_reader"]
    own = _records(world, world.pa, reader=reader)
    other = _records(world, world.pb)
    wrong: list[str] = []
    for role in EXPECT:
        wrong.extend(_check_role(world, role, own, other))
    assert not wrong, "\n".join(wrong)


def _check_role(world, role, own, other) -> list[str]:
    read_own, read_other, write_own, write_other = EXPECT[role]
    client = world.client(role)
    wrong: list[str] = []
    for name in ALL:
        listed = client.get(f"/api/v1/{name}/")
        ids = {r["id"] for r in listed.json()["results"]} if listed.status_code == 200 else set()
        for side, rec, may_read, may_write in (("own", own, read_own, write_own),
                                              ("other", other, read_other, write_other)):
            obj = rec[name]
            readable = name in may_read
            if (obj.pk in ids) != readable:
                wrong.append(f"{role} {name} {side}: listed={obj.pk in ids}, expected {readable}")
            got = client.get(f"/api/v1/{name}/{obj.pk}/").status_code
            if (got == 200) != readable or got not in (200, 403, 404):
                wrong.append(f"{role} {name} {side}: GET detail {got}, readable={readable}")
            writable = name in may_write and name not in NO_GENERIC_WRITE
            n = next(_serial)
            before = type(obj).objects.count()
            p = rec["participants"]
            r = client.post(f"/api/v1/{name}/", _payload(name, p, rec, world, n), format="json")
            created = type(obj).objects.count() - before
            if (r.status_code == 201) != writable or created != int(writable):
                wrong.append(f"{role} {name} {side}: POST {r.status_code} {r.content[:200]!r}, "
                             f"expected writable={writable}")
            if writable and r.status_code != 201:
                continue
            if name in ("queries", "allocations"):
                continue  # changed through their own actions (tests in test_queries/allocation)
            obj.refresh_from_db()
            body = {"version": obj.version, "change_reason": "matrix"}
            r = client.patch(f"/api/v1/{name}/{obj.pk}/", body, format="json")
            expected = 200 if writable else (403 if readable else 404)
            if r.status_code != expected:
                wrong.append(f"{role} {name} {side}: PATCH {r.status_code}, expected {expected}")
    return wrong


def test_reader_is_blinded_to_arm_site_and_other_readers(world):
    reader = world.users["central_reader"]
    own = _records(world, world.pa, reader=reader)
    c = world.client("central_reader")
    body = c.get(f"/api/v1/tumour-assessments/{own['tumour-assessments'].pk}/").json()
    assert "site" not in body and "reader" not in body and "arm" not in body
    assert c.get(f"/api/v1/participants/{world.pa.pk}/").status_code == 404
    assert c.get("/api/v1/changes/").status_code == 403


def test_arm_is_concealed_from_monitor_but_shown_to_investigator(world):
    _records(world, world.pa)
    world.pa.arm = "exp"
    world.pa.save(user=world.system, reason="allocated")
    assert world.client("monitor").get(f"/api/v1/participants/{world.pa.pk}/").json()["arm"] \
        == "concealed"
    assert world.client("monitor").get("/api/v1/allocations/").json()["results"][0]["arm"] \
        == "concealed"
    assert world.client("site_investigator").get(
        f"/api/v1/participants/{world.pa.pk}/").json()["arm"] == "exp"


def test_anonymous_requests_are_refused(client, world):
    for name in ALL:
        assert client.get(f"/api/v1/{name}/").status_code in (401, 403)
