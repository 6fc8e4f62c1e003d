"""Part 5: allocation -- single arm, non-randomized with a reason, randomization from the list.

Expected arms come from the concealed list the design module generated (the artefact the
trial statistician seals), read back independently of the allocation code.
"""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from django.db import connection

from hccrt.errors import InputError
from hccrt.protocols import load_builtin, parse_protocol
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture.allocation import allocate, create_randomization_list
from hccrt.web.core.models import Protocol
from hccrt.web.core.services import store_protocol
from tests.protocols.minimal_protocol import as_yaml, minimal

pytestmark = [pytest.mark.database, pytest.mark.django_db]
D = date(2026, 2, 1)
ON_POSTGRES = os.environ.get("HCCRT_DATABASE_URL", "").startswith("postgres")


def _builtin(code: str) -> Protocol:
    store_protocol(load_builtin(code), source=f"{code}.yaml")
    return Protocol.objects.get(code=code, is_current=True)


def test_single_arm_enrolment_needs_confirmed_eligibility(world):
    p = world.participant("RESCUE-A-1", world.site_a, _builtin("rescue"))
    with pytest.raises(InputError) as info:
        allocate(p, "single_arm", D, user=world.system)
    assert info.value.field == "eligibility"
    world.eligible(p)
    a = allocate(p, "single_arm", D, user=world.system)
    p.refresh_from_db()
    assert a.arm == "rescue" == p.arm and p.status == "enrolled"
    assert AuditEvent.objects.filter(model="capture.allocation", object_pk=str(a.pk)).exists()
    with pytest.raises(InputError) as info:
        allocate(p, "single_arm", D, user=world.system)
    assert info.value.field == "participant"


def test_non_randomized_assignment_needs_a_reason(world):
    p = world.participant("SH-A-1", world.site_a, _builtin("sirt-haic"))
    world.eligible(p)
    with pytest.raises(InputError) as info:
        allocate(p, "randomized", D, user=world.system)
    assert info.value.field == "method"
    with pytest.raises(InputError) as info:
        allocate(p, "non_randomized", D, arm="sirt", user=world.system)
    assert info.value.field == "reason"
    with pytest.raises(InputError) as info:
        allocate(p, "non_randomized", D, arm="nope", reason="x", user=world.system)
    assert info.value.field == "arm"
    a = allocate(p, "non_randomized", D, arm="sirt", reason="resectable after downsizing",
                 user=world.system)
    assert a.arm == "sirt" and a.reason == "resectable after downsizing"


def test_randomization_follows_the_concealed_list_slot_by_slot(world):
    protocol = _builtin("sbrt-bclcc")
    stored = create_randomization_list(protocol, 9, sites=[world.site_a, world.site_b])
    expected = [e for e in stored.load().stratum({"site": "a"}).entries]
    arms, numbers = [], []
    for i in range(len(expected)):
        p = world.participant(f"SB-A-{i}", world.site_a, protocol)
        world.eligible(p)
        a = allocate(p, "randomized", D, user=world.system)
        assert a.slot == i
        arms.append(a.arm)
        numbers.append(a.randomization_number)
    assert arms == [e.arm for e in expected] and numbers == [e.number for e in expected]
    assert arms.count("sbrt-systemic") == 2 * arms.count("systemic")  # 2:1 in whole blocks
    p = world.participant("SB-A-X", world.site_a, protocol)
    world.eligible(p)
    with pytest.raises(InputError) as info:  # the stratum's list is used up
        allocate(p, "randomized", D, user=world.system)
    assert info.value.field == "already_assigned"
    assert not m.Allocation.objects.filter(participant=p).exists()


def test_randomization_needs_every_stratification_factor(world):
    doc = minimal(code="strat-trial")
    doc["design"]["stratification_factors"] = [{"id": "pvtt", "name": "Portal vein tumour "
                                                "thrombus", "levels": ["yes", "no"]}]
    store_protocol(parse_protocol(as_yaml(doc)), source="strat.yaml")
    protocol = Protocol.objects.get(code="strat-trial")
    create_randomization_list(protocol, 6, sites=[world.site_a, world.site_b])
    p = world.participant("ST-A-1", world.site_a, protocol)
    world.eligible(p)
    with pytest.raises(InputError) as info:
        allocate(p, "randomized", D, user=world.system)
    assert info.value.field == "stratum" and "pvtt" in info.value.allowed
    with pytest.raises(InputError) as info:
        allocate(p, "randomized", D, strata={"pvtt": "maybe"}, user=world.system)
    assert info.value.field == "pvtt"
    a = allocate(p, "randomized", D, strata={"pvtt": "yes"}, user=world.system)
    assert a.stratum == "site=a|pvtt=yes" and a.strata == {"site": "a", "pvtt": "yes"}


def test_allocate_endpoint_rights_and_arm_visibility(world):
    create_randomization_list(world.protocol, 6, sites=[world.site_a, world.site_b])
    world.eligible(world.pa)
    url = f"/api/v1/participants/{world.pa.pk}/allocate/"
    body = {"method": "randomized", "allocation_date": "2026-02-01"}
    assert world.client("monitor").post(url, body, format="json").status_code == 403
    assert world.client("statistician").post(url, body, format="json").status_code == 403
    r = world.client("site_coordinator").post(url, body, format="json")
    assert r.status_code == 201 and r.json()["arm"] in ("exp", "ctl")
    r = world.client("site_coordinator").post(url, body, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "participant"
    other = f"/api/v1/participants/{world.pb.pk}/allocate/"
    assert world.client("site_coordinator").post(other, body, format="json").status_code == 404
    seen = world.client("monitor").get("/api/v1/allocations/").json()["results"][0]
    assert seen["arm"] == "concealed" and "randomization_number" not in seen


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks and parallel connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_randomizations_never_share_or_skip_a_slot(world):
    create_randomization_list(world.protocol, 12, sites=[world.site_a, world.site_b])
    participants = []
    for i in range(10):
        p = world.participant(f"PAR-A-{i}", world.site_a)
        world.eligible(p)
        participants.append(p)
    barrier = threading.Barrier(len(participants))
    results: dict[int, int] = {}

    def go(p):
        from rest_framework.test import APIClient

        try:
            c = APIClient()
            c.force_authenticate(world.users["site_coordinator"])
            barrier.wait()
            r = c.post(f"/api/v1/participants/{p.pk}/allocate/",
                       {"method": "randomized", "allocation_date": "2026-02-01"}, format="json")
            results[p.pk] = r.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(p,)) for p in participants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results.values()) == {201}
    allocations = m.Allocation.objects.filter(participant__in=participants).order_by("slot")
    assert [a.slot for a in allocations] == list(range(10))
    entries = m.RandomizationList.objects.get().load().stratum({"site": "a"}).entries
    assert [a.arm for a in allocations] == [e.arm for e in entries[:10]]
    assert m.StratumCounter.objects.get(stratum="site=a").assigned == 10
