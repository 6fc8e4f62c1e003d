"""The audit store: one row per change of trial data, append-only and hash-chained.

Each event holds who (user id and name at the time), when, what (model, object, field
changes as ``{field: [old, new]}``), why (the reason) and the record version it produced, plus
``prev_hash`` (the previous event's ``hash``) and ``hash`` = SHA-256 over ``prev_hash`` and
the event's fields (:func:`hccrt.web.audit.chain.digest`). Database triggers refuse UPDATE and
DELETE on this table (migration 0002), and ``hccrt audit verify`` recomputes the chain.

Chains (migration 0003): events are chained per site (``chain`` = the event's ``site_id``, 0
for events that belong to no site), so saves at different sites do not wait for each other.
``seq`` is the event's position in its chain (1, 2, ...); :class:`AuditChain` holds each
chain's head (last position and hash), locked by every append to that chain. Events written
before per-site chains have ``chain`` and ``seq`` empty and form the original single chain,
in ``id`` order, verified as before. ``id`` stays the global order of the change feed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        RESTORE = "restore"

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action.choices)
    model = models.CharField(max_length=64, help_text="app_label.model of the record")
    object_pk = models.CharField(max_length=64)
    site_id = models.BigIntegerField(null=True)
    participant_id = models.BigIntegerField(null=True)
    version = models.PositiveIntegerField(help_text="record version after the change")
    changes = models.TextField(help_text="canonical JSON {field: [old, new]}")
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    chain = models.BigIntegerField(
        null=True, help_text="hash chain: the site id (0: no site); empty for the original "
                             "single chain of events written before per-site chains")  # fmt: skip
    seq = models.BigIntegerField(null=True, help_text="position in the chain, from 1")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["model", "object_pk"], name="audit_record_idx"),
            models.Index(fields=["site_id", "id"], name="audit_site_idx"),
            models.Index(fields=["participant_id"], name="audit_participant_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.model}:{self.object_pk} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("the audit trail is append-only")


class AuditChain(models.Model):
    """The head of one hash chain: its last position and hash (``prev`` is the hash before).

    Every append locks this row (``UPDATE ... RETURNING`` on PostgreSQL), so appends to one
    chain are serialized and appends to different chains are not. A database trigger lets the
    head only move forward and refuses deletion; ``verify`` checks that each head matches the
    last event of its chain (a truncated chain is reported).
    """

    key = models.BigIntegerField(primary_key=True, help_text="the site id (0: no site)")
    seq = models.BigIntegerField(default=0)
    head = models.CharField(max_length=64)
    prev = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"chain {self.key} at {self.seq}"
