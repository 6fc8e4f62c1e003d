"""The eligibility rule language: a small typed rule schema, validated when a protocol loads.

Why a typed schema and not an expression language (CEL through ``cel-python``, or Python
``eval``): the criteria of the five reference trials are all of one of a few shapes: a fact
compared with a threshold in a unit ("Total bilirubin <= 3.0 mg/dL"), a fact in a set of
values ("Child-Pugh class A"), a yes/no finding, a date inside or outside a window ("within
28 days prior to"), a planning limit of the protocol, an investigator's attestation, and
and/or/not combinations of these. A closed schema of those shapes

* is data that the protocol schema validates like every other field: an unknown fact, a unit
  that does not fit the fact (``mg/dL`` for platelets), a comparison of the wrong type (a
  threshold for a yes/no finding) or an unknown planning limit is a load-time error naming
  the criterion (``eligibility[11]{lab-bilirubin}.rule``);
* can be explained in a coordinator's words, because every node knows its fact, unit and
  boundary ("Total bilirubin 3.1 mg/dL > 3.0 mg/dL"), which an expression string does not;
* compiles to vectorised numpy over a whole screening batch (100,000 candidates in seconds),
  with three-valued logic for missing data, which a per-row expression interpreter cannot;
* needs no new dependency and runs no code from the file (no ``eval``).

The cost is that a new *kind* of criterion needs a new node or fact here; adding a sixth trial
whose criteria use the existing facts is still a file, not code.

Syntax (YAML, one mapping per node)::

    {fact: bilirubin, op: "<=", value: 3.0, unit: mg/dL, within: 1 month}
    {fact: alt, op: "<=", value: 5, unit: x ULN, within: 28 days}
    {fact: child_pugh_class, in: [A]}
    {fact: macrovascular_invasion, is: true}
    {fact: last_locoregional_date, within: 28 days, before: treatment_start}
    {fact: systemic_therapy_start_date, at_least: 3 months, before: screening}
    {limit: maa-lung-dose}                 # true when the protocol's planning limit holds
    {attest: life expectancy of more than 3 months}
    {all: [...]}, {any: [...]}, {not: {...}}

An ``attest`` statement is answered by the candidate's attestation for that criterion
(``attestations: {criterion id: true/false}``, or ``{"<protocol code>:<criterion id>": ...}``):
true means the statement holds. Without an answer the criterion *needs attestation*.

Lab ``within`` windows say how old a result may be: an older result counts as missing (the
criterion is *unknown*, not failed). Date windows count calendar days, months and years back
from the reference date; both ``within`` and ``at_least`` include their boundary (a result 28
days old is "within 28 days"; 7 elapsed days complete "a 7-day washout").
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Tag, model_serializer

from hccrt.errors import UnitError
from hccrt.protocols.eligibility.facts import FACTS, REFERENCE_DATES
from hccrt.units import convert

__all__ = [
    "OPS",
    "AllOf",
    "AnyOf",
    "Attest",
    "Compare",
    "DateWindow",
    "Flag",
    "LimitRef",
    "Member",
    "Not",
    "Rule",
    "RuleField",
    "Window",
    "facts_used",
    "is_attestation_only",
    "limits_used",
    "parse_rule",
]

OPS = ("<", "<=", ">", ">=", "==", "!=")
ULN = "x ULN"
_WINDOW_RE = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.I)


class Window(BaseModel):
    """A calendar window: a whole number of days, weeks, months or years."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int
    unit: Literal["days", "weeks", "months", "years"]

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.n == 1 else self.unit
        return f"{self.n} {unit}"


def _window(value: Any, where: str) -> Window:
    if isinstance(value, Window):
        return value
    match = _WINDOW_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            f"{where}: {value!r} is not a window; write a whole number and a unit, e.g. "
            "'28 days', '1 month', '2 years'"
        )
    return Window(n=int(match.group(1)), unit=match.group(2).lower() + "s")  # type: ignore[arg-type]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Compare(_Node):
    """A numeric fact compared with a threshold in a unit (``x ULN`` for lab ratios)."""

    fact: str
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    value: int | float
    unit: str | None = None
    within: Window | None = None
    note: str | None = None

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fact": self.fact, "op": self.op, "value": self.value}
        if self.unit is not None:
            out["unit"] = self.unit
        if self.within is not None:
            out["within"] = str(self.within)
        if self.note:
            out["note"] = self.note
        return out


class Member(_Node):
    """A categorical (or count) fact in a set of values."""

    fact: str
    values: tuple[str, ...]

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return {"fact": self.fact, "in": list(self.values)}


class Flag(_Node):
    """A yes/no fact equal to ``is``."""

    fact: str
    expected: bool

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return {"fact": self.fact, "is": self.expected}


