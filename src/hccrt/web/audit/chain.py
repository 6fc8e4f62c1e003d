"""Hash chain of the audit store: append an event, verify the whole chain.

``digest`` is SHA-256 of the previous hash and the event's fields joined by the ASCII record
separator, with the timestamp in UTC to the microsecond. Appends are serialized so the chain
is linear: on PostgreSQL by a transaction-scoped advisory lock taken before any row lock of
the audited save (so two saves cannot deadlock); on SQLite by the database write lock that
every audited transaction takes first (``BEGIN IMMEDIATE``, see settings).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connections

GENESIS = "0" * 64
_LOCK_KEY = 0x6863637274  # "hccrt"
_SEP = "\x1e"


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


def digest(
    prev_hash: str, at: datetime, user_id: int | None, username: str, action: str, model: str,
    object_pk: str, site_id: int | None, participant_id: int | None, version: int,
    changes: str, reason: str,
) -> str:  # fmt: skip
    text = _SEP.join((
        prev_hash, timestamp_text(at), "" if user_id is None else str(user_id), username,
        action, model, object_pk, "" if site_id is None else str(site_id),
        "" if participant_id is None else str(participant_id), str(version), changes, reason,
    ))  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def lock_chain(using: str = "default", close_guard: bool = False) -> None:
    """Serialize audit appends until the end of the current transaction (PostgreSQL);
    ``close_guard`` also closes the audited-write flag in the same statement."""
    conn = connections[using]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            if close_guard:
                cursor.execute("SELECT set_config('hccrt.audit', 'off', true), "
                               "pg_advisory_xact_lock(%s)", [_LOCK_KEY])  # fmt: skip
            else:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def append(
    *, user: Any, action: str, model: str, object_pk: Any, site_id: int | None,
    participant_id: int | None, version: int, changes: dict[str, Any], reason: str,
    using: str = "default",
) -> Any:  # fmt: skip
    """Append one event (call inside the audited transaction, after :func:`lock_chain`)."""
    from django.utils import timezone

    from hccrt.web.audit.models import AuditEvent

    last = AuditEvent.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
    prev = last or GENESIS
    at = timezone.now()
    user_id = getattr(user, "pk", None) if user is not None else None
    username = getattr(user, "username", None) or "system"
    changes_text = canonical_json(changes)
    pk_text = str(object_pk)
    h = digest(prev, at, user_id, username, action, model, pk_text, site_id, participant_id,
               version, changes_text, reason)  # fmt: skip
    event = AuditEvent(
        at=at, user_id=user_id, username=username, action=action, model=model,
        object_pk=pk_text, site_id=site_id, participant_id=participant_id, version=version,
        changes=changes_text, reason=reason, prev_hash=prev, hash=h,
    )  # fmt: skip
    event.save(using=using)
    return event


@dataclass
class VerifyReport:
    events: int = 0
    seconds: float = 0.0
    broken: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


_PG_VERIFY = r"""
SELECT count(*) OVER () AS events, id, link_ok, hash_ok FROM (
  SELECT id,
    prev_hash = coalesce(lag(hash) OVER (ORDER BY id), %s) AS link_ok,
    encode(sha256(convert_to(concat_ws(E'', prev_hash,
      to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      coalesce(user_id::text, ''), username, action, model, object_pk,
      coalesce(site_id::text, ''), coalesce(participant_id::text, ''), version::text,
      changes, reason), 'UTF8')), 'hex') = hash AS hash_ok
  FROM audit_auditevent
) v
"""


def _verify_postgresql(using: str, limit: int) -> VerifyReport:
    """The same recomputation done by the database in one pass (SHA-256 in PostgreSQL 11+)."""
    t0 = time.perf_counter()
    report = VerifyReport()
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        report.events = cursor.fetchone()[0]
        cursor.execute(f"SELECT id, link_ok, hash_ok FROM ({_PG_VERIFY}) w "
                       "WHERE NOT (link_ok AND hash_ok) ORDER BY id LIMIT %s",
                       [GENESIS, limit])  # fmt: skip
        for event_id, link_ok, hash_ok in cursor.fetchall():
            if not link_ok:
                report.broken.append((event_id, "prev_hash does not link to the previous "
                                                "event"))  # fmt: skip
            if not hash_ok:
                report.broken.append((event_id, "hash does not match the event's content "
                                                "(altered)"))  # fmt: skip
    report.broken = report.broken[:limit]
    report.seconds = time.perf_counter() - t0
    return report


def verify(using: str = "default", limit: int = 100, chunk: int = 20000) -> VerifyReport:
    """Recompute every hash and link in id order; report the first ``limit`` problems.

    On PostgreSQL the database recomputes (one pass, no rows shipped); elsewhere Python does.
    Both follow :func:`digest` exactly (a test checks that they agree).
    """
    if connections[using].vendor == "postgresql":
        return _verify_postgresql(using, limit)
    return verify_in_python(using, limit, chunk)


def verify_in_python(using: str = "default", limit: int = 100, chunk: int = 20000
                     ) -> VerifyReport:  # fmt: skip
    from hccrt.web.audit.models import AuditEvent

    t0 = time.perf_counter()
    report = VerifyReport()
    prev = GENESIS
    cols = ("id", "prev_hash", "hash", "at", "user_id", "username", "action", "model",
            "object_pk", "site_id", "participant_id", "version", "changes", "reason")  # fmt: skip
    rows = AuditEvent.objects.using(using).order_by("id").values_list(*cols)
    sha = hashlib.sha256
    for (i, ph, h, at, uid, un, act, mod, opk, sid, pid, ver, ch, rs) in rows.iterator(chunk):
        report.events += 1
        if ph != prev and len(report.broken) < limit:
            report.broken.append((i, f"prev_hash does not link to the previous event "
                                     f"(expected {prev[:12]}..., found {ph[:12]}...)"))
        text = _SEP.join((
            ph, timestamp_text(at), "" if uid is None else str(uid), un, act, mod, opk,
            "" if sid is None else str(sid), "" if pid is None else str(pid), str(ver), ch, rs,
        ))  # fmt: skip
        if sha(text.encode()).hexdigest() != h and len(report.broken) < limit:
            report.broken.append((i, "hash does not match the event's content (altered)"))
        prev = h
    report.seconds = time.perf_counter() - t0
    return report
