"""Roles and site isolation, enforced on querysets (``Model.objects.for_user(user, op)``).

A user holds memberships (role, site); ``site`` empty means every site. For each role,
:data:`POLICY` lists the resources it may read and write. A queryset is cut to the sites where
the user holds a role granting the operation on the resource; the central imaging reader
sees only the tumour assessments (and their lesions) assigned to them. Arms are hidden from
the roles in :func:`sees_arm`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from hccrt.web.capture.models import Membership, Role

FORMS = (
    "screenings", "allocations", "y90-plans", "y90-administrations", "sbrt-courses",
    "sbrt-fractions", "haic-cycles", "systemic-therapies", "visits", "vital-signs", "labs",
    "tumour-assessments", "lesions", "adverse-events", "qol", "surgeries",
    "subsequent-treatments", "dispositions",
    "medical-history", "concomitant-medications", "protocol-deviations", "child-pugh-clinical",
    "systemic-doses", "regional-liver-function", "y90-post-treatment-dosimetry",
)  # fmt: skip
ALL = frozenset(("participants", *FORMS, "queries"))
TREATMENT = frozenset({"y90-plans", "y90-administrations", "y90-post-treatment-dosimetry",
                       "sbrt-courses", "sbrt-fractions"})
IMAGING = frozenset({"tumour-assessments", "lesions"})
#: resources written through dedicated actions, never by the generic create/update
ACTION_ONLY = frozenset({"allocations"})

POLICY: dict[str, dict[str, frozenset[str]]] = {
    Role.ADMINISTRATOR: {"read": ALL, "write": ALL},
    Role.DATA_MANAGER: {"read": ALL, "write": ALL},
    Role.STATISTICIAN: {"read": ALL, "write": frozenset()},
    Role.MONITOR: {"read": ALL, "write": frozenset({"queries"})},
    Role.SITE_INVESTIGATOR: {"read": ALL, "write": ALL},
    Role.SITE_COORDINATOR: {"read": ALL, "write": ALL},
    Role.MEDICAL_PHYSICIST: {
        "read": TREATMENT | {"participants", "vital-signs", "labs", "visits"},
        "write": TREATMENT,
    },
    Role.CENTRAL_READER: {"read": IMAGING, "write": IMAGING},
}
#: query lifecycle rights: raise/close/reopen vs answer
QUERY_RAISE = frozenset({Role.ADMINISTRATOR, Role.DATA_MANAGER, Role.MONITOR})
QUERY_ANSWER = frozenset({Role.ADMINISTRATOR, Role.DATA_MANAGER, Role.SITE_INVESTIGATOR,
                          Role.SITE_COORDINATOR})  # fmt: skip
RANDOMIZE = frozenset({Role.ADMINISTRATOR, Role.SITE_INVESTIGATOR, Role.SITE_COORDINATOR})
#: roles never shown the arm; in masked trials only these see it
NEVER_SEE_ARM = frozenset({Role.CENTRAL_READER, Role.MONITOR})
MASKED_SEE_ARM = frozenset({Role.ADMINISTRATOR, Role.STATISTICIAN})


def grants(user: Any) -> list[tuple[str, int | None]]:
    """(role, site id or None) of a user, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_hccrt_grants", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("role", "site_id"))
        if user.is_superuser:
            cached.append((Role.ADMINISTRATOR, None))
        user._hccrt_grants = cached
    return cached


def roles(user: Any) -> set[str]:
    return {r for r, _ in grants(user)}


def allowed_sites(user: Any, resource: str, op: str) -> set[int] | None:
    """Sites where ``user`` may ``op`` ('read'/'write') ``resource``; None: every site."""
    sites: set[int] = set()
    for role, site in grants(user):
        if resource in POLICY.get(role, {}).get(op, frozenset()):
            if site is None:
                return None
            sites.add(site)
    return sites


def has_role_at(user: Any, allowed_roles: frozenset[str], site_id: int | None) -> bool:
    return any(role in allowed_roles and (site is None or site == site_id)
               for role, site in grants(user))  # fmt: skip


def reader_only(user: Any, resource: str) -> bool:
    """True when the user reaches ``resource`` only as a central imaging reader."""
    granting = {r for r, _ in grants(user) if resource in POLICY.get(r, {}).get("read", ())}
    return granting == {Role.CENTRAL_READER}


def site_path(model: type[Model]) -> str:
    return "site_id" if model._meta.label_lower == "core.participant" else "participant__site_id"


def scope(qs: QuerySet, user: Any, resource: str, op: str = "read") -> QuerySet:
    """``qs`` cut to what ``user`` may ``op`` on ``resource``."""
    sites = allowed_sites(user, resource, op)
    if sites is not None:
        if not sites:
            return qs.none()
        qs = qs.filter(**{f"{site_path(qs.model)}__in": sites})
    if resource in IMAGING and reader_only(user, resource):
        label = qs.model._meta.label_lower
        if label == "capture.tumourassessment":
            qs = qs.filter(reader=user)
        elif label == "capture.lesion":
            qs = qs.filter(assessment__reader=user)
        else:  # participants offered to a reader: those with a read assigned to them
            from hccrt.web.capture.models import TumourAssessment

            qs = qs.filter(pk__in=TumourAssessment.objects.filter(reader=user)
                           .values("participant_id"))  # fmt: skip
    return qs


def sees_arm(user: Any, site_id: int | None, masked: bool) -> bool:
    for role, site in grants(user):
        if site is not None and site != site_id:
            continue
        if role in NEVER_SEE_ARM:
            continue
        if not masked or role in MASKED_SEE_ARM:
            return True
    return False


def model_resources() -> dict[str, str]:
    """app_label.model -> API resource name."""
    from hccrt.web.capture import models as m

    pairs = {
        "core.participant": "participants", "capture.screening": "screenings",
        "capture.allocation": "allocations", "capture.y90plan": "y90-plans",
        "capture.y90administration": "y90-administrations",
        "capture.sbrtcourse": "sbrt-courses", "capture.sbrtfraction": "sbrt-fractions",
        "capture.haiccycle": "haic-cycles", "capture.systemictherapy": "systemic-therapies",
        "capture.visit": "visits", "capture.vitalsigns": "vital-signs",
        "capture.labresult": "labs", "capture.tumourassessment": "tumour-assessments",
        "capture.lesion": "lesions", "capture.adverseevent": "adverse-events",
        "capture.qolresponse": "qol", "capture.surgerypathology": "surgeries",
        "capture.subsequenttreatment": "subsequent-treatments",
        "capture.disposition": "dispositions", "capture.dataquery": "queries",
        "capture.medicalhistory": "medical-history",
        "capture.concomitantmedication": "concomitant-medications",
        "capture.protocoldeviation": "protocol-deviations",
        "capture.childpughclinical": "child-pugh-clinical",
        "capture.systemicdose": "systemic-doses",
        "capture.regionalliverfunction": "regional-liver-function",
        "capture.y90posttreatmentdosimetry": "y90-post-treatment-dosimetry",
    }  # fmt: skip
    assert {f._meta.label_lower for f in m.FORM_MODELS} <= set(pairs)
    return pairs
