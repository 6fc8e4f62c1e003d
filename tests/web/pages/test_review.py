"""Central review workspace and adjudication: assigned reads only, blinded, adjudication stored.

Blinding and adjudication follow the FDA guidance "Clinical Trial Imaging Endpoint Process
Standards" (2018), section III.D: independent readers blinded to treatment assignment; when two
readers disagree, an adjudicator chooses, and the adjudicated result is the accepted one. The
accepted response itself is computed by :func:`hccrt.response.accepted_response`.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hccrt.web.audit.base import audit_context
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture.models import Lesion, Membership, Role, TumourAssessment
from hccrt.web.pages.assessments.logic import blinded_id
from tests.web.conftest import World
from tests.web.pages.test_assessments import BASE, BASELINE_LESIONS, FU1, form_data, make_read

pytestmark = pytest.mark.database
CENTRAL = "INDEPENDENT ASSESSOR"


def reader(world: World, name: str) -> object:
    u = get_user_model().objects.create_user(name)
    Membership.objects.create(user=u, role=Role.CENTRAL_READER, site=None)
    return u


def login(user: object) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def review(world: World) -> dict[str, object]:
    """Participant A (arm exp, site A) read by two central readers; B assigned to reader 2."""
    with audit_context(world.system):
        world.pa.arm = "exp"
        world.pa.save(user=world.system, reason="allocated")
        r1, r2 = reader(world, "reader1"), reader(world, "reader2")
        b1 = make_read(world, world.pa, BASE, "baseline", BASELINE_LESIONS, evaluator=CENTRAL,
                       reader=r1)  # fmt: skip
        b2 = make_read(world, world.pa, BASE, "baseline",
                       [("T01", "TARGET", 61.0, 61.0, ""), ("T02", "TARGET", 77.7, 77.7, "")],
                       evaluator=CENTRAL, reader=r2)  # fmt: skip
        f1 = TumourAssessment(participant=world.pa, assessment_date=FU1, timepoint="follow_up",
                              criteria="RECIST 1.1", modality="CT SCAN", evaluator=CENTRAL,
                              reader=r1)  # fmt: skip
        f1.save(user=world.system)
        other = make_read(world, world.pb, BASE, "baseline", BASELINE_LESIONS,
                          evaluator=CENTRAL, reader=r2)  # fmt: skip
    return {"r1": r1, "r2": r2, "b1": b1, "b2": b2, "f1": f1, "other": other}


def assert_blind(world: World, html: str) -> None:
    assert "Site A" not in html and "Site B" not in html
    assert world.pa.study_id not in html and world.pb.study_id not in html
    assert "Experimental" not in html and '"exp"' not in html and ">exp<" not in html


def test_inbox_lists_only_the_readers_assigned_reads_blinded(world, review):
    html = login(review["r1"]).get("/review/").content.decode()
    assert blinded_id(world.pa.pk) in html
    assert f'/review/reads/{review["f1"].pk}/' in html  # to read
    assert f'/review/reads/{review["b1"].pk}/' in html
    assert f'/review/reads/{review["b2"].pk}/' not in html  # reader 2's read
    assert blinded_id(world.pb.pk) not in html  # B is assigned to reader 2 only
    assert_blind(world, html)


def test_a_reader_cannot_open_another_readers_read(world, review):
    assert login(review["r1"]).get(f'/review/reads/{review["b2"].pk}/').status_code == 404
    coordinator = login(world.users[Role.SITE_COORDINATOR])
    assert coordinator.get("/review/").status_code == 403


def test_read_page_is_blinded_and_carries_the_readers_own_baseline(world, review):
    html = login(review["r1"]).get(f'/review/reads/{review["f1"].pk}/').content.decode()
    assert_blind(world, html)
    assert 'name="lesion-2-lesion_id" value="NT01"' in html  # reader 1's own baseline lesions
    assert "77.7" not in html and "61.0" not in html  # nothing of reader 2's read
    assert "Mark read complete" in html


def test_reader_marks_the_read_complete_with_the_core_response(world, review):
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    c = login(review["r1"])
    url = f'/review/reads/{review["f1"].pk}/'
    # a draft keeps the overall response empty: the read stays in "To read"
    r = c.post(url, form_data(FU1, "follow_up", rows, carried=3, action="save"))
    assert r.status_code == 302
    f1 = TumourAssessment.objects.get(pk=review["f1"].pk)
    assert f1.overall_response == "" and f1.lesions.count() == 3
    data = form_data(FU1, "follow_up", rows, carried=3, action="complete",
                     reason="read completed", version=str(f1.version))  # fmt: skip
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    f1.refresh_from_db()
    assert f1.overall_response == "PR"  # 100 -> 69 mm, -31 % (RECIST 1.1 4.3.1)
    assert f1.reader_id == review["r1"].pk and f1.evaluator == CENTRAL
    # the reader may not move the read to another date or criteria set
    assert f1.assessment_date == FU1 and f1.criteria == "RECIST 1.1"


@pytest.fixture
def disagreement(world, review):
    """Both readers completed FU1 under RECIST 1.1: reader 1 PR (100 -> 69 mm, -31 %), reader 2
    SD (138.7 -> 125 mm, -10 %)."""
    with audit_context(world.system):
        f1 = review["f1"]
        for lid, ld in (("T01", 40.0), ("T02", 29.0)):
            Lesion(participant=world.pa, assessment=f1, lesion_id=lid, role="TARGET",
                   longest_diameter_mm=ld, in_field=True).save(user=world.system)
        Lesion(participant=world.pa, assessment=f1, lesion_id="NT01", role="NON-TARGET",
               state="PRESENT", in_field=True).save(user=world.system)
        f1.overall_response = "PR"
        f1.save(user=world.system, reason="read")
        f2 = make_read(world, world.pa, FU1, "follow_up",
                       [("T01", "TARGET", 55.0, 55.0, ""), ("T02", "TARGET", 70.0, 70.0, "")],
                       evaluator=CENTRAL, reader=review["r2"], overall="SD")  # fmt: skip
    return {**review, "f2": f2}


def test_adjudicator_sees_both_reads_blinded_and_the_choice_drives_the_response(
        world, disagreement):
    admin = login(world.users[Role.ADMINISTRATOR])
    url = f"/review/cases/{world.pa.pk}/adjudication/"
    html = admin.get(url).content.decode()
    assert_blind(world, html)
    assert "Reader 1: PR" in html and "Reader 2: SD" in html
    assert "UNRESOLVED" in html  # accepted_response: disagreement, no adjudication -> NE
    key = f"recist11|{FU1.isoformat()}"
    assert f'data-testid="accepted-{key}">NE<' in html
    # no reason: refused, nothing stored
    r = admin.post(url, {f"choice-{key}": "2"})
    assert r.status_code == 400
    assert not TumourAssessment.objects.filter(evaluator="ADJUDICATOR").exists()
    r = admin.post(url, {f"choice-{key}": "2", "reason": "reader 1 measured T02 off-axis"})
    assert r.status_code == 302
    adj = TumourAssessment.objects.get(evaluator="ADJUDICATOR")
    assert adj.overall_response == "SD" and adj.reader_id == world.users[Role.ADMINISTRATOR].pk
    assert sorted(adj.lesions.values_list("longest_diameter_mm", flat=True)) == [55.0, 70.0]
    event = AuditEvent.objects.get(model="capture.tumourassessment", object_pk=str(adj.pk))
    assert "accepted reader 2's read" in event.reason
    assert "reader 1 measured T02 off-axis" in event.reason
    html = admin.get(url).content.decode()
    assert f'data-testid="accepted-{key}">SD<' in html
    assert "ADJUDICATED" in html


def test_who_may_adjudicate(world, disagreement):
    url = f"/review/cases/{world.pa.pk}/adjudication/"
    # one of the two readers: never
    assert login(disagreement["r1"]).get(url).status_code == 403
    # a third central reader without an adjudication assignment: no
    third = reader(world, "reader3")
    assert login(third).get(url).status_code == 403
    # with an adjudication assigned (an ADJUDICATOR assessment with reader = them): yes
    with audit_context(world.system):
        TumourAssessment(participant=world.pa, assessment_date=FU1, timepoint="follow_up",
                         criteria="RECIST 1.1", modality="CT SCAN", evaluator="ADJUDICATOR",
                         reader=third).save(user=world.system)  # fmt: skip
    c = login(third)
    assert blinded_id(world.pa.pk) in c.get("/review/").content.decode()
    html = c.get(url).content.decode()
    assert "Reader 1: PR" in html
    assert_blind(world, html)
    key = f"recist11|{FU1.isoformat()}"
    r = c.post(url, {f"choice-{key}": "1", "reason": "reader 1 followed the protocol"})
    assert r.status_code == 302
    adj = TumourAssessment.objects.get(evaluator="ADJUDICATOR")  # the assignment, filled
    assert adj.overall_response == "PR" and adj.reader_id == third.pk


def test_inbox_query_count_does_not_grow_with_reads(world, review, django_assert_max_num_queries):
    with audit_context(world.system):
        for i in range(20):
            TumourAssessment(participant=world.pa, assessment_date=date(2026, 5, 1 + i),
                             timepoint="follow_up", criteria="RECIST 1.1", modality="MRI",
                             evaluator=CENTRAL, reader=review["r1"]).save(user=world.system)
    c = login(review["r1"])
    with django_assert_max_num_queries(10):
        assert c.get("/review/").status_code == 200


def test_data_manager_assigns_reads_to_two_readers(world):
    r1, r2 = reader(world, "reader1"), reader(world, "reader2")
    dm = login(world.users[Role.DATA_MANAGER])
    page = dm.get("/review/assign/").content.decode()
    assert world.pa.study_id in page and "reader1" in page  # not a blinded page
    data = {"participant": str(world.pa.pk), "date": FU1.isoformat(), "timepoint": "follow_up",
            "modality": "MRI", "criteria": ["recist11", "mrecist"],
            "readers": [str(r1.pk), str(r2.pk)], "kind": CENTRAL}  # fmt: skip
    assert dm.post("/review/assign/", data).status_code == 302
    made = TumourAssessment.objects.filter(participant=world.pa, evaluator=CENTRAL)
    assert sorted((a.reader.username, a.criteria) for a in made) == [
        ("reader1", "MRECIST"), ("reader1", "RECIST 1.1"),
        ("reader2", "MRECIST"), ("reader2", "RECIST 1.1")]
    assert all(a.overall_response == "" for a in made)
    event = AuditEvent.objects.filter(model="capture.tumourassessment").last()
    assert event.reason == "central review assigned"
    # the same assignment twice is refused, nothing added
    r = dm.post("/review/assign/", data)
    assert r.status_code == 400 and "already has this time point" in r.content.decode()
    assert made.count() == 4
    # a date before consent is the model's error, shown on the date
    r = dm.post("/review/assign/", {**data, "date": "2025-12-01"})
    assert r.status_code == 400 and "consent date" in r.content.decode()
    # the reader's inbox shows one read (two criteria sets) to do
    html = login(r1).get("/review/").content.decode()
    assert "RECIST 1.1, MRECIST" in html
    # readers and coordinators may not assign
    assert login(r1).get("/review/assign/").status_code == 403
    assert login(world.users[Role.SITE_COORDINATOR]).get("/review/assign/").status_code == 403
