"""Read and validate protocol files; the five reference trials ship as package data.

A protocol's version in the database is the SHA-256 of its validated content in canonical
JSON, so re-indenting a file does not create a new version but any change of meaning does.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hccrt.errors import ProtocolError
from hccrt.protocols.schema import Protocol

# libyaml's C parser when the wheel has it (about 10x faster); same safe semantics.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

BUILTIN_PACKAGE = "hccrt.protocols.trials"
BUILTIN_CODES: tuple[str, ...] = ("tare-ut7", "rescue", "sirt-haic", "io-rt-mvi", "sbrt-bclcc")


class ProtocolFileError(ProtocolError):
    """A protocol file cannot be read or does not match the schema.

    ``problems`` lists ``(field path, message)`` pairs, the path in dotted form with list
    indices, e.g. ``endpoints[3].origin.source``.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: invalid protocol file ({len(problems)} problem(s))"]
        lines += [f"  - {path or '<file>'}: {message}" for path, message in problems]
        super().__init__("\n".join(lines))


def _format_loc(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _problems(error: ValidationError, document: Any) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field (not part of the protocol schema; check its spelling)"
        elif item["type"] == "missing":
            message = "required field is missing"
        problems.append((_describe(loc, document), message))
    return problems


def _describe(loc: tuple[Any, ...], document: Any) -> str:
    """Field path, with the id of list items where they have one (``endpoints[3]{orr}``)."""
    path = ""
    node = document
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    path += f"{{{node['id']}}}"
            else:
                node = None
        else:
            path += ("." if path else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return path


def parse_protocol(text: str, source: str = "<string>") -> Protocol:
    """Validate the YAML text of a protocol; raise :class:`ProtocolFileError` naming problems."""
    try:
        document = yaml.load(text, Loader=_YamlLoader)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ProtocolFileError(source, [(where, f"not valid YAML: {exc}")]) from exc
    if not isinstance(document, dict):
        raise ProtocolFileError(source, [("", "a protocol file must be a YAML mapping")])
    try:
        return Protocol.model_validate(document)
    except ValidationError as exc:
        raise ProtocolFileError(source, _problems(exc, document)) from exc


def load_protocol(path: str | Path) -> Protocol:
    """Read and validate one protocol file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolFileError(str(path), [("", f"cannot read the file: {exc.strerror}")]) from exc
    return parse_protocol(text, source=str(path))


def builtin_protocol_path(code: str) -> Path:
    if code not in BUILTIN_CODES:
        raise ProtocolFileError(
            code, [("code", f"no built-in protocol {code!r}; known: {', '.join(BUILTIN_CODES)}")]
        )
    return Path(str(resources.files(BUILTIN_PACKAGE).joinpath(f"{code}.yaml")))


def load_builtin(code: str) -> Protocol:
    """One of the five reference trials, by code."""
    protocol = load_protocol(builtin_protocol_path(code))
    if protocol.code != code:
        raise ProtocolFileError(code, [("code", f"file declares code {protocol.code!r}")])
    return protocol


def load_builtins() -> list[Protocol]:
    """The five reference trials, in the order of ``BUILTIN_CODES``."""
    return [load_builtin(code) for code in BUILTIN_CODES]


def content_hash(protocol: Protocol) -> str:
    """SHA-256 of the protocol's validated content as canonical JSON (sorted keys)."""
    canonical = json.dumps(protocol.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
