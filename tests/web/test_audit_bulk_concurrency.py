"""Concurrent audited bulk loads never deadlock (PostgreSQL, real parallel connections).

Each bulk load appends to the hash chain of every site its records belong to and holds those
chains' head rows until it commits. Two loads that took the heads in different orders (the
order of their records) could each hold one head while waiting for the other's, and
PostgreSQL would abort one of them with "deadlock detected". Here several loads, whose records
list the sites in opposite orders, run in parallel threads, next to single audited saves
(creates and updates) at the same sites, many times over; every load must commit, every record
must have exactly one create event, and every chain must verify.

The expected counts are the numbers of records the threads submitted (counted here, not by the
code under test); the chains are checked by recomputing every hash (``verify`` on PostgreSQL
and the independent Python path ``verify_in_python``).
"""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction

from hccrt.web.audit.bulk import audited_bulk_create
from hccrt.web.audit.chain import verify, verify_in_python
from hccrt.web.audit.models import AuditChain, AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.core.models import Site

pytestmark = [
    pytest.mark.database,
    pytest.mark.skipif(not os.environ.get("HCCRT_DATABASE_URL", "").startswith("postgres"),
                       reason="row locks and parallel connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]  # fmt: skip

ROUNDS = 12
PER_SITE = 15  # records per site in each load
LOADS = 3  # parallel bulk loads per round (site orders: forward, backward, forward...)


def _labs(participants, start: int) -> list[m.LabResult]:
    """``PER_SITE`` ALT results per participant, grouped by participant in the given order."""
    return [m.LabResult(participant=p, collection_date=date(2026, 2, 1), test="ALT",
                        value=start + k, unit="U/L", uln=40)
            for p in participants for k in range(PER_SITE)]  # fmt: skip


def _run_round(world, participants, round_no: int, errors: list[BaseException],
               created: list[int], singles: list[int]) -> None:  # fmt: skip
    n_threads = LOADS + 1
    barrier = threading.Barrier(n_threads)
    lock = threading.Lock()

    def bulk(i: int) -> None:
        order = participants if i % 2 == 0 else participants[::-1]
        try:
            labs = _labs(order, 30 + i)
            barrier.wait(30)
            with transaction.atomic():
                with connection.cursor() as c:  # a wait this long is a hang: fail, do not hang
                    c.execute("SET LOCAL lock_timeout = '30s'")
                audited_bulk_create(labs, user=world.system, reason=f"round {round_no}")
            with lock:
                created.extend(lab.pk for lab in labs)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def single() -> None:
        """Creates and corrections at every site, in the opposite order of the first load."""
        try:
            barrier.wait(30)
            for p in participants[::-1]:
                lab = m.LabResult(participant=p, collection_date=date(2026, 2, 2), test="ALT",
                                  value=20, unit="U/L", uln=40)  # fmt: skip
                lab.save(user=world.system)
                lab.value = 21
                lab.save(user=world.system, reason="transcription corrected")
                with lock:
                    singles.append(lab.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=bulk, args=(i,)) for i in range(LOADS)]
    threads.append(threading.Thread(target=single))
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a load still waits after 120 s"


def test_parallel_multi_site_bulk_loads_in_opposite_site_orders_never_deadlock(world):
    site_c = Site.objects.create(code="c", name="Site C", country="JP")
    pc = world.participant("MINI-C-001", site_c)
    participants = [world.pa, world.pb, pc]
    events_before = AuditEvent.objects.count()
    errors: list[BaseException] = []
    created: list[int] = []
    singles: list[int] = []
    for round_no in range(ROUNDS):
        _run_round(world, participants, round_no, errors, created, singles)
        assert not errors, f"round {round_no}: {errors!r}"

    expected_bulk = ROUNDS * LOADS * PER_SITE * len(participants)
    expected_single = ROUNDS * len(participants)
    assert len(created) == len(set(created)) == expected_bulk
    assert len(singles) == expected_single
    assert m.LabResult.objects.count() == expected_bulk + expected_single
    # one create event per bulk record; create + update per single save; nothing else
    creates = set(AuditEvent.objects.filter(model="capture.labresult", action="create")
                  .values_list("object_pk", flat=True))  # fmt: skip
    assert creates == {str(pk) for pk in created + singles}
    updates = list(AuditEvent.objects.filter(model="capture.labresult", action="update")
                   .values_list("object_pk", flat=True))  # fmt: skip
    assert sorted(updates) == sorted(str(pk) for pk in singles)
    assert AuditEvent.objects.count() == events_before + expected_bulk + 2 * expected_single
    for p in participants:
        seqs = list(AuditEvent.objects.filter(chain=p.site_id).order_by("seq")
                    .values_list("seq", flat=True))  # fmt: skip
        assert seqs == list(range(1, len(seqs) + 1))
        assert AuditChain.objects.get(key=p.site_id).seq == len(seqs)
    report = verify()
    assert report.ok, report.broken
    assert verify_in_python().ok
