"""Participant list and timeline: site isolation, arm masking, sections per role, query count."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from hccrt.web.capture import models as m
from hccrt.web.capture.models import Role
from hccrt.web.core.models import Participant

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def client_for(world, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def detail(participant) -> str:
    return reverse("pages:participant-detail", args=[participant.pk])


def allocate(world, participant: Participant, arm: str = "exp") -> None:
    participant.arm = arm
    participant.status = Participant.Status.ENROLLED
    participant.save(user=world.system, reason="allocated (test set-up)")


def assign_read(world, participant: Participant) -> m.TumourAssessment:
    a = m.TumourAssessment(participant=participant, assessment_date=date(2026, 3, 1),
                           timepoint="follow_up", criteria="MRECIST", modality="CT SCAN",
                           evaluator="INDEPENDENT ASSESSOR",
                           reader=world.users[Role.CENTRAL_READER])  # fmt: skip
    a.save(user=world.system)
    return a


def study_ids(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)


# ----------------------------------------------------------------------------- list


def test_list_shows_only_the_users_sites(world):
    html = client_for(world, Role.SITE_COORDINATOR).get(
        reverse("pages:participant-list")).content.decode()
    assert study_ids(html) == ["MINI-A-001"]
    html = client_for(world, Role.DATA_MANAGER).get(
        reverse("pages:participant-list")).content.decode()
    assert study_ids(html) == ["MINI-A-001", "MINI-B-001"]


def test_list_search_filters_and_pagination(world):
    with_status = world.participant("MINI-B-002", world.site_b)
    allocate(world, with_status)
    for i in range(3, 55):
        world.participant(f"MINI-B-{i:03d}", world.site_b)
    c = client_for(world, Role.DATA_MANAGER)
    url = reverse("pages:participant-list")
    assert study_ids(c.get(url, {"q": "b-002"}).content.decode()) == ["MINI-B-002"]
    assert study_ids(c.get(url, {"site": "a"}).content.decode()) == ["MINI-A-001"]
    assert study_ids(c.get(url, {"status": "enrolled"}).content.decode()) == ["MINI-B-002"]
    first = c.get(url).content.decode()
    assert len(study_ids(first)) == 50 and "page 1 of 2" in first
    second = c.get(url, {"page": 2, "site": "b"}).content.decode()
    assert study_ids(second) == [f"MINI-B-{i:03d}" for i in range(51, 55)]
    assert "site=b" in second  # the filters are kept in the pager links


def test_list_conceals_the_arm_from_the_monitor(world):
    allocate(world, world.pa, "exp")
    coordinator = client_for(world, Role.SITE_COORDINATOR).get(
        reverse("pages:participant-list")).content.decode()
    monitor = client_for(world, Role.MONITOR).get(
        reverse("pages:participant-list")).content.decode()
    assert "<td>exp</td>" in coordinator
    assert "<td>exp</td>" not in monitor and "concealed" in monitor


def test_list_counts_open_queries_and_the_last_visit(world):
    v = m.Visit(participant=world.pa, visit_code="baseline", name="Baseline", visitnum=1,
                anchor="randomization", anchor_date=date(2026, 1, 20),
                planned_date=date(2026, 1, 20), window_start=date(2025, 12, 23),
                window_end=date(2026, 1, 20), actual_date=date(2026, 1, 19))  # fmt: skip
    v.save(user=world.system)
    vs = m.VitalSigns(participant=world.pa, assessment_date=date(2026, 1, 19), weight_kg=700)
    vs.save(user=world.system)  # capture.checks: weight outside 25-250 kg opens a query
    html = client_for(world, Role.SITE_COORDINATOR).get(
        reverse("pages:participant-list")).content.decode()
    assert "<td>2026-01-19</td>" in html and "1 open" in html


def test_list_is_refused_to_a_central_reader(world):
    r = client_for(world, Role.CENTRAL_READER).get(reverse("pages:participant-list"))
    assert r.status_code == 403


def test_list_query_count_does_not_grow_with_participants(world, django_assert_max_num_queries):
    for i in range(2, 80):
        p = world.participant(f"MINI-A-{i:03d}", world.site_a)
        allocate(world, p, "ctl")
    c = client_for(world, Role.SITE_COORDINATOR)
    with django_assert_max_num_queries(12):
        r = c.get(reverse("pages:participant-list"))
    assert len(study_ids(r.content.decode())) == 50


# ----------------------------------------------------------------------------- timeline


def add_records(world, participant: Participant, n: int) -> None:
    for i in range(n):
        day = date(2026, 2, 1) + timedelta(days=7 * i)
        for test, value, unit, uln in (("ALT", 30 + 40 * i, "U/L", 40),
                                       ("BILI", 1.0 + 0.4 * i, "mg/dL", 1.2)):
            lab = m.LabResult(participant=participant, collection_date=day, test=test,
                              value=value, unit=unit, uln=uln)  # fmt: skip
            lab.save(user=world.system)
        m.AdverseEvent(participant=participant, term="Fatigue", grade=1, start_date=day,
                       relatedness={"sbrt": "POSSIBLY RELATED"}).save(user=world.system)
        m.SystemicTherapy(participant=participant, line=i + 1, agent="sorafenib",
                          start_date=day).save(user=world.system)  # fmt: skip
        m.Visit(participant=participant, visit_code="follow-up", name=f"Follow-up {i}",
                visitnum=2 + i, anchor="randomization", anchor_date=date(2026, 1, 20),
                planned_date=day, window_start=day - timedelta(days=14),
                window_end=day + timedelta(days=14)).save(user=world.system)  # fmt: skip
        sbrt = m.SbrtCourse(participant=participant, start_date=day, prescribed_dose_gy=40,
                            fractions=5)
        sbrt.save(user=world.system)
        m.SbrtFraction(participant=participant, course=sbrt, number=1, fraction_date=day,
                       dose_gy=8).save(user=world.system)  # fmt: skip


def count_queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_timeline_query_count_does_not_grow_with_records(world, django_assert_max_num_queries):
    allocate(world, world.pa)
    c = client_for(world, Role.SITE_COORDINATOR)
    add_records(world, world.pa, 2)
    c.get(detail(world.pa))  # warm the per-protocol-version caches
    few = count_queries(c, detail(world.pa))
    add_records(world, world.pa, 6)
    assert count_queries(c, detail(world.pa)) == few
    with django_assert_max_num_queries(30):
        c.get(detail(world.pa))


def test_timeline_sections_labs_trend_and_ae_relatedness(world):
    allocate(world, world.pa)
    add_records(world, world.pa, 3)
    html = client_for(world, Role.SITE_COORDINATOR).get(detail(world.pa)).content.decode()
    for section in ("visits", "labs", "adverse-events", "systemic-therapies", "sbrt-courses",
                    "sbrt-fractions", "dispositions"):
        assert f'id="{section}"' in html, section
    # ALT 110 U/L with ULN 40 = 2.75 x ULN: NCI "Alanine aminotransferase increased" grade 1 is
    # ">ULN - 3.0 x ULN"; the third value (2026-02-15) is 110 -> grade 1 mark "G1"
    alt = html[html.index('id="lab-ALT"'):].split("</svg>")[0]
    assert 'role="img"' in alt and "<title>" in alt
    assert "2026-02-15 110 (grade 1)" in alt and ">G1<" in alt and ">ULN<" in alt
    # BILI entered in mg/dL is drawn in the core's canonical unit (umol/L, x 17.1)
    bili = html[html.index('id="lab-BILI"'):].split("</svg>")[0]
    assert "in umol/L" in bili and "2026-02-01 17.1" in bili
    assert "SBRT: possibly related" in html
    assert "<dt>Arm</dt><dd>exp</dd>" in html


def test_visit_status_words_on_the_timeline(world):
    allocate(world, world.pa)
    today = date.today()
    for i, (start, end, actual, missed) in enumerate((
        (today + timedelta(days=10), today + timedelta(days=20), None, False),   # upcoming
        (today - timedelta(days=2), today + timedelta(days=2), None, False),     # due
        (today - timedelta(days=30), today - timedelta(days=20), None, False),   # overdue
        (today - timedelta(days=30), today - timedelta(days=20), None, True),    # missed
    )):  # fmt: skip
        m.Visit(participant=world.pa, visit_code="v", name=f"Visit {i}", visitnum=i,
                anchor="randomization", anchor_date=world.pa.consent_date,
                planned_date=start, window_start=start, window_end=end, actual_date=actual,
                missed=missed, missed_reason="patient in hospital" if missed else ""
                ).save(user=world.system)  # fmt: skip
    html = client_for(world, Role.SITE_COORDINATOR).get(detail(world.pa)).content.decode()
    statuses = re.findall(r'<span class="badge (\w+)">(\w+)</span>', html)
    assert [s for s in statuses if s[0] == s[1]] == [("upcoming", "upcoming"), ("due", "due"),
                                                     ("overdue", "overdue"),
                                                     ("missed", "missed")]
    assert "patient in hospital" in html


def test_physicist_sees_what_the_policy_lets_them_read(world):
    add_records(world, world.pa, 1)
    html = client_for(world, Role.MEDICAL_PHYSICIST).get(detail(world.pa)).content.decode()
    # POLICY: treatment forms, participants, vital signs, labs, visits
    for section in ("labs", "visits", "sbrt-courses", "vital-signs"):
        assert f'id="{section}"' in html
    for section in ("adverse-events", "systemic-therapies", "qol", "tumour-assessments"):
        assert f'id="{section}"' not in html


def test_central_reader_reaches_only_assigned_participants_and_never_the_arm(world):
    allocate(world, world.pa, "exp")
    allocate(world, world.pb, "ctl")
    add_records(world, world.pa, 1)
    assign_read(world, world.pa)
    c = client_for(world, Role.CENTRAL_READER)
    assert c.get(detail(world.pb)).status_code == 404  # no read assigned
    html = c.get(detail(world.pa)).content.decode()
    assert 'id="tumour-assessments"' in html
    assert "<dt>Arm</dt>" not in html and ">exp<" not in html
    for section in ("labs", "adverse-events", "visits"):
        assert f'id="{section}"' not in html
    history = c.get(reverse("pages:form-history", args=["tumour-assessments",
                                                        m.TumourAssessment.objects.get().pk]))
    assert history.status_code == 200


def test_other_sites_coordinator_cannot_open_the_timeline(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    assert c.get(detail(world.pb)).status_code == 404


def test_monitor_sees_the_timeline_without_the_arm(world):
    allocate(world, world.pa, "exp")
    html = client_for(world, Role.MONITOR).get(detail(world.pa)).content.decode()
    # capture.access.NEVER_SEE_ARM: monitors never see the arm, even in an open-label trial
    assert "<dt>Status</dt>" in html and "<dt>Arm</dt>" not in html
