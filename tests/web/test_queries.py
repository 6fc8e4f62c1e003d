"""Part 7: edit checks open (and close) queries; the manual query lifecycle; counts per site."""

from __future__ import annotations

from datetime import date

import pytest

from hccrt.web.capture import models as m

pytestmark = [pytest.mark.database, pytest.mark.django_db]
D = date(2026, 2, 1)


def _queries(obj):
    return list(m.DataQuery.objects.filter(target_model=obj._meta.label_lower,
                                           target_pk=str(obj.pk)))


def test_out_of_range_vital_sign_opens_a_query_that_closes_when_corrected(world):
    v = m.VitalSigns(participant=world.pa, assessment_date=D, weight_kg=700)  # grams typed?
    v.save(user=world.system)
    (q,) = _queries(v)
    assert (q.edit_check, q.target_field, q.status) == ("vitals_out_of_range", "weight_kg", "open")
    v.weight_kg = 70
    v.save(user=world.system, reason="unit slip")
    q.refresh_from_db()
    assert q.status == "closed" and "passes" in q.response
    v.save(user=world.system)
    assert len(_queries(v)) == 1  # no duplicate


def test_data_after_death_opens_a_query(world):
    m.Disposition(participant=world.pa, disposition_date=date(2026, 3, 1), event="DEATH",
                  death_cause="liver failure").save(user=world.system)
    lab = m.LabResult(participant=world.pa, collection_date=date(2026, 3, 5), test="ALT",
                      value=30, unit="U/L", uln=40)
    lab.save(user=world.system)
    assert [q.edit_check for q in _queries(lab)] == ["after_death"]


def test_lesion_at_follow_up_not_at_baseline_opens_a_query(world):
    def assessment(timepoint, day):
        a = m.TumourAssessment(participant=world.pa, assessment_date=day, timepoint=timepoint,
                               criteria="MRECIST", modality="MRI")
        a.save(user=world.system)
        return a

    base, fu = assessment("baseline", D), assessment("follow_up", date(2026, 5, 1))
    m.Lesion(participant=world.pa, assessment=base, lesion_id="T01", role="TARGET",
             longest_diameter_mm=40).save(user=world.system)
    known = m.Lesion(participant=world.pa, assessment=fu, lesion_id="T01", role="TARGET",
                     longest_diameter_mm=30)
    known.save(user=world.system)
    unknown = m.Lesion(participant=world.pa, assessment=fu, lesion_id="T02", role="TARGET",
                       longest_diameter_mm=12)
    unknown.save(user=world.system)
    new = m.Lesion(participant=world.pa, assessment=fu, lesion_id="N01", role="NEW",
                   longest_diameter_mm=11)
    new.save(user=world.system)
    assert _queries(known) == [] and _queries(new) == []
    assert [q.edit_check for q in _queries(unknown)] == ["lesion_not_at_baseline"]


def test_visit_before_a_corrected_consent_date_opens_a_query(world):
    v = m.Visit(participant=world.pa, visit_code="x", name="x", visitnum=1, anchor="enrolment",
                anchor_date=D, planned_date=D, window_start=D, window_end=D, actual_date=D)
    v.save(user=world.system)
    world.pa.consent_date = date(2026, 2, 5)
    world.pa.save(user=world.system, reason="consent date mistyped")
    assert [q.edit_check for q in _queries(world.pa)] == ["visit_before_consent"]


def test_visit_outside_its_window_opens_a_query(world):
    v = m.Visit(participant=world.pa, visit_code="x", name="x", visitnum=1, anchor="enrolment",
                anchor_date=D, planned_date=D, window_start=D, window_end=date(2026, 2, 8),
                actual_date=date(2026, 2, 10))
    v.save(user=world.system)
    assert [q.target_field for q in _queries(v)] == ["actual_date"]


def test_manual_query_lifecycle_and_rights(world):
    monitor, site = world.client("monitor"), world.client("site_coordinator")
    body = {"participant": world.pa.pk, "target_model": "core.participant",
            "target_pk": str(world.pa.pk), "target_field": "consent_date",
            "text": "consent date differs from the signed form"}
    assert site.post("/api/v1/queries/", body, format="json").status_code == 403
    q = monitor.post("/api/v1/queries/", body, format="json").json()
    assert q["status"] == "open" and q["version"] == 1
    url = f"/api/v1/queries/{q['id']}"
    assert monitor.post(f"{url}/answer/", {"version": 1, "response": "x"}).status_code == 403
    r = site.post(f"{url}/answer/", {"version": 1, "response": ""})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "response"
    r = site.post(f"{url}/answer/", {"version": 1, "response": "corrected to 10 Jan"})
    assert r.json()["status"] == "answered"
    assert site.post(f"{url}/close/", {"version": 2}).status_code == 403
    assert monitor.post(f"{url}/close/", {"version": 1}).status_code == 409
    assert monitor.post(f"{url}/close/", {"version": 2}).json()["status"] == "closed"
    r = monitor.post(f"{url}/reopen/", {"version": 3, "reason": "form still differs"})
    assert r.json()["status"] == "open" and r.json()["reopened"] == 1
    history = monitor.get(f"{url}/history/", {"field": "status"}).json()
    assert [e["changes"]["status"][1] for e in history] == ["open", "answered", "closed",
                                                            "open"]
    assert history[-1]["reason"] == "form still differs"


def test_query_counts_per_site(world):
    for p in (world.pa, world.pa, world.pb):
        m.DataQuery(participant=p, target_model="core.participant", target_pk=str(p.pk),
                    text="?").save(user=world.system)
    q = m.DataQuery.objects.filter(participant=world.pa).first()
    q.status = "closed"
    q.save(user=world.system, reason="resolved")
    counts = world.client("data_manager").get("/api/v1/queries/counts/").json()
    assert counts == {"a": {"open": 1, "answered": 0, "closed": 1},
                      "b": {"open": 1, "answered": 0, "closed": 0}}
    assert world.client("monitor").get("/api/v1/queries/counts/").json() == {
        "a": {"open": 1, "answered": 0, "closed": 1}}
