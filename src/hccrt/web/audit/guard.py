"""Database-level guard: trial tables change only inside the audited save path.

Every audited table carries triggers that refuse INSERT and UPDATE unless the current
transaction has opened the audited path (:func:`open_audited_path`), and refuse DELETE always
(trial data is never hard-deleted). The audit table itself refuses UPDATE and DELETE. So a
bulk ``QuerySet.update()``, ``bulk_create()``, raw SQL from Django or a SQL shell cannot
change trial data without an audit event: it fails.

PostgreSQL: the flag is the transaction-local setting ``hccrt.audit`` (``set_config(...,
true)``), read by a PL/pgSQL trigger function. SQLite: the flag is read through an
application-defined function ``hccrt_audit_on()`` registered on every Django connection; a
connection without it (the sqlite3 shell) cannot write to a guarded table at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()


def _flag() -> int:
    return 1 if getattr(_state, "depth", 0) > 0 else 0


def register_sqlite_function(sender, connection, **kwargs) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        connection.connection.create_function("hccrt_audit_on", 0, _flag)


@contextmanager
def open_audited_path(connection, reset: bool = True) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Allow writes to guarded tables for the duration (must be inside a transaction).

    ``reset=False`` leaves closing the PostgreSQL flag to the caller's next statement
    (:func:`hccrt.web.audit.chain.lock_chain` with ``close_guard=True``), saving a round trip.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('hccrt.audit', 'on', true)")
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
    # closed again at once, so later SQL of the same transaction is guarded again (after an
    # error the enclosing atomic block rolls back, and the setting with it)
    if reset and connection.vendor == "postgresql" and _state.depth == 0:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('hccrt.audit', 'off', true)")


def open_in_insert(value: int) -> Any:
    """An INSERT value (PostgreSQL) that opens the audited path while the row is formed, i.e.
    before the guard trigger reads the flag: the flag travels in the INSERT itself (one round
    trip less per create). The value stored is ``value``; the caller's next statement closes
    the flag (:func:`hccrt.web.audit.chain.append` with ``close_guard=True``)."""
    from django.db.models import PositiveIntegerField
    from django.db.models.expressions import RawSQL

    return RawSQL("(SELECT %s FROM set_config('hccrt.audit', 'on', true))", [value],
                  output_field=PositiveIntegerField())  # fmt: skip


PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION hccrt_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'hccrt: trial data is never deleted (table %); use a soft delete',
      TG_TABLE_NAME;
  END IF;
  IF coalesce(current_setting('hccrt.audit', true), '') <> 'on' THEN
    RAISE EXCEPTION 'hccrt: % changes only through the audited save path', TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION hccrt_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'hccrt: the audit trail is append-only (% refused)', TG_OP;
END $$ LANGUAGE plpgsql;
"""


def guard_sql(vendor: str, table: str) -> list[str]:
    """Statements creating the guard triggers of one trial-data table."""
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS hccrt_guard ON "{table}"',
            f'CREATE TRIGGER hccrt_guard BEFORE INSERT OR UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION hccrt_guard()",
        ]
    if vendor == "sqlite":
        out = []
        for op in ("INSERT", "UPDATE"):
            name = f"hccrt_guard_{table}_{op.lower()}"
            out.append(f'DROP TRIGGER IF EXISTS "{name}"')
            out.append(
                f'CREATE TRIGGER "{name}" BEFORE {op} ON "{table}" WHEN hccrt_audit_on() = 0 '
                f"BEGIN SELECT RAISE(ABORT, 'hccrt: {table} changes only through the audited "
                "save path'); END"
            )
        name = f"hccrt_guard_{table}_delete"
        out.append(f'DROP TRIGGER IF EXISTS "{name}"')
        out.append(
            f'CREATE TRIGGER "{name}" BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, 'hccrt: trial data is never deleted ({table})'); END"
        )
        return out
    raise NotImplementedError(f"audit guard for database vendor {vendor!r}")


def append_only_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f'CREATE TRIGGER hccrt_append_only BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION hccrt_append_only()",
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER "hccrt_append_only_{table}_{op.lower()}" BEFORE {op} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, 'hccrt: the audit trail is append-only'); END"
            for op in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"audit guard for database vendor {vendor!r}")


def install_guards(schema_editor, tables: list[str]) -> None:  # type: ignore[no-untyped-def]
    """For migrations: guard ``tables`` on the migrating database."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
    for table in tables:
        for sql in guard_sql(vendor, table):
            schema_editor.execute(sql, params=None)


def guarded_tables(connection) -> set[str]:  # type: ignore[no-untyped-def]
    """Tables that carry the guard trigger (for tests and ``hccrt audit verify``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'hccrt_guard'"
            )
            return {r[0] for r in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'hccrt_guard_%_update'"
        )
        return {r[0] for r in cursor.fetchall()}


PG_CHAIN_FUNCTION = """
CREATE OR REPLACE FUNCTION hccrt_chain_forward() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'hccrt: an audit chain head is never deleted';
  END IF;
  IF NEW.key <> OLD.key OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION 'hccrt: an audit chain head only moves forward';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


def chain_head_sql(vendor: str, table: str = "audit_auditchain") -> list[str]:
    """Triggers of the chain-head table: a head only moves forward and is never deleted."""
    if vendor == "postgresql":
        return [
            PG_CHAIN_FUNCTION,
            f'CREATE TRIGGER hccrt_chain_forward BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION hccrt_chain_forward()",
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER "hccrt_chain_forward_{table}" BEFORE UPDATE ON "{table}" '
            "WHEN NEW.seq <= OLD.seq OR NEW.key <> OLD.key "
            "BEGIN SELECT RAISE(ABORT, 'hccrt: an audit chain head only moves forward'); END",
            f'CREATE TRIGGER "hccrt_chain_keep_{table}" BEFORE DELETE ON "{table}" '
            "BEGIN SELECT RAISE(ABORT, 'hccrt: an audit chain head is never deleted'); END",
        ]
    raise NotImplementedError(f"audit guard for database vendor {vendor!r}")
