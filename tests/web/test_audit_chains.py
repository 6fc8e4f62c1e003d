"""Per-site audit hash chains: tamper detection names the chain and position, chains of
different sites do not wait for each other, and events written before per-site chains (the
original single chain) still verify.

The expected hashes are recomputed here from the published definition of SHA-256 (Python's
hashlib, FIPS 180-4) over the documented field layout, independently of the code under test.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, connections

from hccrt.web.audit.chain import GENESIS, verify, verify_in_python
from hccrt.web.audit.models import AuditChain, AuditEvent
from hccrt.web.capture import models as m

pytestmark = [pytest.mark.database, pytest.mark.django_db]
ON_POSTGRES = os.environ.get("HCCRT_DATABASE_URL", "").startswith("postgres")


def _sha(prev: str, fields: list[str]) -> str:
    """SHA-256 of the previous hash and the fields, joined by the ASCII record separator."""
    return hashlib.sha256("\x1e".join([prev, *fields]).encode()).hexdigest()


def _vitals(participant, user, day: int = 1):
    v = m.VitalSigns(participant=participant, assessment_date=date(2026, 2, day), weight_kg=70)
    v.save(user=user)
    return v


def _disable_guard(cursor) -> None:
    """What an attacker with DDL rights does first."""
    if connection.vendor == "postgresql":
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER hccrt_append_only")
    else:
        cursor.execute('DROP TRIGGER "hccrt_append_only_audit_auditevent_update"')
        cursor.execute('DROP TRIGGER "hccrt_append_only_audit_auditevent_delete"')


def _problems(report) -> dict[int, str]:
    out: dict[int, str] = {}
    for event_id, problem in report.broken:
        out[event_id] = out.get(event_id, "") + problem
    return out


def _kinds(report):
    return [(i, p.split(":")[0], "altered" in p) for i, p in report.broken]


def test_each_site_has_its_own_linear_chain(world):
    coordinator = world.users["site_coordinator"]
    for day in (1, 2, 3):
        _vitals(world.pa, coordinator, day)
    _vitals(world.pb, world.system)
    report = verify()
    assert report.ok, report.broken
    assert report.events == AuditEvent.objects.count()
    for site in (world.site_a, world.site_b):
        events = list(AuditEvent.objects.filter(chain=site.pk).order_by("seq"))
        assert events and all(e.site_id == site.pk for e in events)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        prev = GENESIS
        for e in events:  # recompute every link from the documented layout
            fields = [e.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                      "" if e.user_id is None else str(e.user_id), e.username, e.action,
                      e.model, e.object_pk, str(e.site_id), str(e.participant_id),
                      str(e.version), e.changes, e.reason]  # fmt: skip
            assert e.prev_hash == prev and e.hash == _sha(prev, fields)
            prev = e.hash
        head = AuditChain.objects.get(key=site.pk)
        assert (head.seq, head.head) == (events[-1].seq, events[-1].hash)
    # ids stay one global order across chains (the change feed's order)
    ids = list(AuditEvent.objects.values_list("id", flat=True))
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_tampering_is_reported_with_chain_and_position(world):
    coordinator = world.users["site_coordinator"]
    a = [_vitals(world.pa, coordinator, day) for day in (1, 2, 3)]
    _vitals(world.pb, world.system, 1)
    _vitals(world.pb, world.system, 2)
    assert verify().ok
    chain_a = list(AuditEvent.objects.filter(chain=world.site_a.pk).order_by("seq"))
    chain_b = list(AuditEvent.objects.filter(chain=world.site_b.pk).order_by("seq"))
    altered = chain_b[-1]
    removed = next(e for e in chain_a if e.object_pk == str(a[1].pk))
    follower = chain_a[chain_a.index(removed) + 1]
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = %s",
                       [altered.pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])
    report = verify()
    assert _kinds(verify_in_python()) == _kinds(report)  # the database path agrees with Python
    problems = _problems(report)
    where_b = f"chain site {world.site_b.pk}, position {altered.seq}"
    assert where_b in problems[altered.pk] and "altered" in problems[altered.pk]
    where_a = f"chain site {world.site_a.pk}, position {removed.seq}"  # the follower moved up
    assert where_a in problems[follower.pk]
    assert "prev_hash does not link" in problems[follower.pk]
    assert "out of sequence" in problems[follower.pk]
    assert "altered" not in problems[follower.pk]
    # nothing else is reported: the other events of both chains are intact
    assert set(problems) == {altered.pk, follower.pk}


def test_an_event_forged_at_the_end_of_a_chain_is_caught_by_the_head(world):
    _vitals(world.pa, world.system)
    last = AuditEvent.objects.filter(chain=world.site_a.pk).order_by("-seq").first()
    at = datetime(2026, 3, 1, tzinfo=UTC)
    fields = [at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "", "intruder", "create",
              "capture.vitalsigns", "999", str(world.site_a.pk), str(world.pa.pk), "1",
              '{"weight_kg":[null,99]}', ""]  # fmt: skip
    forged = AuditEvent(at=at, username="intruder", action="create", model="capture.vitalsigns",
                        object_pk="999", site_id=world.site_a.pk, participant_id=world.pa.pk,
                        version=1, changes='{"weight_kg":[null,99]}', reason="",
                        chain=world.site_a.pk, seq=last.seq + 1, prev_hash=last.hash,
                        hash=_sha(last.hash, fields))  # a correctly linked forgery
    forged.save()
    report = verify()
    assert _kinds(verify_in_python()) == _kinds(report)
    assert len(report.broken) == 1, report.broken
    assert f"chain site {world.site_a.pk}: the head is at position {last.seq}" \
        in report.broken[0][1]


def test_an_event_moved_to_another_sites_chain_is_reported(world):
    _vitals(world.pa, world.system)
    head_b = AuditChain.objects.get(key=world.site_b.pk)
    event = AuditEvent.objects.filter(chain=world.site_a.pk).order_by("-seq").first()
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute("UPDATE audit_auditevent SET chain = %s, seq = %s WHERE id = %s",
                       [world.site_b.pk, head_b.seq + 1, event.pk])
    report = verify()
    assert _kinds(verify_in_python()) == _kinds(report)
    problems = _problems(report)
    assert "another site's chain" in problems[event.pk]


def test_events_written_before_per_site_chains_still_verify(world):
    """A database created before migration 0003 holds one global chain (``chain`` empty),
    hashed with the same layout; it keeps verifying next to the new per-site chains."""
    prev = GENESIS
    old = []
    t0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    for k in range(4):
        at = t0 + timedelta(minutes=k)
        site = (world.site_a, world.site_b)[k % 2]
        changes = f'{{"weight_kg":[null,{60 + k}]}}'
        fields = [at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "", "system", "create",
                  "capture.vitalsigns", str(100 + k), str(site.pk), "", "1", changes, ""]
        h = _sha(prev, fields)
        old.append(AuditEvent(at=at, username="system", action="create",
                              model="capture.vitalsigns", object_pk=str(100 + k),
                              site_id=site.pk, participant_id=None, version=1,
                              changes=changes, reason="", prev_hash=prev, hash=h))
        prev = h
    AuditEvent.objects.bulk_create(old)
    _vitals(world.pa, world.system)
    report = verify()
    assert report.ok, report.broken
    assert report.chains == 3  # the original chain, site a, site b
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [old[2].pk])
    report = verify()
    assert _kinds(verify_in_python()) == _kinds(report)
    assert len(report.broken) == 1
    assert report.broken[0][0] == old[2].pk
    assert "chain original (events before per-site chains), position 3" in report.broken[0][1]


def test_a_chain_head_only_moves_forward_and_is_never_deleted(world):
    from django.db import DatabaseError, transaction

    key = world.site_a.pk
    for sql in ("UPDATE audit_auditchain SET seq = seq - 1 WHERE key = %s",
                "DELETE FROM audit_auditchain WHERE key = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [key])
    assert verify().ok


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks and parallel connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_chains_of_two_sites_do_not_wait_for_each_other(world):
    """A transaction holding site A's chain does not block a save at site B; a second save at
    site A waits for it (lock_timeout makes waiting an error instead of a hang)."""
    from django.db import OperationalError, transaction

    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_site_a() -> None:
        try:
            with transaction.atomic():
                _vitals(world.pa, world.system, 5)
                holding.set()
                release.wait(30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            holding.set()
            connections.close_all()

    def save_with_timeout(participant) -> BaseException | None:
        try:
            with transaction.atomic():
                with connection.cursor() as c:
                    c.execute("SET LOCAL lock_timeout = '2s'")
                _vitals(participant, world.system, 6)
            return None
        except OperationalError as exc:
            return exc
        finally:
            connections.close_all()

    t = threading.Thread(target=hold_site_a)
    t.start()
    holding.wait(30)
    result: dict[str, BaseException | None] = {}
    for name, p in (("b", world.pb), ("a", world.pa)):
        worker = threading.Thread(target=lambda n=name, p=p: result.__setitem__(
            n, save_with_timeout(p)))
        worker.start()
        worker.join()
    release.set()
    t.join()
    assert not errors, errors
    assert result["b"] is None  # site B saved while site A's chain was held
    assert result["a"] is not None and "lock" in str(result["a"]).lower()
    report = verify()
    assert report.ok, report.broken


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks and parallel connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_at_two_sites_keep_both_chains_intact(world):
    n_threads, per_thread = 6, 8
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        participant = (world.pa, world.pb)[i % 2]
        try:
            barrier.wait(10)
            for k in range(per_thread):
                lab = m.LabResult(participant=participant, collection_date=date(2026, 2, 1),
                                  test="ALT", value=30 + i + k, unit="U/L", uln=40)
                lab.save(user=world.system)
                if k % 3 == 0:
                    lab.value += 1
                    lab.save(user=world.system, reason="corrected")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    report = verify()
    assert report.ok, report.broken
    assert m.LabResult.objects.count() == n_threads * per_thread
    for site in (world.site_a, world.site_b):
        seqs = list(AuditEvent.objects.filter(chain=site.pk).order_by("seq")
                    .values_list("seq", flat=True))  # fmt: skip
        assert seqs == list(range(1, len(seqs) + 1))
        assert AuditChain.objects.get(key=site.pk).seq == len(seqs)
    assert verify_in_python().ok


@pytest.mark.skipif(not ON_POSTGRES, reason="parallel transactions: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_change_feed_never_skips_an_event_committed_late(world):
    """Site A's save holds its transaction open after drawing a lower event id than site B's
    save, which commits first: the feed (paged by id) must not show B's event before A's."""
    from django.db import transaction
    from rest_framework.test import APIClient

    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_site_a() -> None:
        try:
            with transaction.atomic():
                _vitals(world.pa, world.system, 7)
                holding.set()
                release.wait(30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            holding.set()
            connections.close_all()

    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    t = threading.Thread(target=hold_site_a)
    t.start()
    holding.wait(30)
    late_b = _vitals(world.pb, world.system, 7)  # committed, with a higher id than A's event
    client = APIClient()
    client.force_authenticate(world.users["data_manager"])
    seen = [e["id"] for e in client.get("/api/v1/changes/").json()["results"]]
    b_event = AuditEvent.objects.get(model="capture.vitalsigns", object_pk=str(late_b.pk))
    assert b_event.id not in seen  # held back while A's transaction is open
    assert all(i <= before for i in seen)
    release.set()
    t.join()
    assert not errors, errors
    seen = [e["id"] for e in client.get("/api/v1/changes/").json()["results"]]
    a_event = AuditEvent.objects.get(model="capture.vitalsigns", participant_id=world.pa.pk,
                                     chain=world.site_a.pk, action="create",
                                     id__gt=before)  # fmt: skip
    assert a_event.id < b_event.id
    assert seen.index(a_event.id) < seen.index(b_event.id)


@pytest.mark.skipif(not ON_POSTGRES, reason="schema migrations inside a test: PostgreSQL "
                    "(SQLite cannot alter tables inside the test's transaction, and its flush "
                    "after a transactional test is refused by the guard triggers)")
@pytest.mark.django_db(transaction=True)
def test_a_database_created_before_per_site_chains_migrates_and_verifies():
    """Migrate the audit app back to 0002 (one global chain), write events the way the code
    before per-site chains wrote them, migrate forward (0003): the old events verify as the
    original chain, new saves go to site chains, and tampering with an old event is found."""
    from django.db.migrations.executor import MigrationExecutor

    from tests.web.conftest import World

    def migrate(target: str) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([("audit", target)])

    migrate("0002_append_only")
    try:
        with connection.cursor() as cursor:
            cols = [c.name for c in connection.introspection.get_table_description(
                cursor, "audit_auditevent")]
            assert "chain" not in cols and "seq" not in cols
            prev = GENESIS
            t0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
            for k in range(5):  # the old append: previous = the last event in id order
                at = t0 + timedelta(minutes=k)
                changes = f'{{"weight_kg":[null,{60 + k}]}}'
                site = str(1 + k % 2)
                fields = [at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "", "system", "create",
                          "capture.vitalsigns", str(500 + k), site, "", "1", changes, ""]
                h = _sha(prev, fields)
                cursor.execute(
                    "INSERT INTO audit_auditevent (at, user_id, username, action, model, "
                    "object_pk, site_id, participant_id, version, changes, reason, prev_hash, "
                    "hash) VALUES (%s, NULL, 'system', 'create', 'capture.vitalsigns', %s, %s, "
                    "NULL, 1, %s, '', %s, %s)",
                    [connection.ops.adapt_datetimefield_value(at), str(500 + k), int(site),
                     changes, prev, h])  # fmt: skip
                prev = h
    finally:
        migrate("0003_per_site_chains")
    old_ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert len(old_ids) == 5
    assert set(AuditEvent.objects.values_list("chain", "seq")) == {(None, None)}
    report = verify()
    assert report.ok and report.events == 5 and report.chains == 1, report.broken
    world = World()  # sites, users and two participants: new events, per-site chains
    _vitals(world.pa, world.system)
    report = verify()
    assert report.ok, report.broken
    assert report.chains == 3  # the original chain and sites a and b
    assert verify_in_python().ok
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [old_ids[3]])
    report = verify()
    assert _kinds(verify_in_python()) == _kinds(report)
    assert [i for i, _ in report.broken] == [old_ids[3]]
    assert "chain original (events before per-site chains), position 4" in report.broken[0][1]
