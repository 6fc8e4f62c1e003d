"""The home dashboard: every figure recomputed here from the rows the test creates, site
isolation, arm masking in the activity list, the reader's home, and the query budget."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture.models import Role
from hccrt.web.core.models import Participant

pytestmark = [pytest.mark.database, pytest.mark.django_db]
TODAY = date.today()
D = date(2026, 1, 20)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def trial(world):
    """Site A: 4 participants (2 allocated, 1 screen failed, 1 screening); site B: 1 allocated.
    AEs grades 1, 3, 3 (one serious) at A and grade 4 at B; visits due/overdue; queries."""
    w, sys = world, world.system
    a_alloc = [w.pa, w.participant("MINI-A-002", w.site_a)]
    for i, p in enumerate(a_alloc):
        m.Allocation(participant=p, method="non_randomized", arm="exp", reason="test",
                     allocation_date=date(2026, 1, 15 + i)).save(user=sys)
    failed = w.participant("MINI-A-003", w.site_a)
    failed.status = Participant.Status.SCREEN_FAILED
    failed.save(user=sys, reason="screen failure")
    m.Screening(participant=failed, screening_date=D, outcome="not_eligible", criteria=[
        {"id": "age", "kind": "inclusion", "outcome": "not met"},
        {"id": "pregnant", "kind": "exclusion", "outcome": "not met"}]).save(user=sys)
    screening = w.participant("MINI-A-004", w.site_a)
    w.eligible(screening)  # eligible, not yet allocated
    m.Allocation(participant=w.pb, method="non_randomized", arm="ctl", reason="test",
                 allocation_date=D).save(user=sys)
    for p, grade, serious in ((w.pa, 1, False), (w.pa, 3, True), (a_alloc[1], 3, False),
                              (w.pb, 4, False)):
        m.AdverseEvent(participant=p, term="Fatigue", grade=grade, serious=serious,
                       hospitalization=serious, start_date=D).save(user=sys)
    m.SbrtCourse(participant=w.pa, start_date=D, prescribed_dose_gy=40, fractions=5
                 ).save(user=sys)  # a course is a plan, not a treatment given
    course = m.SbrtCourse.objects.get(participant=w.pa)
    m.SbrtFraction(participant=w.pa, course=course, number=1, fraction_date=D, dose_gy=8
                   ).save(user=sys)

    def visit(p, code, start, end):
        m.Visit(participant=p, visit_code=code, name=code, visitnum=len(code), anchor="x",
                anchor_date=D, planned_date=start, window_start=start, window_end=end
                ).save(user=sys)

    visit(a_alloc[1], "due1", TODAY - timedelta(days=2), TODAY + timedelta(days=2))
    visit(a_alloc[1], "overdue1", TODAY - timedelta(days=20), TODAY - timedelta(days=10))
    visit(w.pb, "overdue-b", TODAY - timedelta(days=20), TODAY - timedelta(days=10))
    visit(a_alloc[1], "soon", TODAY + timedelta(days=10), TODAY + timedelta(days=20))
    visit(a_alloc[1], "later", TODAY + timedelta(days=40), TODAY + timedelta(days=50))
    monitor = w.users[Role.MONITOR]
    from hccrt.web.capture import query_flow

    query_flow.raise_query(monitor, w.pa, text="Source document for AE?")
    q = query_flow.raise_query(monitor, a_alloc[1], text="Check weight")
    query_flow.transition(q, w.users[Role.SITE_COORDINATOR], "answer", q.version,
                          response="checked")
    query_flow.raise_query(w.users[Role.DATA_MANAGER], w.pb, text="B query")
    return w


def test_coordinator_sees_their_sites_figures_only(trial):
    w = trial
    r = client_for(w.users[Role.SITE_COORDINATOR]).get(reverse("pages:home"))
    assert r.status_code == 200
    html = r.content.decode()
    # site A: screened 4 (all registered), eligible 3 (two allocated + one eligible
    # screening), failed 1, allocated 2, treated 1 (the SBRT fraction)
    for testid, n in (("screened", 4), ("eligible", 3), ("screen-failed", 1),
                      ("allocated", 2), ("treated", 1), ("enrolled", 2)):
        assert f'data-testid="{testid}">{n}<' in html, testid
    assert "Age &gt;= 18" in html  # the failed criterion's text, from the protocol file
    assert "Pregnancy" not in html  # an exclusion not met is not a failure
    assert "of 30 target" in html  # the mini protocol's target enrolment
    # AEs at A only: grades 1, 3, 3; one serious
    assert 'data-testid="ae-total">3<' in html and 'data-testid="sae-total">1<' in html
    assert 'data-testid="grade-3">2<' in html and 'data-testid="grade-4">0<' in html
    # visits: one due, one overdue at A (site B's overdue visit is not counted)
    assert 'data-testid="visits-due">1<' in html and 'data-testid="visits-overdue">1<' in html
    assert 'data-testid="visits-upcoming">1<' in html  # opens in 10 days; not the one in 40
    # queries per site: only site a
    assert "B query" not in html
    assert ">b</th>" not in html and ">a</th>" in html
    # recent activity: no participant of site B
    assert "MINI-B-001" not in html and "MINI-A-001" in html
    assert "<svg" in html and "polyline" in html


def test_central_monitor_sees_both_sites_and_filters_by_site(trial):
    c = client_for(trial.users[Role.DATA_MANAGER])
    html = c.get(reverse("pages:home")).content.decode()
    assert 'data-testid="enrolled">3<' in html and 'data-testid="ae-total">4<' in html
    assert 'data-testid="visits-overdue">2<' in html
    assert 'name="site"' in html  # the site filter of a multi-site role
    html = c.get(reverse("pages:home") + "?site=b").content.decode()
    assert 'data-testid="enrolled">1<' in html and 'data-testid="ae-total">1<' in html
    assert 'data-testid="grade-4">1<' in html


def test_other_sites_coordinator_sees_none_of_site_a(trial):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.create_user("coord-b")
    m.Membership.objects.create(user=u, role=Role.SITE_COORDINATOR, site=trial.site_b)
    html = client_for(u).get(reverse("pages:home")).content.decode()
    assert "MINI-A-" not in html and "Source document" not in html
    assert 'data-testid="screened">1<' in html and 'data-testid="ae-total">1<' in html


def test_monitor_activity_never_shows_allocations(trial):
    late = trial.participant("MINI-A-050", trial.site_a)
    m.Allocation(participant=late, method="non_randomized", arm="exp", reason="test",
                 allocation_date=D).save(user=trial.system)  # the latest event
    assert AuditEvent.objects.order_by("-id").first().model == "capture.allocation"
    c = client_for(trial.users[Role.SITE_INVESTIGATOR])
    assert "create allocation" in c.get(reverse("pages:home")).content.decode()
    html = client_for(trial.users[Role.MONITOR]).get(reverse("pages:home")).content.decode()
    assert "allocation" not in html.lower().split("recent activity")[1]


def test_physicist_gets_no_adverse_event_or_query_sections(trial):
    html = client_for(trial.users[Role.MEDICAL_PHYSICIST]).get(reverse("pages:home")).content
    assert b"Adverse events" not in html and b'id="h-queries"' not in html
    assert b'data-testid="visits-due">1<' in html


def test_reader_home_is_the_review_summary_only(trial):
    w = trial
    reader = w.users[Role.CENTRAL_READER]
    for resp in ("", "PR"):
        m.TumourAssessment(participant=w.pa, assessment_date=D, timepoint="follow_up",
                           criteria="MRECIST", modality="CT SCAN",
                           evaluator="INDEPENDENT ASSESSOR", reader=reader,
                           overall_response=resp).save(user=w.system)
    html = client_for(reader).get(reverse("pages:home")).content.decode()
    assert 'data-testid="reads-pending">1<' in html and "of 2 assigned" in html
    for hidden in ("Enrolment", "exp", "ctl", "MINI-A", "Site"):
        assert hidden not in html.split("<main")[1], hidden


def test_user_without_role_is_told_so(world):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.create_user("nobody")
    assert b"No role yet" in client_for(u).get(reverse("pages:home")).content


def test_home_needs_sign_in(world):
    r = Client().get(reverse("pages:home"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_dashboard_query_count_does_not_grow_with_participants(
        trial, django_assert_max_num_queries):
    c = client_for(trial.users[Role.DATA_MANAGER])
    c.get(reverse("pages:home"))
    with django_assert_max_num_queries(30):
        c.get(reverse("pages:home"))
    for i in range(10):
        trial.participant(f"MINI-A-1{i:02d}", trial.site_a)
    with django_assert_max_num_queries(30):
        c.get(reverse("pages:home"))
