"""Adapters between the protocol files of the core and the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from hccrt.protocols import Protocol as ProtocolModel
from hccrt.protocols import content_hash, load_builtins
from hccrt.protocols.loader import builtin_protocol_path
from hccrt.web.core.models import Protocol


@dataclass(frozen=True)
class LoadResult:
    code: str
    content_hash: str
    created: bool


@transaction.atomic
def store_protocol(protocol: ProtocolModel, source: str) -> LoadResult:
    """Store a validated protocol as the current version of its code (idempotent)."""
    digest = content_hash(protocol)
    existing = Protocol.objects.select_for_update().filter(code=protocol.code)
    same = existing.filter(content_hash=digest).first()
    if same is not None:
        if not same.is_current:
            existing.filter(is_current=True).update(is_current=False)
            same.is_current = True
            same.save(update_fields=["is_current"])
        return LoadResult(protocol.code, digest, created=False)
    existing.filter(is_current=True).update(is_current=False)
    Protocol.objects.create(
        code=protocol.code,
        version=protocol.version,
        content_hash=digest,
        title=protocol.identity.title,
        short_title=protocol.identity.short_title,
        design_type=protocol.design.type.value,
        target_enrolment=protocol.identity.target_enrolment,
        document=protocol.model_dump(mode="json"),
        source=source,
        is_current=True,
    )
    return LoadResult(protocol.code, digest, created=True)


def load_builtin_protocols() -> list[LoadResult]:
    """Load the five reference trials from the package data into the database."""
    return [
        store_protocol(p, source=str(Path(builtin_protocol_path(p.code)).name))
        for p in load_builtins()
    ]


def current_protocols() -> list[Protocol]:
    return list(Protocol.objects.filter(is_current=True).order_by("code"))
