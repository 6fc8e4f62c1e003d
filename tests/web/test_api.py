"""Part 4: REST API -- concurrency (409), JSON errors, cursor pages, filters, change feed, auth."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from hccrt.web import security
from hccrt.web.capture import models as m

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _post_lab(c, world, **kw):
    body = {"participant": world.pa.pk, "collection_date": "2026-02-01", "test": "ALT",
            "value": 30, "unit": "U/L", "uln": 40, **kw}
    return c.post("/api/v1/labs/", body, format="json")


def test_stale_update_gets_409_and_nothing_is_lost(world):
    c = world.client("site_coordinator")
    lab = _post_lab(c, world).json()
    first = c.patch(f"/api/v1/labs/{lab['id']}/", {"version": 1, "value": 45,
                                                    "change_reason": "typo"}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = c.patch(f"/api/v1/labs/{lab['id']}/", {"version": 1, "value": 99,
                                                    "change_reason": "other typo"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["errors"][0]["field"] == "version" and body["errors"][0]["value"] == 1
    assert body["current"]["value"] == 45 and body["current"]["version"] == 2
    assert body["submitted"]["value"] == 99  # the client's edit comes back to be reapplied
    assert m.LabResult.objects.get(pk=lab["id"]).value == 45


def test_update_needs_version_and_reason(world):
    c = world.client("site_coordinator")
    lab = _post_lab(c, world).json()
    r = c.patch(f"/api/v1/labs/{lab['id']}/", {"value": 31, "change_reason": "x"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "version"
    r = c.patch(f"/api/v1/labs/{lab['id']}/", {"value": 31, "version": 1}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reason"
    r = c.patch(f"/api/v1/labs/{lab['id']}/", {"value": 31}, format="json",
                HTTP_IF_MATCH="1", HTTP_X_CHANGE_REASON="re-read the report")
    assert r.status_code == 200 and r.json()["value"] == 31


def test_errors_name_field_value_and_rule(world):
    c = world.client("site_coordinator")
    r = _post_lab(c, world, test="BILI", value=1.0, unit="mg/furlong")
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == "unit" and err["value"] == "mg/furlong" and "mg/dL" in err["rule"]
    r = c.post("/api/v1/adverse-events/", {"participant": world.pa.pk, "term": "Fatigue",
                                           "grade": 7, "start_date": "2026-02-01"}, format="json")
    err = r.json()["errors"][0]
    assert r.status_code == 400 and err["field"] == "grade" and err["value"] == 7
    r = c.post("/api/v1/y90-plans/", {"participant": world.pa.pk, "plan_date": "2026-02-01",
                                      "inputs": {"device": "glass", "model": "mird",
                                                 "driver": "perfused_dose",
                                                 "prescribed_value": 120,
                                                 "perfused_volume_ml": 1000, "lsf": 1.5}},
               format="json")
    err = r.json()["errors"][0]
    assert r.status_code == 400 and err["field"] == "inputs.lsf" and err["value"] == 1.5
    assert not m.Y90Plan.objects.exists() and not m.AdverseEvent.objects.exists()


def test_cursor_pagination_and_filters(world):
    c = world.client("data_manager")
    for v in range(5):
        assert _post_lab(c, world, value=20 + v).status_code == 201
    _post_lab(c, world, participant=world.pb.pk)
    seen, url = [], "/api/v1/labs/?page_size=2&site=a"
    while url:
        page = c.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == 5 == len(set(seen)) and seen == sorted(seen)
    assert len(c.get("/api/v1/labs/", {"participant": world.pb.pk}).json()["results"]) == 1
    assert len(c.get("/api/v1/labs/", {"protocol": "mini-trial"}).json()["results"]) == 6
    assert len(c.get("/api/v1/labs/", {"study_id": "MINI-B-001"}).json()["results"]) == 1
    assert len(c.get("/api/v1/participants/", {"site": "b"}).json()["results"]) == 1


def test_soft_delete_and_change_feed(world):
    c = world.client("site_coordinator")
    since = timezone.now()
    lab = _post_lab(c, world).json()
    c.patch(f"/api/v1/labs/{lab['id']}/", {"version": 1, "value": 33, "change_reason": "r"},
            format="json")
    assert c.delete(f"/api/v1/labs/{lab['id']}/", HTTP_IF_MATCH="2").status_code == 400
    r = c.delete(f"/api/v1/labs/{lab['id']}/", HTTP_IF_MATCH="2",
                 HTTP_X_CHANGE_REASON="duplicate entry")
    assert r.status_code == 204
    assert c.get(f"/api/v1/labs/{lab['id']}/").status_code == 404
    assert m.LabResult.objects.filter(pk=lab["id"], is_deleted=True).exists()
    monitor = world.client("monitor")
    monitor.post("/api/v1/queries/", {"participant": world.pa.pk,
                                      "target_model": "core.participant",
                                      "target_pk": str(world.pa.pk), "text": "consent form?"},
                 format="json")
    _post_lab(world.client("data_manager"), world, participant=world.pb.pk)
    feed = c.get("/api/v1/changes/", {"since": since.isoformat()}).json()["results"]
    kinds = [(e["model"], e["action"]) for e in feed]
    assert kinds[:3] == [("capture.labresult", "create"), ("capture.labresult", "update"),
                         ("capture.labresult", "delete")]
    assert ("capture.dataquery", "create") in kinds
    assert all(e["participant_id"] == world.pa.pk for e in feed)  # site B is not in the feed
    assert feed[1]["changes"] == {"value": [30.0, 33.0]} and feed[2]["reason"] == "duplicate entry"
    later = c.get("/api/v1/changes/", {"since": timezone.now().isoformat()}).json()["results"]
    assert later == []
    bad = c.get("/api/v1/changes/", {"since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "since"


def test_openapi_schema_lists_the_forms(world):
    r = world.client("administrator").get("/api/v1/schema/", {"format": "json"})
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/labs/", "/api/v1/changes/", "/api/v1/participants/{id}/allocate/",
                 "/api/v1/queries/{id}/answer/", "/api/v1/labs/{id}/history/"):
        assert path in paths, path


@pytest.fixture
def account(db):
    cache.clear()
    user = get_user_model().objects.create_user("nurse", password="a long pass phrase 42")
    return user


def test_passwords_are_hashed_with_argon2(account):
    assert account.password.startswith("argon2")


def test_token_and_session_login(world, account):
    m.Membership.objects.create(user=account, role="site_coordinator", site=world.site_a)
    c = APIClient()
    r = c.post("/api/v1/auth/token/", {"username": "nurse", "password": "a long pass phrase 42"})
    token = r.json()["token"]
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c.get("/api/v1/participants/").status_code == 200
    s = APIClient(enforce_csrf_checks=True)
    assert s.post("/api/v1/auth/login/", {"username": "nurse",
                                          "password": "a long pass phrase 42"}).status_code == 200
    assert s.get("/api/v1/participants/").status_code == 200
    # session writes need the CSRF token
    assert s.post("/api/v1/labs/", {}, format="json").status_code == 403


def test_login_is_throttled_after_failures(account):
    c = APIClient()
    for _ in range(5):
        assert c.post("/api/v1/auth/token/", {"username": "nurse", "password": "x"}
                      ).status_code == 401
    r = c.post("/api/v1/auth/token/", {"username": "nurse", "password": "a long pass phrase 42"})
    assert r.status_code == 429 and r.json()["errors"][0]["field"] == "username"
    # the admin login shares the limit (same backend)
    account.is_staff = account.is_superuser = True
    account.save()
    admin = c.post("/admin/login/?next=/admin/", {"username": "nurse",
                                                  "password": "a long pass phrase 42"})
    assert admin.status_code == 200 and "_auth_user_id" not in c.session


def test_totp_matches_rfc6238_and_is_required_once_confirmed(account):
    # RFC 6238 appendix B, SHA-1 key "12345678901234567890": T=59 -> 94287082 (8 digits)
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert security.totp(secret, at=59, digits=8) == "94287082"
    assert security.totp(secret, at=1111111109, digits=8) == "07081804"
    assert security.totp(secret, at=1234567890, digits=8) == "89005924"
    device = m.TotpDevice.objects.create(user=account, secret=security.new_totp_secret(),
                                         confirmed=True)
    c = APIClient()
    creds = {"username": "nurse", "password": "a long pass phrase 42"}
    r = c.post("/api/v1/auth/token/", creds)
    assert r.status_code == 401 and r.json()["errors"][0]["field"] == "otp"
    r = c.post("/api/v1/auth/token/", {**creds, "otp": security.totp(device.secret)})
    assert r.status_code == 200


def test_totp_enrolment_then_login_needs_the_code(account):
    c = APIClient()
    c.force_authenticate(account)
    secret = c.post("/api/v1/auth/totp/", {}).json()["secret"]
    r = c.post("/api/v1/auth/totp/", {"otp": "000000" if security.totp(secret) != "000000"
                                      else "111111"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "otp"
    assert c.post("/api/v1/auth/totp/", {"otp": security.totp(secret)}).json() == {
        "confirmed": True}
    login = APIClient().post("/api/v1/auth/token/", {"username": "nurse",
                                                     "password": "a long pass phrase 42"})
    assert login.status_code == 401


def test_security_headers_and_https_settings(client, world):
    r = client.get("/health")
    assert r["X-Content-Type-Options"] == "nosniff" and r["X-Frame-Options"] == "DENY"
    code = ("from hccrt.web import settings as s; print(s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"HCCRT_HTTPS": "1", "HCCRT_DATA_DIR": "/tmp/hccrt-https",
                              "PATH": "/usr/bin"}, check=True)
    assert out.stdout.split() == ["True", "True", "True", "True"]


def test_log_records_do_not_carry_secrets():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1,
                               "login failed password=hunter2 token: abc123 at %s",
                               ("GET /api/v1/labs/?study_id=RESCUE-001",), None)
    security.RedactFilter().filter(record)
    text = record.getMessage()
    assert "hunter2" not in text and "abc123" not in text and "RESCUE-001" not in text


def test_today_date_is_used_for_visit_status(world):
    v = m.Visit(participant=world.pa, visit_code="x", name="x", visitnum=1, anchor="enrolment",
                anchor_date=date(2026, 2, 1), planned_date=date(2026, 3, 1),
                window_start=date(2026, 2, 20), window_end=date(2026, 3, 10))
    assert v.status_on(date(2026, 2, 19)) == "upcoming"
    assert v.status_on(date(2026, 3, 10)) == "due"
    assert v.status_on(date(2026, 3, 11)) == "overdue"
