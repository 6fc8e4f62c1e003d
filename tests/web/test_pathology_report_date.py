"""The pathology report date of the surgery/pathology form (MI MIDTC): captured through the
API with its audit events; a report dated before the surgery it examines is refused, naming
the field, the value and the surgery date."""

from __future__ import annotations

import json

import pytest

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m

pytestmark = [pytest.mark.database, pytest.mark.django_db]

URL = "/api/v1/surgeries/"


def _post(c, world, **kw):
    body = {"participant": world.pa.pk, "surgery_date": "2026-03-02", "procedure": "resection",
            "necrosis_percent": 80, **kw}  # fmt: skip
    return c.post(URL, body, format="json")


def test_report_date_is_captured_and_its_change_audited(world):
    c = world.client("site_investigator")
    r = _post(c, world, report_date="2026-03-02")  # reported the day of surgery: allowed
    assert r.status_code == 201, r.content
    got = r.json()
    assert got["report_date"] == "2026-03-02"
    r = c.patch(f"{URL}{got['id']}/", {"version": got["version"], "report_date": "2026-03-09",
                                      "change_reason": "final report replaces the frozen "
                                                       "section"}, format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["report_date"] == "2026-03-09"
    created, updated = AuditEvent.objects.filter(model="capture.surgerypathology",
                                                 object_pk=str(got["id"])).order_by("id")
    assert json.loads(created.changes)["report_date"] == [None, "2026-03-02"]
    assert json.loads(updated.changes) == {"report_date": ["2026-03-02", "2026-03-09"]}
    assert updated.reason.startswith("final report")


def test_a_report_before_the_surgery_is_refused_naming_the_field(world):
    c = world.client("site_investigator")
    r = _post(c, world, report_date="2026-03-01")
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == "report_date" and err["value"] == "2026-03-01"
    assert "2026-03-02" in err["rule"]  # the surgery date it must not precede
    assert not m.SurgeryPathology.objects.exists()
    # an edit moving the surgery after its report is refused the same way
    ok = _post(c, world, report_date="2026-03-05").json()
    r = c.patch(f"{URL}{ok['id']}/", {"version": ok["version"], "surgery_date": "2026-03-06",
                                      "change_reason": "wrong date"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "report_date"
    assert m.SurgeryPathology.objects.get(pk=ok["id"]).surgery_date.isoformat() == "2026-03-02"
