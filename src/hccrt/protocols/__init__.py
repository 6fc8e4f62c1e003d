"""Protocols as data: the schema, the loader and the five reference trials.

The eligibility engine and the visit scheduler will live here too (see DESIGN.md).
"""

from hccrt.protocols.loader import (
    BUILTIN_CODES,
    ProtocolFileError,
    content_hash,
    load_builtin,
    load_builtins,
    load_protocol,
    parse_protocol,
)
from hccrt.protocols.schema import Endpoint, Protocol

__all__ = [
    "BUILTIN_CODES",
    "Endpoint",
    "Protocol",
    "ProtocolFileError",
    "content_hash",
    "load_builtin",
    "load_builtins",
    "load_protocol",
    "parse_protocol",
]
