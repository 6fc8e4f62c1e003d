"""The protocol schema rejects broken files with errors naming the field path."""

from __future__ import annotations

import copy

import pytest
import yaml

from hccrt.protocols import ProtocolFileError, content_hash, load_protocol, parse_protocol
from hccrt.protocols.schema import Duration, DurationUnit
from tests.protocols.minimal_protocol import MINIMAL, as_yaml, minimal


def problems_of(document: dict) -> list[tuple[str, str]]:
    with pytest.raises(ProtocolFileError) as info:
        parse_protocol(as_yaml(document), source="trial.yaml")
    assert str(info.value).startswith("trial.yaml: invalid protocol file")
    return info.value.problems


def test_minimal_protocol_is_valid_and_durations_keep_their_units():
    protocol = parse_protocol(as_yaml(MINIMAL))
    visit = protocol.schedule.visits[1]
    assert visit.nominal == Duration(value=3, unit=DurationUnit.MONTHS)
    assert str(visit.repeat.until) == "24 months"
    assert protocol.design.allocation_ratio == {"exp": 2, "ctl": 1}


def test_unknown_field_is_named_with_its_path_and_list_item_id():
    doc = minimal()
    doc["endpoints"][1]["critera"] = ["recist11"]  # typo
    problems = problems_of(doc)
    assert problems == [
        (
            "endpoints[1]{orr}.critera",
            "unknown field (not part of the protocol schema; check its spelling)",
        )
    ]


def test_missing_required_field_is_named():
    doc = minimal()
    del doc["identity"]["title"]
    assert ("identity.title", "required field is missing") in problems_of(doc)


def test_bad_duration_says_how_to_write_one():
    doc = minimal()
    doc["schedule"]["visits"][1]["nominal"] = "three months"
    [(path, message)] = problems_of(doc)
    assert path == "schedule.visits[1]{follow-up}.nominal"
    assert "'three months' is not a duration" in message and "'3 months'" in message


def test_allocation_ratio_must_name_existing_arms():
    doc = minimal()
    doc["design"]["allocation_ratio"] = {"exp": 2, "placebo": 1}
    [(path, message)] = problems_of(doc)
    assert path == ""
    assert "allocation_ratio names arm 'placebo'" in message


def test_randomized_design_without_ratio_is_rejected():
    doc = minimal()
    del doc["design"]["allocation_ratio"]
    [(path, message)] = problems_of(doc)
    assert path == "design"
    assert "allocation_ratio" in message


def test_duplicate_endpoint_ids_are_rejected():
    doc = minimal()
    doc["endpoints"].append(copy.deepcopy(doc["endpoints"][1]))
    [(_, message)] = problems_of(doc)
    assert "endpoint id 'orr' is used twice" in message


def test_time_to_event_endpoint_needs_origin_and_events():
    doc = minimal()
    del doc["endpoints"][0]["origin"]
    [(path, message)] = problems_of(doc)
    assert path == "endpoints[0]{os}"
    assert "needs an origin" in message


def test_limit_bounds_must_be_ordered():
    doc = minimal()
    doc["planning"]["limits"][0].update({"minimum": 20, "maximum": 15})
    [(path, message)] = problems_of(doc)
    assert path == "planning.limits[0]{lung-dose}"
    assert "minimum 20.0 is above maximum 15.0" in message


def test_unknown_enum_value_is_reported():
    doc = minimal()
    doc["endpoints"][1]["criteria"] = ["recist"]
    [(path, message)] = problems_of(doc)
    assert path == "endpoints[1]{orr}.criteria[0]"
    assert "'recist11'" in message and "'mrecist'" in message


def test_yaml_syntax_error_gives_line_and_column():
    with pytest.raises(ProtocolFileError) as info:
        parse_protocol("code: x\nidentity: [unclosed\n", source="bad.yaml")
    [(where, message)] = info.value.problems
    assert where.startswith("line ") and "column" in where
    assert message.startswith("not valid YAML")


def test_non_mapping_document_is_rejected():
    with pytest.raises(ProtocolFileError, match="must be a YAML mapping"):
        parse_protocol("- just\n- a list\n")


def test_missing_file_is_a_protocol_error(tmp_path):
    with pytest.raises(ProtocolFileError, match="cannot read the file"):
        load_protocol(tmp_path / "absent.yaml")


def test_content_hash_ignores_formatting_but_not_meaning(tmp_path):
    compact = parse_protocol(yaml.safe_dump(MINIMAL, default_flow_style=True))
    block = parse_protocol(as_yaml(MINIMAL))
    assert content_hash(compact) == content_hash(block)
    changed = minimal(version="1.1")
    assert content_hash(parse_protocol(as_yaml(changed))) != content_hash(block)
    # "3 months" and "3.0 months" mean the same and hash the same
    doc = minimal()
    doc["schedule"]["visits"][1]["nominal"] = "3.0 months"
    assert content_hash(parse_protocol(as_yaml(doc))) == content_hash(block)


def test_block_sizes_must_respect_the_allocation_ratio():
    # 2:1 allocation: a permuted block keeps the ratio only if its size is a multiple of 3.
    doc = minimal()
    doc["design"]["block_sizes"] = [6, 4]
    [(path, message)] = problems_of(doc)
    assert path == "design"
    assert "block_sizes [4] are not multiples of the allocation ratio's sum 3" in message


def test_randomization_method_is_a_closed_choice():
    doc = minimal()
    doc["design"]["randomization_method"] = "coin"
    [(path, message)] = problems_of(doc)
    assert path == "design.randomization_method"
    assert "'permuted_blocks'" in message and "'minimization'" in message


def test_builtin_protocols_survive_a_json_round_trip_unchanged():
    # The web app stores a protocol as JSON and reads it back; every eligibility rule must
    # come back as the same node (an `any` once came back as an `all`: RESCUE's INR rule
    # "INR <= 2.0 for patients not taking anticoagulants" then failed every candidate).
    from hccrt.protocols import load_builtins
    from hccrt.protocols.schema import Protocol

    for protocol in load_builtins():
        again = Protocol.model_validate(protocol.model_dump(mode="json"))
        assert again == protocol, protocol.code
        assert [type(c.rule).__name__ for c in again.eligibility] == [
            type(c.rule).__name__ for c in protocol.eligibility
        ]
