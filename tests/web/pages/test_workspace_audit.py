"""Audit history: site isolation, arm masking as in the API's history, per-record and
per-field history, filters with typed errors, and chain verification for administrators."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture.models import Role

pytestmark = [pytest.mark.database, pytest.mark.django_db]
AUDIT = reverse("pages:audit")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def allocated(world):
    p = world.pa
    m.Allocation(participant=p, method="non_randomized", arm="exp", reason="test",
                 allocation_date=date(2026, 1, 15)).save(user=world.system)
    p.arm = "exp"
    p.save(user=world.system, reason="allocated to exp")
    return world


def test_site_staff_see_their_sites_events_only(allocated):
    w = allocated
    html = client_for(w.users[Role.SITE_COORDINATOR]).get(AUDIT).content.decode()
    assert "MINI-A-001" in html and "MINI-B-001" not in html
    shown = html.count('<td>setup</td>')
    expected = AuditEvent.objects.filter(site_id=w.site_a.pk).count()
    assert shown == expected
    u = get_user_model().objects.create_user("coord-b")
    m.Membership.objects.create(user=u, role=Role.SITE_COORDINATOR, site=w.site_b)
    html = client_for(u).get(AUDIT).content.decode()
    assert "MINI-A-001" not in html and "MINI-B-001" in html


def test_monitor_sees_no_arm_investigator_does(allocated):
    w = allocated
    url = AUDIT + f"?model=core.participant&pk={w.pa.pk}&field=arm"
    inv = client_for(w.users[Role.SITE_INVESTIGATOR]).get(url).content.decode()
    assert "→ exp" in inv and "allocated to exp" in inv
    mon = client_for(w.users[Role.MONITOR]).get(url).content.decode()
    assert "→ concealed" in mon and "→ exp" not in mon
    mon_all = client_for(w.users[Role.MONITOR]).get(AUDIT).content.decode()
    assert "Allocation" not in mon_all and "allocation " not in mon_all.lower().split(
        "audit-results")[1]
    inv_all = client_for(w.users[Role.SITE_INVESTIGATOR]).get(AUDIT).content.decode()
    assert "allocation" in inv_all.lower().split("audit-results")[1]


def test_per_field_history_lists_only_that_field(allocated):
    w = allocated
    w.pa.age = 65
    w.pa.save(user=w.system, reason="age corrected from source")
    url = AUDIT + f"?model=core.participant&pk={w.pa.pk}&field=age"
    html = client_for(w.users[Role.DATA_MANAGER]).get(url).content.decode()
    results = html.split('id="audit-results"')[1]
    # the create (age 64) and the correction (64 -> 65); the arm change has no age
    assert results.count("<code>age</code>") == 2
    assert '<span class="old">64</span> → 65' in results
    assert "age corrected from source" in results and "<code>arm</code>" not in results


def test_filters_by_form_user_participant_and_date(allocated):
    w = allocated
    dm = client_for(w.users[Role.DATA_MANAGER])
    html = dm.get(AUDIT + "?form=allocations").content.decode()
    n = AuditEvent.objects.filter(model="capture.allocation").count()
    assert f"{n} event{'s' if n != 1 else ''}" in html
    html = dm.get(AUDIT + "?participant=MINI-B-001").content.decode()
    n = AuditEvent.objects.filter(participant_id=w.pb.pk).count()
    assert f"{n} event" in html and "MINI-A-001" not in html.split("audit-results")[1]
    assert "0 events" in dm.get(AUDIT + "?user=nobody").content.decode()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert "0 events" in dm.get(AUDIT + f"?date_from={tomorrow}").content.decode()
    r = dm.get(AUDIT + "?date_from=31/01/2026")
    assert r.status_code == 400 and "got &#x27;31/01/2026&#x27;; allowed: a date" in \
        r.content.decode()


def test_verify_chain_is_for_administrators(allocated):
    w = allocated
    r = client_for(w.users[Role.ADMINISTRATOR]).post(AUDIT, {"action": "verify"})
    n = AuditEvent.objects.count()
    assert r.status_code == 200
    assert f"Chain intact: {n} events verified" in r.content.decode()
    r = client_for(w.users[Role.DATA_MANAGER]).post(AUDIT, {"action": "verify"})
    assert r.status_code == 403
    assert b"Verify the audit chain" not in client_for(w.users[Role.DATA_MANAGER]).get(
        AUDIT).content


def test_readers_have_no_audit_page(world):
    assert client_for(world.users[Role.CENTRAL_READER]).get(AUDIT).status_code == 403


def test_audit_page_query_count_does_not_grow_with_events(allocated,
                                                         django_assert_max_num_queries):
    w = allocated
    c = client_for(w.users[Role.MONITOR])
    c.get(AUDIT)
    with django_assert_max_num_queries(14):
        c.get(AUDIT)
    for i in range(10):
        w.participant(f"MINI-A-2{i:02d}", w.site_a)
    with django_assert_max_num_queries(14):
        c.get(AUDIT)
