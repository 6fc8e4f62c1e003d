"""Hash chains of the audit store: append events (one or many), verify every chain.

``digest`` is SHA-256 of the previous hash and the event's fields joined by the ASCII record
separator, with the timestamp in UTC to the microsecond.

Events are chained per site (:class:`hccrt.web.audit.models.AuditChain`, key = site id, 0 for
events of no site): an append locks only its chain's head row, so saves at different sites
run in parallel, while each chain stays linear (``seq`` 1, 2, ...). On PostgreSQL one
statement advances the head (``UPDATE ... RETURNING``, which waits for the row lock and then
reads the committed head), computes the hash in the database and inserts the event; on SQLite
every audited transaction holds the database write lock (``BEGIN IMMEDIATE``, see settings),
and Python computes the same digest. Events written before per-site chains (``chain`` empty)
form the original single chain in ``id`` order and are verified as before.

Lock order: an update takes its chain lock (:func:`lock_chain`) before any row lock, a
create appends (locks the chain) after its insert, which locks no existing row; several
chains in one transaction (a bulk load) are locked in ascending key order.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections

GENESIS = "0" * 64
_SEP = "\x1e"
NO_SITE_CHAIN = 0


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default,
                      ensure_ascii=False)  # fmt: skip


def timestamp_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _tail(
    at: datetime, user_id: int | None, username: str, action: str, model: str, object_pk: str,
    site_id: int | None, participant_id: int | None, version: int, changes: str, reason: str,
) -> str:  # fmt: skip
    """Everything the digest covers after the previous hash, with its leading separator."""
    return _SEP + _SEP.join((
        timestamp_text(at), "" if user_id is None else str(user_id), username, action, model,
        object_pk, "" if site_id is None else str(site_id),
        "" if participant_id is None else str(participant_id), str(version), changes, reason,
    ))  # fmt: skip


def digest(
    prev_hash: str, at: datetime, user_id: int | None, username: str, action: str, model: str,
    object_pk: str, site_id: int | None, participant_id: int | None, version: int,
    changes: str, reason: str,
) -> str:  # fmt: skip
    text = prev_hash + _tail(at, user_id, username, action, model, object_pk, site_id,
                             participant_id, version, changes, reason)  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def chain_key(site_id: int | None) -> int:
    """The chain an event of ``site_id`` goes to."""
    return NO_SITE_CHAIN if site_id is None else int(site_id)


def chain_label(chain: int | None) -> str:
    if chain is None:
        return "original (events before per-site chains)"
    return "no site (0)" if chain == NO_SITE_CHAIN else f"site {chain}"


_PG_ENSURE = ("INSERT INTO audit_auditchain (key, seq, head, prev) VALUES (%s, 0, %s, '') "
              "ON CONFLICT (key) DO NOTHING")  # fmt: skip


def lock_chain(using: str = "default", close_guard: bool = False, *,
               chain: int | None = NO_SITE_CHAIN) -> None:  # fmt: skip
    """Hold chain ``chain``'s head until the end of the current transaction, so this
    transaction's appends to it cannot interleave with another's; call it before any row lock
    of an audited update. ``close_guard`` also closes the audited-write flag (PostgreSQL) in
    the same statement. SQLite: no-op (the database write lock serializes transactions)."""
    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    key = chain_key(chain)
    guard = ", set_config('hccrt.audit', 'off', true)" if close_guard else ""
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT key{guard} FROM audit_auditchain WHERE key = %s FOR UPDATE",
                       [key])  # fmt: skip
        if cursor.fetchone() is None:
            cursor.execute(_PG_ENSURE, [key, GENESIS])
            cursor.execute("SELECT key FROM audit_auditchain WHERE key = %s FOR UPDATE", [key])


_PG_APPEND = """
WITH h AS (
  UPDATE audit_auditchain SET seq = seq + 1, prev = head,
    head = encode(sha256(convert_to(head || %s, 'UTF8')), 'hex')
  WHERE key = %s RETURNING seq, prev, head
)
INSERT INTO audit_auditevent (at, user_id, username, action, model, object_pk, site_id,
  participant_id, version, changes, reason, chain, seq, prev_hash, hash)
SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, h.seq, h.prev, h.head FROM h{guard}
RETURNING id, seq, prev_hash, hash
"""
_PG_APPEND_SQL = _PG_APPEND.format(guard="")
_PG_APPEND_CLOSING_SQL = _PG_APPEND.format(
    guard=", (SELECT set_config('hccrt.audit', 'off', true)) g")


def append(
    *, user: Any, action: str, model: str, object_pk: Any, site_id: int | None,
    participant_id: int | None, version: int, changes: dict[str, Any], reason: str,
    using: str = "default", close_guard: bool = False,
) -> Any:  # fmt: skip
    """Append one event to its site's chain (inside the audited transaction).

    PostgreSQL: one statement locks and advances the chain head, hashes and inserts the event
    (``close_guard`` also closes the audited-write flag in it). Returns the stored event.
    """
    from django.utils import timezone

    from hccrt.web.audit.models import AuditChain, AuditEvent

    at = timezone.now()
    user_id = getattr(user, "pk", None) if user is not None else None
    username = getattr(user, "username", None) or "system"
    changes_text = canonical_json(changes)
    pk_text = str(object_pk)
    key = chain_key(site_id)
    event = AuditEvent(
        at=at, user_id=user_id, username=username, action=action, model=model,
        object_pk=pk_text, site_id=site_id, participant_id=participant_id, version=version,
        changes=changes_text, reason=reason, chain=key,
    )  # fmt: skip
    conn = connections[using]
    if conn.vendor == "postgresql":
        tail = _tail(at, user_id, username, action, model, pk_text, site_id, participant_id,
                     version, changes_text, reason)  # fmt: skip
        params = [tail, key, at, user_id, username, action, model, pk_text, site_id,
                  participant_id, version, changes_text, reason, key]  # fmt: skip
        sql = _PG_APPEND_CLOSING_SQL if close_guard else _PG_APPEND_SQL
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            if row is None:  # the chain's first event: create its head, then append
                cursor.execute(_PG_ENSURE, [key, GENESIS])
                cursor.execute(sql, params)
                row = cursor.fetchone()
        event.id, event.seq, event.prev_hash, event.hash = row
        event._state.adding = False
        event._state.db = using
        return event
    head = AuditChain.objects.using(using).filter(key=key).values_list("seq", "head").first()
    if head is None:
        AuditChain.objects.using(using).create(key=key, seq=0, head=GENESIS, prev="")
        head = (0, GENESIS)
    event.seq, event.prev_hash = head[0] + 1, head[1]
    event.hash = digest(head[1], at, user_id, username, action, model, pk_text, site_id,
                        participant_id, version, changes_text, reason)  # fmt: skip
    event.save(using=using)
    AuditChain.objects.using(using).filter(key=key).update(seq=event.seq, prev=event.prev_hash,
                                                           head=event.hash)  # fmt: skip
    return event


@dataclass(frozen=True)
class PendingEvent:
    """One audit event to append with :func:`append_many` (the fields of :func:`append`)."""

    user: Any
    action: str
    model: str
    object_pk: Any
    site_id: int | None
    participant_id: int | None
    version: int
    changes: dict[str, Any]
    reason: str


_EVENT_COLUMNS = ("at", "user_id", "username", "action", "model", "object_pk", "site_id",
                  "participant_id", "version", "changes", "reason", "chain", "seq",
                  "prev_hash", "hash")  # fmt: skip


def _insert_events(conn: Any, events: Sequence[Any], batch_size: int) -> None:
    """INSERT the events with ``executemany`` (the ORM's bulk_create spends most of a bulk
    load preparing values; these are plain values, the timestamp adapted by the backend)."""
    adapt = conn.ops.adapt_datetimefield_value
    sql = (f"INSERT INTO audit_auditevent ({', '.join(_EVENT_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(_EVENT_COLUMNS))})")  # fmt: skip
    with conn.cursor() as cursor:
        for start in range(0, len(events), batch_size):
            cursor.executemany(sql, [
                (adapt(e.at), e.user_id, e.username, e.action, e.model, e.object_pk,
                 e.site_id, e.participant_id, e.version, e.changes, e.reason, e.chain, e.seq,
                 e.prev_hash, e.hash) for e in events[start:start + batch_size]])  # fmt: skip


def append_many(pending: Sequence[PendingEvent], using: str = "default",
                batch_size: int = 2000) -> list[Any]:  # fmt: skip
    """Append many events (inside the audited transaction): per chain, in ascending key
    order, lock the head, hash in Python (the same :func:`digest`), insert in batches and
    move the head once. Events keep their given order within each chain. Returns the events
    (unsaved instances holding the stored values; ``id`` not read back) in the order given."""
    from django.utils import timezone

    from hccrt.web.audit.models import AuditChain, AuditEvent

    by_chain: dict[int, list[int]] = {}
    for i, p in enumerate(pending):
        by_chain.setdefault(chain_key(p.site_id), []).append(i)
    out: list[Any] = [None] * len(pending)
    conn = connections[using]
    for key in sorted(by_chain):
        if conn.vendor == "postgresql":
            lock_chain(using, chain=key)
        head = AuditChain.objects.using(using).filter(key=key).values_list("seq", "head").first()
        if head is None:
            AuditChain.objects.using(using).create(key=key, seq=0, head=GENESIS, prev="")
            head = (0, GENESIS)
        seq, prev = head
        events = []
        for i in by_chain[key]:
            p = pending[i]
            at = timezone.now()
            user_id = getattr(p.user, "pk", None) if p.user is not None else None
            username = getattr(p.user, "username", None) or "system"
            changes_text = canonical_json(p.changes)
            pk_text = str(p.object_pk)
            h = digest(prev, at, user_id, username, p.action, p.model, pk_text, p.site_id,
                       p.participant_id, p.version, changes_text, p.reason)  # fmt: skip
            seq += 1
            event = AuditEvent(
                at=at, user_id=user_id, username=username, action=p.action, model=p.model,
                object_pk=pk_text, site_id=p.site_id, participant_id=p.participant_id,
                version=p.version, changes=changes_text, reason=p.reason, chain=key, seq=seq,
                prev_hash=prev, hash=h,
            )  # fmt: skip
            events.append(event)
            out[i] = event
            last_prev, prev = prev, h
        _insert_events(conn, events, batch_size)
        AuditChain.objects.using(using).filter(key=key).update(seq=seq, prev=last_prev,
                                                               head=prev)  # fmt: skip
    return out


FEED_MARGIN = timedelta(seconds=2)


def feed_horizon(using: str = "default") -> datetime | None:
    """Events with ``at`` before this are final in ``id`` order (None: all are).

    Chains of different sites commit independently, so an event can become visible after one
    with a higher id. On PostgreSQL an event still uncommitted belongs to a writing transaction
    that is open now, and its ``at`` is not earlier than that transaction's start; the change
    feed therefore holds back events from the start of the oldest open writing transaction
    (less a margin for the client's clock step between ``at`` and the insert), so a reader
    paging by ``id`` never skips one. SQLite writes one transaction at a time: no horizon.
    """
    conn = connections[using]
    if conn.vendor != "postgresql":
        return None
    with conn.cursor() as cursor:
        cursor.execute("SELECT min(xact_start) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND backend_xid IS NOT NULL "
                       "AND pid <> pg_backend_pid()")  # fmt: skip
        oldest = cursor.fetchone()[0]
    return None if oldest is None else oldest - FEED_MARGIN


@dataclass
class VerifyReport:
    events: int = 0
    chains: int = 0
    seconds: float = 0.0
    broken: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def _problems(chain: int | None, pos: int, link_ok: bool, hash_ok: bool, seq_ok: bool,
              chain_ok: bool, expected_prev: str | None = None,
              found_prev: str | None = None) -> list[str]:  # fmt: skip
    where = f"chain {chain_label(chain)}, position {pos}: "
    out = []
    if not link_ok:
        detail = "" if expected_prev is None else \
            f" (expected {expected_prev[:12]}..., found {(found_prev or '')[:12]}...)"
        out.append(where + "prev_hash does not link to the previous event" + detail)
    if not hash_ok:
        out.append(where + "hash does not match the event's content (altered)")
    if not seq_ok:
        out.append(where + "position out of sequence (an event removed, inserted or moved)")
    if not chain_ok:
        out.append(where + "event filed in another site's chain (moved)")
    return out


_PG_VERIFY = r"""
SELECT id, chain, pos, link_ok, hash_ok, seq_ok, chain_ok FROM (
  SELECT id, chain, row_number() OVER w AS pos,
    prev_hash = coalesce(lag(hash) OVER w, %s) AS link_ok,
    CASE WHEN chain IS NULL THEN seq IS NULL
         ELSE seq IS NOT DISTINCT FROM row_number() OVER w END AS seq_ok,
    chain IS NULL OR chain = coalesce(site_id, 0) AS chain_ok,
    encode(sha256(convert_to(concat_ws(E'\x1e', prev_hash,
      to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      coalesce(user_id::text, ''), username, action, model, object_pk,
      coalesce(site_id::text, ''), coalesce(participant_id::text, ''), version::text,
      changes, reason), 'UTF8')), 'hex') = hash AS hash_ok
  FROM audit_auditevent
  WINDOW w AS (PARTITION BY chain ORDER BY seq, id)
) v
WHERE NOT (link_ok AND hash_ok AND seq_ok AND chain_ok)
ORDER BY chain NULLS FIRST, pos LIMIT %s
"""


def _check_heads(using: str, report: VerifyReport, limit: int) -> None:
    """Each chain's head must match its last event (a truncated or extended chain, or a
    chain without a head, is reported); also counts events and chains."""
    from django.db.models import Count, Max

    from hccrt.web.audit.models import AuditChain, AuditEvent

    groups = list(AuditEvent.objects.using(using).order_by().values("chain")
                  .annotate(n=Count("id"), top=Max("seq"), last=Max("id")))  # fmt: skip
    report.events = sum(g["n"] for g in groups)
    report.chains = len(groups)
    heads = {c.key: c for c in AuditChain.objects.using(using)}
    seen = set()
    for g in groups:
        key = g["chain"]
        if key is None:
            continue
        seen.add(key)
        head = heads.get(key)
        where = f"chain {chain_label(key)}: "
        if head is None:
            report.broken.append((g["last"], where + "no chain head (head row removed)"))
            continue
        last = (AuditEvent.objects.using(using).filter(chain=key, seq=g["top"])
                .values_list("hash", flat=True).first())  # fmt: skip
        if head.seq != g["top"] or head.head != last:
            report.broken.append((g["last"], where + f"the head is at position {head.seq} but "
                                  f"the last event is at {g['top']} (events removed or added "
                                  "outside the audited path)"))  # fmt: skip
    for key, head in heads.items():
        if key not in seen and head.seq > 0:
            report.broken.append((0, f"chain {chain_label(key)}: the head is at position "
                                     f"{head.seq} but the chain has no events (removed)"))
    report.broken = report.broken[:limit]


def _verify_postgresql(using: str, limit: int) -> VerifyReport:
    """The same recomputation done by the database in one pass (SHA-256 in PostgreSQL 11+)."""
    from django.db import transaction

    t0 = time.perf_counter()
    report = VerifyReport()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(_PG_VERIFY, [GENESIS, limit])
        for event_id, chain, pos, link_ok, hash_ok, seq_ok, chain_ok in cursor.fetchall():
            for problem in _problems(chain, pos, link_ok, hash_ok, seq_ok, chain_ok):
                report.broken.append((event_id, problem))
        _check_heads(using, report, limit)
    report.broken = report.broken[:limit]
    report.seconds = time.perf_counter() - t0
    return report


def verify(using: str = "default", limit: int = 100, chunk: int = 20000) -> VerifyReport:
    """Recompute every hash and link of every chain; report the first ``limit`` problems,
    each naming its chain and position.

    On PostgreSQL the database recomputes (one pass, no rows shipped); elsewhere Python does.
    Both follow :func:`digest` exactly (a test checks that they agree).
    """
    if connections[using].vendor == "postgresql":
        return _verify_postgresql(using, limit)
    return verify_in_python(using, limit, chunk)


def _ordered_rows(using: str, chunk: int) -> Iterable[tuple[Any, ...]]:
    from django.db.models import F

    from hccrt.web.audit.models import AuditEvent

    cols = ("id", "chain", "seq", "prev_hash", "hash", "at", "user_id", "username", "action",
            "model", "object_pk", "site_id", "participant_id", "version", "changes", "reason")
    return (AuditEvent.objects.using(using)
            .order_by(F("chain").asc(nulls_first=True), F("seq").asc(nulls_first=True), "id")
            .values_list(*cols).iterator(chunk))  # fmt: skip


def verify_in_python(using: str = "default", limit: int = 100, chunk: int = 20000
                     ) -> VerifyReport:  # fmt: skip
    t0 = time.perf_counter()
    report = VerifyReport()
    sha = hashlib.sha256
    current: object = object()
    prev, pos = GENESIS, 0
    for (i, chain, seq, ph, h, at, uid, un, act, mod, opk, sid, pid, ver, ch, rs
         ) in _ordered_rows(using, chunk):  # fmt: skip
        if chain != current:
            current, prev, pos = chain, GENESIS, 0
        pos += 1
        text = _SEP.join((
            ph, timestamp_text(at), "" if uid is None else str(uid), un, act, mod, opk,
            "" if sid is None else str(sid), "" if pid is None else str(pid), str(ver), ch, rs,
        ))  # fmt: skip
        link_ok = ph == prev
        hash_ok = sha(text.encode()).hexdigest() == h
        seq_ok = seq is None if chain is None else seq == pos
        chain_ok = chain is None or chain == chain_key(sid)
        if not (link_ok and hash_ok and seq_ok and chain_ok) and len(report.broken) < limit:
            for problem in _problems(chain, pos, link_ok, hash_ok, seq_ok, chain_ok, prev, ph):
                report.broken.append((i, problem))
        prev = h
    _check_heads(using, report, limit)
    report.seconds = time.perf_counter() - t0
    return report
