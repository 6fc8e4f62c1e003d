"""A small but complete protocol document, for schema and loader tests."""

from __future__ import annotations

import copy
from typing import Any

import yaml

MINIMAL: dict[str, Any] = {
    "code": "mini-trial",
    "version": "1.0",
    "identity": {
        "title": "A minimal two-arm trial",
        "short_title": "Mini",
        "phase": "2",
        "target_enrolment": 30,
        "seed": "none",
        "summary": "For tests.",
    },
    "design": {
        "type": "randomized",
        "masking": "open_label",
        "allocation_ratio": {"exp": 2, "ctl": 1},
    },
    "arms": [
        {
            "id": "exp",
            "name": "Experimental",
            "role": "experimental",
            "interventions": [{"id": "sbrt", "kind": "sbrt", "name": "SBRT"}],
        },
        {
            "id": "ctl",
            "name": "Control",
            "role": "control",
            "interventions": [{"id": "sys", "kind": "systemic", "name": "Systemic therapy"}],
        },
    ],
    "schedule": {
        "visits": [
            {
                "id": "baseline",
                "name": "Baseline",
                "anchor": "randomization",
                "nominal": "0 days",
                "window": {"before": "28 days", "after": "0 days"},
                "assessments": ["labs", "imaging"],
            },
            {
                "id": "follow-up",
                "name": "Follow-up",
                "anchor": "randomization",
                "nominal": "3 months",
                "window": {"before": "14 days", "after": "14 days"},
                "repeat": {"every": "3 months", "until": "24 months"},
                "assessments": ["imaging", "qol"],
            },
        ]
    },
    "planning": {
        "limits": [
            {
                "id": "lung-dose",
                "quantity": "lung_absorbed_dose",
                "unit": "Gy",
                "arms": ["exp"],
                "applies": "screening",
                "maximum": 15,
                "conditions": {"model": "partition", "tumour_absorbed_dose_gy": 150},
                "text": "lung dose <= 15 Gy at 150 Gy to the tumour",
            }
        ]
    },
    "safety": {
        "ae_collection": [
            {
                "id": "all-ae",
                "scope": "all_ae",
                "start": "consent",
                "end": "last_treatment",
                "end_offset": "30 days",
                "text": "AEs to 30 days after the last treatment",
            }
        ]
    },
    "eligibility": [
        {"id": "age", "kind": "inclusion", "text": "Age >= 18"},
        {"id": "pregnant", "kind": "exclusion", "text": "Pregnancy"},
    ],
    "endpoints": [
        {
            "id": "os",
            "name": "Overall survival",
            "role": "primary",
            "kind": "time_to_event",
            "population": "ITT",
            "definition": "Randomization to death",
            "origin": {"source": "randomization", "description": "date of randomization"},
            "events": [{"source": "death", "description": "death from any cause"}],
            "censoring": [{"source": "last_known_alive", "description": "last known alive"}],
            "time_frame": "24 months",
        },
        {
            "id": "orr",
            "name": "Objective response rate",
            "role": "secondary",
            "kind": "rate",
            "criteria": ["recist11"],
            "responses": ["CR", "PR"],
            "population": "ITT",
            "definition": "best response CR or PR",
            "time_frame": "24 months",
        },
    ],
    "end_of_study": "24 months after the last enrolment",
}


def minimal(**changes: Any) -> dict[str, Any]:
    """A deep copy of MINIMAL, with top-level keys replaced."""
    document = copy.deepcopy(MINIMAL)
    document.update(changes)
    return document


def as_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False)
