"""Enrolment and allocation pages: the rules are allocate()'s; the page asks and shows.

The expected arm of a randomization is read from the concealed list the design module made
(``RandomizationList.load()``), independently of the allocation code, as in
tests/web/test_allocation.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hccrt.protocols import load_builtin, parse_protocol
from hccrt.web.audit.base import audit_context
from hccrt.web.capture.allocation import create_randomization_list
from hccrt.web.capture.models import Allocation
from hccrt.web.core.models import Participant, Protocol
from hccrt.web.core.services import store_protocol
from tests.protocols.minimal_protocol import as_yaml, minimal

pytestmark = [pytest.mark.database, pytest.mark.django_db]
DAY = {"allocation_date": "2026-03-05"}


def builtin(code: str) -> Protocol:
    store_protocol(load_builtin(code), source=f"{code}.yaml")
    return Protocol.objects.get(code=code, is_current=True)


def client_for(world: Any, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def make(world: Any, study_id: str, protocol: Protocol, eligible: bool = True,
         site: Any = None) -> Participant:  # fmt: skip
    with audit_context(world.system):
        p = world.participant(study_id, site or world.site_a, protocol)
        if eligible:
            world.eligible(p)
    return p


def confirmation(html: str) -> str:
    return html.split('aria-labelledby="alloc-h"')[1].split("</section>")[0]


def test_randomization_shows_the_arm_only_to_roles_that_may_see_it(world):
    protocol = builtin("sbrt-bclcc")
    stored = create_randomization_list(protocol, 9, sites=[world.site_a, world.site_b])
    first = stored.load().stratum({"site": "a"}).entries[0]
    names = {a["id"]: a["name"] for a in protocol.document["arms"]}
    p = make(world, "SB-A-1", protocol)
    c = client_for(world, "site_coordinator")
    page = c.get(f"/participants/{p.pk}/enrol/").content.decode()
    assert "randomization, ratio 2:1" in page
    r = c.post(f"/participants/{p.pk}/enrol/", DAY)
    assert r.status_code == 302
    a = Allocation.objects.get(participant=p)
    assert a.arm == first.arm and a.randomization_number == first.number
    shown = c.get(f"/participants/{p.pk}/enrol/").content.decode()
    assert f"allocated to <strong>{names[first.arm]}</strong>" in shown
    assert first.number in shown
    for role in ("statistician", "site_investigator"):  # open label: these see the arm
        assert names[first.arm] in client_for(world, role).get(
            f"/participants/{p.pk}/enrol/").content.decode()
    monitor = confirmation(client_for(world, "monitor").get(
        f"/participants/{p.pk}/enrol/").content.decode())
    assert "allocated (arm concealed)" in monitor
    # (the short title names both arms, so only the confirmation itself is searched)
    assert names[first.arm] not in monitor and first.arm not in monitor
    # a second attempt is refused readably, nothing changes
    r = c.post(f"/participants/{p.pk}/enrol/", DAY)
    assert "already allocated" in r.content.decode()
    assert Allocation.objects.filter(participant=p).count() == 1


def test_allocation_needs_confirmed_eligibility(world):
    protocol = builtin("sbrt-bclcc")
    create_randomization_list(protocol, 9, sites=[world.site_a, world.site_b])
    p = make(world, "SB-A-2", protocol, eligible=False)
    c = client_for(world, "site_coordinator")
    r = c.post(f"/participants/{p.pk}/enrol/", DAY)
    assert r.status_code == 400
    assert "needs a screening with an eligible outcome, confirmed" in r.content.decode()
    assert not Allocation.objects.filter(participant=p).exists()


def test_missing_randomization_list_is_explained(world):
    protocol = builtin("sbrt-bclcc")
    p = make(world, "SB-A-3", protocol)
    r = client_for(world, "site_coordinator").post(f"/participants/{p.pk}/enrol/", DAY)
    assert r.status_code == 400 and "No active randomization list" in r.content.decode()


def test_stratification_factors_are_asked_and_checked(world):
    doc = minimal(code="strat-trial")
    doc["design"]["stratification_factors"] = [{"id": "pvtt", "name": "Portal vein tumour "
                                                "thrombus", "levels": ["yes", "no"]}]
    store_protocol(parse_protocol(as_yaml(doc)), source="strat.yaml")
    protocol = Protocol.objects.get(code="strat-trial")
    create_randomization_list(protocol, 6, sites=[world.site_a, world.site_b])
    p = make(world, "ST-A-1", protocol)
    c = client_for(world, "site_coordinator")
    page = c.get(f"/participants/{p.pk}/enrol/").content.decode()
    assert "Portal vein tumour thrombus (stratification factor)" in page
    r = c.post(f"/participants/{p.pk}/enrol/", DAY)
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_stratum__pvtt_error"' in html
    err = html.split('id="id_stratum__pvtt_error"')[1].split("</div>")[0]
    assert "Every stratification factor must be given" in err and "pvtt" in err
    r = c.post(f"/participants/{p.pk}/enrol/", {**DAY, "stratum__pvtt": "maybe"})
    assert r.status_code == 400 and not Allocation.objects.filter(participant=p).exists()
    r = c.post(f"/participants/{p.pk}/enrol/", {**DAY, "stratum__pvtt": "yes"})
    assert r.status_code == 302
    a = Allocation.objects.get(participant=p)
    assert a.stratum == "site=a|pvtt=yes" and a.strata == {"site": "a", "pvtt": "yes"}


def test_non_randomized_assignment_needs_a_reason(world):
    protocol = builtin("sirt-haic")
    p = make(world, "SH-A-1", protocol)
    c = client_for(world, "site_coordinator")
    page = c.get(f"/participants/{p.pk}/enrol/").content.decode()
    assert "not randomized" in page and "Reason for this assignment" in page
    r = c.post(f"/participants/{p.pk}/enrol/", {**DAY, "arm": "sirt"})
    assert r.status_code == 400
    err = r.content.decode().split('id="id_reason_error"')[1].split("</div>")[0]
    assert "why this arm was assigned" in err
    r = c.post(f"/participants/{p.pk}/enrol/", {**DAY, "arm": "sirt",
                                                "reason": "resectable after downsizing"})
    assert r.status_code == 302
    a = Allocation.objects.get(participant=p)
    assert (a.method, a.arm, a.reason) == ("non_randomized", "sirt",
                                           "resectable after downsizing")


def test_single_arm_enrolment(world):
    protocol = builtin("rescue")
    p = make(world, "RE-A-1", protocol)
    c = client_for(world, "site_coordinator")
    assert c.post(f"/participants/{p.pk}/enrol/", DAY).status_code == 302
    p.refresh_from_db()
    assert p.arm == "rescue" and p.status == Participant.Status.ENROLLED
    assert "single-arm enrolment" in c.get(f"/participants/{p.pk}/enrol/").content.decode()


def test_site_isolation_and_rights(world):
    protocol = builtin("rescue")
    pb = make(world, "RE-B-1", protocol, site=world.site_b)
    assert client_for(world, "site_coordinator").get(
        f"/participants/{pb.pk}/enrol/").status_code == 404
    pa = make(world, "RE-A-2", protocol)
    for role in ("monitor", "statistician"):  # may read, may not allocate
        c = client_for(world, role)
        assert c.get(f"/participants/{pa.pk}/enrol/").status_code == 403
        assert c.post(f"/participants/{pa.pk}/enrol/", DAY).status_code == 403
    assert not Allocation.objects.exists()


def test_in_a_masked_trial_the_site_randomizes_without_seeing_the_arm(world):
    # access.sees_arm: in a masked trial only administrators and statisticians see arms
    doc = minimal(code="masked-trial")
    doc["design"]["masking"] = "double_blind"
    store_protocol(parse_protocol(as_yaml(doc)), source="masked.yaml")
    protocol = Protocol.objects.get(code="masked-trial")
    stored = create_randomization_list(protocol, 6, sites=[world.site_a, world.site_b])
    first = stored.load().stratum({"site": "a"}).entries[0]
    p = make(world, "MK-A-1", protocol)
    c = client_for(world, "site_coordinator")
    page = c.get(f"/participants/{p.pk}/enrol/").content.decode()
    assert "Experimental" not in page and "Control" not in page  # arms not listed either
    assert c.post(f"/participants/{p.pk}/enrol/", DAY).status_code == 302
    assert Allocation.objects.get(participant=p).arm == first.arm
    site_view = confirmation(c.get(f"/participants/{p.pk}/enrol/").content.decode())
    assert "allocated (arm concealed)" in site_view and first.arm not in site_view
    names = {"exp": "Experimental", "ctl": "Control"}
    stat = confirmation(client_for(world, "statistician").get(
        f"/participants/{p.pk}/enrol/").content.decode())
    assert names[first.arm] in stat
