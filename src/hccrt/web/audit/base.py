"""The base of every trial-data model: audited save, versions, soft delete only.

``AuditedModel.save()`` is the only way a row of trial data is written (with
:func:`hccrt.web.audit.bulk.audited_bulk_create` for loaders). Inside one transaction it takes
its site's audit-chain lock (updates), locks the stored row, refuses a stale version
(:class:`StaleVersionError`, HTTP 409 in the API), validates through the model's ``clean()``
(which calls the clinical core), requires a reason for any change after the first save,
increments ``version``, writes the row with the database guard open and appends the audit
event. ``QuerySet.update()``, ``delete()``, ``bulk_create()`` and ``bulk_update()`` raise
:class:`AuditBypassError`; raw SQL is refused by the database triggers (:mod:`.guard`).

Who and why come from keyword arguments of ``save()`` or from :func:`audit_context`
(``with audit_context(user, reason): ...``), which the API and the records bridge set.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction

from hccrt.errors import HccrtError, InputError
from hccrt.web.audit import chain
from hccrt.web.audit.guard import open_audited_path, open_in_insert


class AuditBypassError(HccrtError):
    """An operation would change trial data without an audit event."""


class StaleVersionError(HccrtError):
    """The record changed since the version the caller edited."""

    def __init__(self, model: str, pk: Any, submitted: int, current: int) -> None:
        self.model, self.pk, self.submitted, self.current = model, pk, submitted, current
        super().__init__(
            f"{model} {pk}: version {submitted} is stale; the stored version is {current}"
        )


@dataclass(frozen=True)
class AuditContext:
    user: Any = None
    reason: str = ""


_NO_CONTEXT = AuditContext()
_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "hccrt_audit_context", default=_NO_CONTEXT
)


@contextmanager
def audit_context(user: Any = None, reason: str = "") -> Iterator[AuditContext]:
    token = _context.set(AuditContext(user, reason or ""))
    try:
        yield _context.get()
    finally:
        _context.reset(token)


REASON_RULE = "a reason for the change (required for any change after the first save)"


class AuditedQuerySet(models.QuerySet):
    def alive(self) -> AuditedQuerySet:
        return self.filter(is_deleted=False)

    def for_user(self, user: Any, resource: str, op: str = "read") -> AuditedQuerySet:
        """Rows ``user`` may ``op`` ('read'/'write') as ``resource`` (roles, sites, reader)."""
        from hccrt.web.capture.access import scope

        return scope(self, user, resource, op)

    def update(self, **kwargs: Any) -> int:
        raise AuditBypassError(
            f"{self.model._meta.label}: QuerySet.update() bypasses the audit trail; "
            "save each record (with a reason)"
        )

    def delete(self) -> Any:
        raise AuditBypassError(f"{self.model._meta.label}: trial data is never deleted; "
                               "use soft_delete(reason)")  # fmt: skip

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditBypassError(f"{self.model._meta.label}: bulk_create() bypasses the audit "
                               "trail")  # fmt: skip

    def bulk_update(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditBypassError(f"{self.model._meta.label}: bulk_update() bypasses the audit "
                               "trail")  # fmt: skip


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)

_NOT_AUDITED = frozenset({"version", "created_at", "updated_at"})


_INSERTS: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]] | None] = {}


def _insert_statement(model: type[models.Model], conn: Any, fields: list[models.Field],
                      returning_fields: list[models.Field], obj: models.Model
                      ) -> tuple[str, tuple[Any, ...]] | None:  # fmt: skip
    """``INSERT INTO t (cols) VALUES (...) [RETURNING ...]`` for ``fields`` (cached), or None
    when the ORM must build it: a field with its own placeholder, an SQL expression other
    than a RawSQL, return values the ORM would convert, or a backend returning nothing."""
    from django.db.models.expressions import RawSQL

    raw_sql: list[str | None] = []
    for f in fields:
        value = getattr(obj, f.attname, None)
        if hasattr(value, "resolve_expression"):
            if type(value) is not RawSQL:
                return None
            raw_sql.append(value.sql)
        else:
            raw_sql.append(None)
    key = (model, conn.alias, conn.vendor, tuple(f.attname for f in fields), tuple(raw_sql),
           tuple(f.attname for f in returning_fields))  # fmt: skip
    if key in _INSERTS:
        return _INSERTS[key]
    statement: tuple[str, tuple[Any, ...]] | None = None
    table = model._meta.db_table
    ok = all(not hasattr(f, "get_placeholder") for f in fields) and all(
        not conn.ops.get_db_converters(f.get_col(table))
        and not f.get_col(table).get_db_converters(conn) for f in returning_fields)
    if ok and (not returning_fields or conn.features.can_return_columns_from_insert
               or (len(returning_fields) == 1
                   and isinstance(returning_fields[0], models.AutoField))):
        qn = conn.ops.quote_name
        values = ", ".join("%s" if s is None else s for s in raw_sql)
        sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(f.column) for f in fields)}) "
               f"VALUES ({values})")
        returning_params: tuple[Any, ...] = ()
        if returning_fields and conn.features.can_return_columns_from_insert:
            clause, returning_params = conn.ops.return_insert_columns(returning_fields)
            sql += f" {clause}"
        statement = (sql, tuple(returning_params))
    _INSERTS[key] = statement
    return statement


class AuditedModel(models.Model):
    version = models.PositiveIntegerField(default=0, editable=False)
    is_deleted = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        abstract = True

    # -- what the audit event is filed under (overridden by Participant)
    def audit_participant_id(self) -> int | None:
        return getattr(self, "participant_id", None)

    def audit_site_id(self) -> int | None:
        participant = getattr(self, "participant", None)
        return participant.site_id if participant is not None else None

    def audited_fields(self) -> list[models.Field]:
        return [f for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in _NOT_AUDITED]  # fmt: skip

    def save(  # type: ignore[override]
        self, *args: Any, user: Any = None, reason: str | None = None,
        action: str | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        ctx = _context.get()
        user = user if user is not None else ctx.user
        reason = (reason if reason is not None else ctx.reason).strip()
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        fields = self.audited_fields()
        with transaction.atomic(using=using):
            adding = self._state.adding
            if adding:
                self._validate()
            else:
                # an update takes its site's chain lock before its row lock, so every
                # transaction that holds a trial row lock holds that chain's lock: one lock
                # order, no deadlock. A create locks no existing row (PostgreSQL checks
                # Django's deferred foreign keys at commit) and queues on the chain only in
                # its append, after its insert, which keeps the serialized part short.
                chain.lock_chain(using, chain=self.audit_site_id())
            old: dict[str, Any] | None = None
            if not adding:
                old = (type(self)._base_manager.using(using).select_for_update()
                       .filter(pk=self.pk).values("version", *(f.attname for f in fields))
                       .first())  # fmt: skip
                if old is None:
                    raise StaleVersionError(self._meta.label_lower, self.pk, self.version, 0)
                if old["version"] != self.version:
                    raise StaleVersionError(self._meta.label_lower, self.pk, self.version,
                                            old["version"])  # fmt: skip
                self._validate()
            changes: dict[str, list[Any]] = {}
            for f in fields:
                new = getattr(self, f.attname)
                before = None if old is None else old[f.attname]
                if adding:
                    if new is not None and new != "":
                        changes[f.attname] = [None, new]
                elif before != new:
                    changes[f.attname] = [before, new]
            if not adding and not changes:
                return  # nothing changed: nothing to write or audit
            if action is None:
                action = "create" if adding else "update"
            if not adding and not reason:
                raise InputError("reason", reason, REASON_RULE)
            previous = self.version
            self.version = 1 if adding else old["version"] + 1  # type: ignore[index]
            conn = connections[using]
            try:
                if adding and conn.vendor == "postgresql":
                    # the guard flag is opened inside the INSERT (no round trip of its own)
                    # and closed by the append below
                    self.version = open_in_insert(1)  # type: ignore[assignment]
                    super().save(*args, **kwargs)
                    self.version = 1
                else:
                    with open_audited_path(conn, reset=not adding):
                        super().save(*args, **kwargs)
            except Exception:
                self.version = previous
                raise
            # a create's append also closes the guard flag (same statement, PostgreSQL)
            chain.append(
                user=user, action=action, model=self._meta.label_lower, object_pk=self.pk,
                site_id=self.audit_site_id(), participant_id=self.audit_participant_id(),
                version=self.version, changes=changes, reason=reason, using=using,
                close_guard=adding,
            )  # fmt: skip
            self.after_audited_save(action, user)

    def _do_insert(self, manager: Any, using: str, fields: list[models.Field],
                   returning_fields: list[models.Field], raw: bool) -> Any:  # fmt: skip
        """Django's INSERT of a new row (``Model._save_table`` calls this), with the
        statement's text built once per model and column set instead of by the ORM's
        compiler on every save (a tenth of an API save's CPU); the values go through the same
        ``pre_save`` and ``get_db_prep_save`` as the compiler's. A value that is an SQL
        expression (the guard flag opened inside the INSERT) is placed as its SQL. Anything
        unusual (raw saves, custom placeholders, converted return values) takes the ORM."""
        conn = connections[using]
        statement = None if raw else _insert_statement(type(self), conn, fields,
                                                       returning_fields, self)  # fmt: skip
        if statement is None:
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        sql, returning_params = statement
        params: list[Any] = []
        for f in fields:
            value = f.pre_save(self, True)
            if hasattr(value, "resolve_expression"):
                params.extend(value.params)  # a RawSQL, as _insert_statement checked
            else:
                params.append(f.get_db_prep_save(value, connection=conn))
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            if not returning_fields:
                return []
            if conn.features.can_return_columns_from_insert:
                return [conn.ops.fetch_returned_insert_columns(cursor, returning_params)]
            return [(conn.ops.last_insert_id(cursor, self._meta.db_table,
                                             returning_fields[0].column),)]  # fmt: skip

    def _validate(self) -> None:
        """Field validation and ``clean()`` (the core); a foreign key whose object was loaded
        from the database is not looked up again."""
        exclude = [f.name for f in self._meta.concrete_fields
                   if f.is_relation and f.is_cached(self)
                   and getattr(f.get_cached_value(self), "pk", None) is not None]  # fmt: skip
        self.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)

    def after_audited_save(self, action: str, user: Any) -> None:
        """Hook run inside the save's transaction (edit checks, schedule); no-op here."""

    def soft_delete(self, reason: str, user: Any = None) -> None:
        """Mark the record deleted (kept, audited); a reason is required."""
        if self.is_deleted:
            return
        self.is_deleted = True
        self.save(user=user, reason=reason, action="delete")

    def restore(self, reason: str, user: Any = None) -> None:
        if not self.is_deleted:
            return
        self.is_deleted = False
        self.save(user=user, reason=reason, action="restore")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditBypassError(f"{self._meta.label}: trial data is never deleted; "
                               "use soft_delete(reason)")  # fmt: skip
