"""The demo seed: users per role who can sign in, the cohort loaded as the simulator makes it
(counted independently from the simulated DM table), reads assigned to the reader, idempotent,
and refused on a database that may be real."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from hccrt.simulate import simulate
from hccrt.web.capture import demo_seed
from hccrt.web.capture import models as m
from hccrt.web.capture.models import Membership
from hccrt.web.core.models import Participant

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def test_seed_loads_a_cohort_and_users_and_is_idempotent():
    users = demo_seed.seed_demo(cohort_size=3, seed=7, protocols=("rescue",), force=True)
    dm = simulate("rescue", n=3, seed=7).records["DM"]
    stored = set(Participant.objects.filter(protocol__code="rescue")
                 .values_list("study_id", flat=True))
    assert stored == set(dm["USUBJID"])
    enrolled = set(dm.loc[dm["ARMCD"].notna(), "USUBJID"])
    assert set(Participant.objects.exclude(arm="").values_list("study_id", flat=True)) == enrolled
    names = {u.username: u for u in users}
    assert set(names) == {"coordinator", "investigator", "physicist", "monitor",
                          "coordinator2", "reader", "statistician", "datamanager", "admin"}
    for u in users:
        assert authenticate(username=u.username, password=demo_seed.DEMO_PASSWORD) is not None
        (ms,) = Membership.objects.filter(user__username=u.username)
        assert (ms.role, ms.site.code if ms.site else None) == (u.role, u.site)
    assert names["coordinator"].site == "01" and names["coordinator2"].site == "02"
    assert names["statistician"].site is None
    # reads assigned to the reader: follow-ups of enrolled participants at site 01
    reads = m.TumourAssessment.objects.filter(reader__username="reader")
    n_reads = min(demo_seed.READS_PER_PROTOCOL,
                  sum(1 for u in enrolled if u.startswith("RESCUE-01-")))
    assert reads.count() == n_reads and n_reads > 0
    assert set(reads.values_list("timepoint", flat=True)) == {"follow_up"}
    assert "coordinator    hccrt-demo   Site coordinator (site 01)" in \
        demo_seed.demo_users_text(users)
    before = (Participant.objects.count(), m.TumourAssessment.objects.count(),
              Membership.objects.count())
    demo_seed.seed_demo(cohort_size=3, seed=7, protocols=("rescue",), force=True)
    assert (Participant.objects.count(), m.TumourAssessment.objects.count(),
            Membership.objects.count()) == before


def test_refused_on_a_server_database_without_debug(monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr(demo_seed, "_database_vendor", lambda: "postgresql")
    with pytest.raises(demo_seed.DemoSeedRefused, match="HCCRT_DEBUG"):
        demo_seed.seed_demo(cohort_size=1, protocols=())
    settings.DEBUG = True
    demo_seed.check_allowed()  # debug on: allowed
    monkeypatch.setattr(demo_seed, "_database_vendor", lambda: "sqlite")
    settings.DEBUG = False
    demo_seed.check_allowed()  # the embedded database: allowed


@pytest.mark.parametrize("bad", [0, 501, "40", True])
def test_bad_cohort_size_is_refused(bad):
    with pytest.raises(demo_seed.InputError, match="cohort_size"):
        demo_seed.seed_demo(cohort_size=bad, force=True)


def test_unknown_protocol_is_refused():
    with pytest.raises(demo_seed.InputError, match="protocols"):
        demo_seed.seed_demo(cohort_size=1, protocols=("nope",), force=True)


def test_a_refused_cohort_is_reported_and_the_rest_still_seeds(monkeypatch):
    def refuse(code, n, seed, user):
        raise demo_seed.InputError("SV.actual_date", "2024-03-07",
                                   "on or after the consent date (2024-03-08)")

    monkeypatch.setattr(demo_seed, "_load_cohort", refuse)
    lines: list[str] = []
    users = demo_seed.seed_demo(cohort_size=2, protocols=("sirt-haic",), force=True,
                                progress=lines.append)
    assert len(users) == len(demo_seed.USERS)
    assert any("sirt-haic: NOT loaded" in x and "SV.actual_date" in x for x in lines)
    assert not Participant.objects.exists()
