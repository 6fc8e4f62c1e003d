"""Queries inbox: the lifecycle through the pages follows the API's rules (raise: monitors and
data managers; answer: the site; close/re-open: who raises), counts per site recomputed here,
site isolation, stale versions shown as a conflict with nothing lost."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture import query_flow
from hccrt.web.capture.models import Role

pytestmark = [pytest.mark.database, pytest.mark.django_db]
LIST = reverse("pages:queries")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def detail(q) -> str:
    return reverse("pages:query-detail", args=[q.pk])


def test_monitor_raises_a_query_on_a_record_and_it_is_audited(world):
    mon = world.users[Role.MONITOR]
    lab = m.LabResult(participant=world.pa, collection_date=date(2026, 2, 1), test="ALT",
                      value=30, unit="U/L", uln=40)
    lab.save(user=world.system)
    r = client_for(mon).post(LIST, {"participant": "MINI-A-001", "form": "labs",
                                    "record": str(lab.pk), "field": "value",
                                    "text": "Please confirm against the source"})
    assert r.status_code == 302
    q = m.DataQuery.objects.get(text="Please confirm against the source")
    assert (q.raised_by, q.target_model, q.target_pk, q.status) == (
        mon, "capture.labresult", str(lab.pk), "open")
    assert AuditEvent.objects.filter(model="capture.dataquery", object_pk=str(q.pk),
                                     username=mon.username, action="create").exists()


def test_raise_errors_name_the_field_and_store_nothing(world):
    c = client_for(world.users[Role.DATA_MANAGER])
    before = m.DataQuery.objects.count()
    r = c.post(LIST, {"participant": "NOPE-1", "text": "x"})
    assert r.status_code == 400 and b"NOPE-1" in r.content and b"study id" in r.content
    r = c.post(LIST, {"participant": "MINI-A-001", "text": "  "})
    assert r.status_code == 400 and b"text: got" in r.content
    r = c.post(LIST, {"participant": "MINI-A-001", "form": "labs", "record": "999",
                      "text": "x"})
    assert r.status_code == 400 and b"a record of MINI-A-001" in r.content
    assert m.DataQuery.objects.count() == before


def test_site_staff_may_not_raise(world):
    r = client_for(world.users[Role.SITE_COORDINATOR]).post(
        LIST, {"participant": "MINI-A-001", "text": "x"})
    assert r.status_code == 403 and not m.DataQuery.objects.exists()


def test_lifecycle_answer_close_reopen_with_the_roles_of_the_api(world):
    mon, coord = world.users[Role.MONITOR], world.users[Role.SITE_COORDINATOR]
    q = query_flow.raise_query(mon, world.pa, text="Why is the weight missing?")
    cm, cc = client_for(mon), client_for(coord)
    page = cc.get(detail(q)).content.decode()
    assert 'value="answer"' in page and 'value="close"' not in page
    assert 'value="answer"' not in cm.get(detail(q)).content.decode()
    # the monitor may not answer; the coordinator may not close
    assert cm.post(detail(q), {"action": "answer", "version": q.version,
                               "response": "x"}).status_code == 403
    assert cc.post(detail(q), {"action": "close", "version": q.version}).status_code == 403
    r = cc.post(detail(q), {"action": "answer", "version": q.version,
                            "response": "Not measured at this visit"})
    assert r.status_code == 302
    q.refresh_from_db()
    assert (q.status, q.response) == ("answered", "Not measured at this visit")
    r = cm.post(detail(q), {"action": "reopen", "version": q.version,
                            "reason": "the protocol requires it"})
    q.refresh_from_db()
    assert (r.status_code, q.status, q.reopened) == (302, "open", 1)
    listed = cm.get(LIST + "?status=reopened").content.decode()
    assert f"#{q.pk}<" in listed and "(re-opened)" in listed
    cm.post(detail(q), {"action": "close", "version": q.version})
    q.refresh_from_db()
    assert q.status == "closed"
    reasons = list(AuditEvent.objects.filter(model="capture.dataquery", object_pk=str(q.pk))
                   .values_list("reason", flat=True))
    assert reasons == ["", "query answered", "the protocol requires it", "query closed"]


def test_stale_version_is_a_conflict_that_keeps_the_answer(world):
    mon, coord = world.users[Role.MONITOR], world.users[Role.SITE_COORDINATOR]
    q = query_flow.raise_query(mon, world.pa, text="Check the date")
    stale = q.version
    query_flow.transition(q, world.users[Role.SITE_INVESTIGATOR], "answer", q.version,
                          response="answered by the investigator")
    q2 = m.DataQuery.objects.get(pk=q.pk)
    query_flow.transition(q2, mon, "reopen", q2.version)
    r = client_for(coord).post(detail(q), {"action": "answer", "version": stale,
                                           "response": "my careful answer"})
    assert r.status_code == 409
    html = r.content.decode()
    assert "changed while you were reading" in html and "my careful answer" in html
    q.refresh_from_db()
    assert q.response == "answered by the investigator"


def test_empty_answer_is_refused_with_the_field_named(world):
    q = query_flow.raise_query(world.users[Role.MONITOR], world.pa, text="?")
    r = client_for(world.users[Role.SITE_COORDINATOR]).post(
        detail(q), {"action": "answer", "version": q.version, "response": ""})
    assert r.status_code == 400 and b"response: got" in r.content
    q.refresh_from_db()
    assert q.status == "open"


def test_counts_per_site_and_filters(world):
    mon, dm = world.users[Role.MONITOR], world.users[Role.DATA_MANAGER]
    qa1 = query_flow.raise_query(mon, world.pa, text="a1")
    query_flow.raise_query(mon, world.pa, text="a2")
    query_flow.transition(qa1, world.users[Role.SITE_COORDINATOR], "answer", qa1.version,
                          response="ok")
    qb = query_flow.raise_query(dm, world.pb, text="b1")
    query_flow.transition(qb, dm, "close", qb.version)
    v = m.VitalSigns(participant=world.pb, assessment_date=date(2026, 2, 1), weight_kg=700)
    v.save(user=world.system)  # the edit check opens a query at site b
    html = client_for(dm).get(LIST + "?status=all").content.decode()
    # site a: open 1 (a2), answered 1 (a1); site b: open 1 (edit check), closed 1 (b1)
    for testid, n in (("open-a", 1), ("answered-a", 1), ("closed-a", 0), ("open-b", 1),
                      ("closed-b", 1), ("answered-b", 0)):
        assert f'data-testid="{testid}">{n}<' in html, testid
    html = client_for(dm).get(LIST + "?status=all&form=vital-signs").content.decode()
    assert "vitals_out_of_range" in html and ">a1<" not in html
    html = client_for(dm).get(LIST + "?status=open&participant=MINI-A").content.decode()
    assert "a2" in html and "b1" not in html and "vitals_out_of_range" not in html
    # htmx asks for the results only
    part = client_for(dm).get(LIST + "?status=closed", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and "b1" in part


def test_other_sites_coordinator_sees_none_of_site_a(world):
    q = query_flow.raise_query(world.users[Role.MONITOR], world.pa, text="secret a")
    u = get_user_model().objects.create_user("coord-b")
    m.Membership.objects.create(user=u, role=Role.SITE_COORDINATOR, site=world.site_b)
    c = client_for(u)
    assert b"secret a" not in c.get(LIST + "?status=all").content
    assert c.get(detail(q)).status_code == 404


def test_reader_and_physicist_have_no_inbox(world):
    for role in (Role.CENTRAL_READER, Role.MEDICAL_PHYSICIST):
        assert client_for(world.users[role]).get(LIST).status_code == 403


def test_inbox_query_count_does_not_grow_with_queries(world, django_assert_max_num_queries):
    mon = world.users[Role.DATA_MANAGER]
    c = client_for(world.users[Role.DATA_MANAGER])
    query_flow.raise_query(mon, world.pa, text="first")
    c.get(LIST)
    with django_assert_max_num_queries(14):
        c.get(LIST)
    for i in range(15):
        query_flow.raise_query(mon, world.pa if i % 2 else world.pb, text=f"q{i}")
    with django_assert_max_num_queries(14):
        assert c.get(LIST).content.count(b"/queries/") >= 16