class DateWindow(_Node):
    """A dated fact within (or at least) a window before a reference date."""

    fact: str
    before: Literal["screening", "treatment_start"] = "screening"
    within: Window | None = None
    at_least: Window | None = None
    note: str | None = None

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fact": self.fact, "before": self.before}
        if self.within is not None:
            out["within"] = str(self.within)
        if self.at_least is not None:
            out["at_least"] = str(self.at_least)
        if self.note:
            out["note"] = self.note
        return out


class LimitRef(_Node):
    """True when the named planning limit of the same protocol holds for the candidate."""

    limit: str

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return {"limit": self.limit}


class Attest(_Node):
    """Only the investigator can say: the candidate's attestation answers it."""

    attest: str

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return {"attest": self.attest}


class AllOf(_Node):
    items: tuple[Rule, ...]

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return {"all": [i.model_dump() for i in self.items]}


class AnyOf(_Node):
    items: tuple[Rule, ...]

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return {"any": [i.model_dump() for i in self.items]}


class Not(_Node):
    item: Rule

    @model_serializer
    def _dump(self) -> dict[str, Any]:
        return {"not": self.item.model_dump()}


_NODE_TYPES = (Compare, Member, Flag, DateWindow, LimitRef, Attest, AllOf, AnyOf, Not)


def _node_tag(value: Any) -> str | None:
    """The node's own class: parsed nodes are matched to exactly their class.

    Without it pydantic's smart-union matching could re-read an ``AnyOf`` as an ``AllOf``
    (they have the same fields) when a stored protocol is read back from JSON.
    """
    return type(value).__name__ if isinstance(value, _NODE_TYPES) else None


Rule = Annotated[
    Annotated[Compare, Tag("Compare")]
    | Annotated[Member, Tag("Member")]
    | Annotated[Flag, Tag("Flag")]
    | Annotated[DateWindow, Tag("DateWindow")]
    | Annotated[LimitRef, Tag("LimitRef")]
    | Annotated[Attest, Tag("Attest")]
    | Annotated[AllOf, Tag("AllOf")]
    | Annotated[AnyOf, Tag("AnyOf")]
    | Annotated[Not, Tag("Not")],
    Discriminator(_node_tag),
]
for _cls in (AllOf, AnyOf, Not):
    _cls.model_rebuild()


# --------------------------------------------------------------------------- parsing


def _keys(data: dict[str, Any], allowed: set[str], required: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}; allowed here: {sorted(allowed)}")
    missing = sorted(required - set(data))
    if missing:
        raise ValueError(f"{where}: missing key(s) {missing}")


def _fact(name: Any, where: str, kinds: tuple[str, ...]) -> str:
    if not isinstance(name, str) or name not in FACTS:
        raise ValueError(f"{where}: unknown fact {name!r}; known facts: {sorted(FACTS)}")
    kind = FACTS[name].kind
    if kind not in kinds:
        raise ValueError(
            f"{where}: fact {name!r} is a {kind} fact; this comparison needs a "
            f"{' or '.join(kinds)} fact"
        )
    return name


def _unit(fact_name: str, unit: Any, where: str) -> str | None:
    spec = FACTS[fact_name]
    if spec.kind == "count":
        if unit is not None:
            raise ValueError(f"{where}: {fact_name!r} is a count and takes no unit, got {unit!r}")
        return None
    if unit is None and spec.kind == "lab" and spec.unit == "1":
        return None  # INR: a ratio without unit
    if not isinstance(unit, str):
        allowed = "a unit such as 'mg/dL' or 'x ULN'" if spec.kind == "lab" else str(
            sorted(spec.units))
        raise ValueError(f"{where}: a threshold for {fact_name!r} needs its unit: {allowed}")
    if spec.kind == "lab":
        if unit == ULN:
            return unit
        try:
            convert(1.0, unit, spec.unit or "1", analyte=spec.analyte, field=f"{where}.unit")
        except UnitError as exc:
            raise ValueError(
                f"{where}: unit {unit!r} does not fit {fact_name!r} ({exc.allowed}, or "
                f"'{ULN}')"
            ) from None
        return unit
    if unit not in spec.units:
        raise ValueError(f"{where}: unit {unit!r} does not fit {fact_name!r}; use one of "
                         f"{sorted(spec.units)}")
    return unit


