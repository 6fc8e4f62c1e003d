"""The audited bulk path: create many records of one model at once, each validated and audited
exactly as :meth:`hccrt.web.audit.base.AuditedModel.save` would.

``audited_bulk_create(objects, user=..., reason=...)`` (for loaders such as the records
bridge), in one transaction:

1. loads the foreign-key objects the records point at in one query per field (so validation
   does not query per row);
2. validates every object with ``full_clean()`` (the model's ``clean()``, i.e. the clinical
   core) before anything is written; the first invalid object's error is raised with its
   index and nothing is stored;
3. inserts with ``bulk_create`` inside the audited path (the database guard open only for
   the insert), version 1;
4. locks the head of every site chain the objects belong to, in ascending key order
   (:func:`lock_chains`: concurrent loads never deadlock), then appends one audit event per
   object, with the content a single save writes (action ``create``, who, the non-empty
   field values as ``{field: [None, value]}``, site, participant, version 1, reason) to its
   site's hash chain (:func:`hccrt.web.audit.chain.append_many`), in the order given;
5. runs each object's ``after_audited_save`` hook (edit checks, visit schedule), with the
   death dates the edit checks need loaded once for all participants.

The audit events of step 4 come before the events the hooks write (queries opened by edit
checks), whereas single saves interleave them; each chain stays linear and verifiable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction

from hccrt.errors import InputError
from hccrt.web.audit import chain
from hccrt.web.audit.base import AuditedModel, _context
from hccrt.web.audit.guard import open_audited_path

M = TypeVar("M", bound=AuditedModel)


def _load_related(objects: Sequence[AuditedModel], using: str) -> None:
    """Attach each many-to-one target not loaded yet (one query per field); an id that does
    not exist stays unloaded, so validation reports it."""
    model = type(objects[0])
    for f in model._meta.concrete_fields:
        if not (f.is_relation and f.many_to_one):
            continue
        ids = {getattr(o, f.attname) for o in objects
               if getattr(o, f.attname) is not None and not f.is_cached(o)}  # fmt: skip
        if not ids:
            continue
        found = f.related_model._base_manager.using(using).in_bulk(list(ids))
        for o in objects:
            target = found.get(getattr(o, f.attname))
            if target is not None and not f.is_cached(o):
                f.set_cached_value(o, target)


def lock_chains(site_ids: Iterable[int | None], using: str) -> list[int]:
    """Lock the head of every chain the events of ``site_ids`` go to, in ascending key order,
    and return the keys.

    A bulk load holds each chain it appended to until it commits, so two loads (or a load and
    single saves, whose updates lock their chain first) that took their heads in the order of
    their records could each hold one head and wait for the other's: PostgreSQL aborts one
    with "deadlock detected". One global order for all the heads, all taken before the first
    append, rules that out. The heads are taken after the records' insert, as a single create
    does: a unique conflict with another transaction's new row is waited for before holding
    any head. The hooks run afterwards append only to these chains (the records' sites).
    """
    keys = sorted({chain.chain_key(s) for s in site_ids})
    for key in keys:
        chain.lock_chain(using, chain=key)
    return keys


def audited_bulk_create(
    objects: Sequence[M], user: Any = None, reason: str | None = None, *,
    using: str | None = None, batch_size: int = 1000, run_hooks: bool = True,
) -> list[M]:  # fmt: skip
    """Create ``objects`` (new, unsaved, all of one audited model) in one audited transaction.

    ``user`` and ``reason`` default to the :func:`~hccrt.web.audit.base.audit_context`.
    Raises :class:`~hccrt.errors.InputError` for objects that are not new records of one
    audited model, and the validation error of the first invalid object (with a note naming
    its index); in both cases nothing is written. Returns the objects, saved (pk, version 1).
    """
    objs = list(objects)
    if not objs:
        return objs
    model = type(objs[0])
    if not issubclass(model, AuditedModel) or model._meta.abstract:
        raise InputError("objects", model.__name__, "records of one audited trial-data model")
    for i, o in enumerate(objs):
        if type(o) is not model:
            raise InputError(f"objects[{i}]", type(o).__name__,
                             f"a {model.__name__} (one model per call)")  # fmt: skip
        if not o._state.adding or o.pk is not None:
            raise InputError(f"objects[{i}]", o.pk, "a new record (not saved yet); change "
                             "existing records with save() and a reason")  # fmt: skip
    ctx = _context.get()
    user = user if user is not None else ctx.user
    reason = (reason if reason is not None else ctx.reason).strip()
    using = using or router.db_for_write(model, instance=objs[0])
    fields = objs[0].audited_fields()
    with transaction.atomic(using=using):
        _load_related(objs, using)
        for i, o in enumerate(objs):
            try:
                o._validate()
            except (ValidationError, InputError) as exc:
                exc.add_note(f"in {model.__name__} objects[{i}] of a bulk create; nothing "
                             "was written")  # fmt: skip
                raise
        changes = []
        for o in objs:
            values = {}
            for f in fields:
                new = getattr(o, f.attname)
                if new is not None and new != "":
                    values[f.attname] = [None, new]
            changes.append(values)
            o.version = 1
        try:
            with open_audited_path(connections[using]):
                models.QuerySet(model=model, using=using).bulk_create(objs, batch_size=batch_size)
        except Exception:
            for o in objs:
                o.version = 0
            raise
        for o in objs:
            o._state.adding = False
            o._state.db = using
        sites = [o.audit_site_id() for o in objs]
        lock_chains(sites, using)
        label = model._meta.label_lower
        chain.append_many([
            chain.PendingEvent(
                user=user, action="create", model=label, object_pk=o.pk,
                site_id=site, participant_id=o.audit_participant_id(),
                version=1, changes=c, reason=reason,
            ) for o, site, c in zip(objs, sites, changes, strict=True)
        ], using=using)  # fmt: skip
        if run_hooks:
            from hccrt.web.capture.checks import preloaded_deaths

            with preloaded_deaths(o.audit_participant_id() for o in objs):
                for o in objs:
                    o.after_audited_save("create", user)
    return objs