def parse_rule(data: Any, where: str = "rule") -> Rule:
    """Parse and check one rule (a mapping from a protocol file); ValueError names the node."""
    if isinstance(data, Compare | Member | Flag | DateWindow | LimitRef | Attest | AllOf | AnyOf
                  | Not):
        return data
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{where}: a rule is a mapping such as {{fact: ecog, op: '<=', "
                         f"value: 1}}, got {data!r}")
    for combinator in ("all", "any"):
        if combinator in data:
            _keys(data, {combinator}, {combinator}, where)
            items = data[combinator]
            if not isinstance(items, list) or len(items) < 2:
                raise ValueError(f"{where}.{combinator}: a list of at least two rules")
            parsed = tuple(parse_rule(x, f"{where}.{combinator}[{i}]") for i, x in
                           enumerate(items))
            return AllOf(items=parsed) if combinator == "all" else AnyOf(items=parsed)
    if "not" in data:
        _keys(data, {"not"}, {"not"}, where)
        return Not(item=parse_rule(data["not"], f"{where}.not"))
    if "attest" in data:
        _keys(data, {"attest"}, {"attest"}, where)
        if not isinstance(data["attest"], str) or not data["attest"].strip():
            raise ValueError(f"{where}.attest: the statement the investigator attests")
        return Attest(attest=data["attest"].strip())
    if "limit" in data:
        _keys(data, {"limit"}, {"limit"}, where)
        if not isinstance(data["limit"], str):
            raise ValueError(f"{where}.limit: the id of a planning limit of this protocol")
        return LimitRef(limit=data["limit"])
    if "fact" not in data:
        raise ValueError(f"{where}: a rule needs one of fact, all, any, not, limit, attest; "
                         f"got keys {sorted(data)}")
    if "in" in data:
        _keys(data, {"fact", "in"}, {"fact", "in"}, where)
        name = _fact(data["fact"], where, ("category", "count"))
        values = data["in"]
        if not isinstance(values, list) or not values:
            raise ValueError(f"{where}.in: a non-empty list of values")
        spec = FACTS[name]
        out = []
        for v in values:
            if spec.kind == "category":
                if not isinstance(v, str) or v not in spec.choices:
                    raise ValueError(f"{where}.in: {v!r} is not a value of {name!r}; values: "
                                     f"{list(spec.choices)}")
                out.append(v)
            else:
                if isinstance(v, bool) or not isinstance(v, int):
                    raise ValueError(f"{where}.in: {v!r} is not a whole number ({name!r})")
                out.append(str(v))
        return Member(fact=name, values=tuple(out))
    if "is" in data:
        _keys(data, {"fact", "is"}, {"fact", "is"}, where)
        name = _fact(data["fact"], where, ("bool",))
        if not isinstance(data["is"], bool):
            raise ValueError(f"{where}.is: true or false, got {data['is']!r}")
        return Flag(fact=name, expected=data["is"])
    spec = FACTS.get(data["fact"]) if isinstance(data["fact"], str) else None
    if spec is not None and spec.kind == "date":
        _keys(data, {"fact", "before", "within", "at_least", "note"}, {"fact"}, where)
        before = data.get("before", "screening")
        if before not in REFERENCE_DATES:
            raise ValueError(f"{where}.before: one of {list(REFERENCE_DATES)}, got {before!r}")
        if ("within" in data) == ("at_least" in data):
            raise ValueError(f"{where}: a date rule needs exactly one of within, at_least")
        within = _window(data["within"], f"{where}.within") if "within" in data else None
        at_least = _window(data["at_least"], f"{where}.at_least") if "at_least" in data else None
        return DateWindow(fact=data["fact"], before=before, within=within, at_least=at_least,
                          note=data.get("note"))
    _keys(data, {"fact", "op", "value", "unit", "within", "note"}, {"fact", "op", "value"}, where)
    name = _fact(data["fact"], where, ("lab", "number", "count"))
    op = data["op"]
    if op not in OPS:
        raise ValueError(f"{where}.op: one of {list(OPS)}, got {op!r}")
    value = data["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValueError(f"{where}.value: a number, got {value!r}")
    unit = _unit(name, data.get("unit"), where)
    within = None
    if "within" in data:
        if FACTS[name].kind != "lab":
            raise ValueError(f"{where}.within: only laboratory results carry a date window")
        within = _window(data["within"], f"{where}.within")
    return Compare(fact=name, op=op, value=value, unit=unit, within=within,
                   note=data.get("note"))


def _before(value: Any) -> Any:
    return None if value is None else parse_rule(value)


#: The type of ``Criterion.rule``: parsed and checked on load, dumped back as written.
RuleField = Annotated[Rule | None, BeforeValidator(_before)]


def facts_used(rule: Rule) -> set[str]:
    """Names of every fact a rule reads."""
    if isinstance(rule, AllOf | AnyOf):
        return set().union(*(facts_used(i) for i in rule.items))
    if isinstance(rule, Not):
        return facts_used(rule.item)
    fact_name = getattr(rule, "fact", None)
    return {fact_name} if fact_name else set()


def limits_used(rule: Rule) -> set[str]:
    """Ids of the planning limits a rule refers to."""
    if isinstance(rule, AllOf | AnyOf):
        return set().union(*(limits_used(i) for i in rule.items))
    if isinstance(rule, Not):
        return limits_used(rule.item)
    return {rule.limit} if isinstance(rule, LimitRef) else set()


def is_attestation_only(rule: Rule) -> bool:
    """True when nothing in the rule is computed from data (only attestations)."""
    if isinstance(rule, AllOf | AnyOf):
        return all(is_attestation_only(i) for i in rule.items)
    if isinstance(rule, Not):
        return is_attestation_only(rule.item)
    return isinstance(rule, Attest)
