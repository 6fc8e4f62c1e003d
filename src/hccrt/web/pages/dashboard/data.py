"""The dashboard's figures, aggregated in the database within what the user may read.

Every queryset starts from the capture layer's scoped managers (``for_user``), so a figure
never counts another site's rows; sections whose resource the role may not read are left out
(``None``) rather than shown as zero.

Definitions (stated on the page too):

* **screened**: participants registered for the protocol (any status);
* **eligible**: a screening record with the outcome *eligible*, or enrolled (an enrolled
  participant passed screening, including those loaded from record tables);
* **screen failed**: status *screen failed*; reasons are the criteria that failed in their
  screening records (inclusion not met, exclusion met);
* **enrolled**: allocated (an allocation record) or in a status after enrolment; the
  enrolment date is the allocation date, else the consent date;
* **treated**: at least one Y-90 administration, SBRT fraction, HAIC cycle or systemic
  therapy record, or the status *on treatment*.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import access
from hccrt.web.capture import models as m
from hccrt.web.core.models import Participant, Protocol, Site

P = Participant.Status
ENROLLED_STATUSES = (P.ENROLLED, P.ON_TREATMENT, P.FOLLOW_UP, P.COMPLETED, P.WITHDRAWN,
                     P.LOST, P.DIED)  # fmt: skip
TREATMENT_MODELS: tuple[type[m.Form], ...] = (m.Y90Administration, m.SbrtFraction, m.HaicCycle,
                                              m.SystemicTherapy)  # fmt: skip


def readable(user: Any, resource: str) -> bool:
    sites = access.allowed_sites(user, resource, "read")
    return sites is None or bool(sites)


def user_sites(user: Any, protocol: Protocol | None) -> list[Site]:
    """The sites the user may read participants at (those with participants of ``protocol``
    for roles covering every site)."""
    sites = access.allowed_sites(user, "participants", "read")
    qs = Site.objects.all()
    if sites is None:
        if protocol is not None:
            qs = qs.filter(participants__protocol__code=protocol.code).distinct()
    else:
        qs = qs.filter(pk__in=sites)
    return list(qs.order_by("code"))


@dataclass
class Funnel:
    screened: int = 0
    eligible: int = 0
    screen_failed: int = 0
    enrolled: int = 0
    treated: int = 0
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # (id, text, count)


@dataclass
class Enrolment:
    enrolled: int
    target: int | None
    points: list[tuple[date, int]]  # (date, cumulative enrolled)

    @property
    def percent(self) -> float | None:
        return None if not self.target else 100.0 * self.enrolled / self.target


def participants(user: Any, protocol: Protocol, site: Site | None) -> QuerySet:
    qs = access.scope(Participant.objects.alive(), user, "participants", "read")
    qs = qs.filter(protocol__code=protocol.code)
    if site is not None:
        qs = qs.filter(site=site)
    return qs


def _enrolled_q() -> Q:
    return Q(status__in=ENROLLED_STATUSES) | Q(allocation__isnull=False,
                                               allocation__is_deleted=False)


def funnel(qs: QuerySet, protocol: Protocol) -> Funnel:
    eligible_screen = m.Screening.objects.alive().filter(
        participant=OuterRef("pk"), outcome=m.Screening.Outcome.ELIGIBLE)
    treated_any = Q(status=P.ON_TREATMENT)
    annotations: dict[str, Any] = {}
    for i, model in enumerate(TREATMENT_MODELS):
        annotations[f"t{i}"] = Exists(model.objects.alive().filter(participant=OuterRef("pk")))
        treated_any |= Q(**{f"t{i}": True})
    annotations["el"] = Exists(eligible_screen)
    agg = qs.annotate(**annotations).aggregate(
        screened=Count("pk", distinct=True),
        eligible=Count("pk", filter=Q(el=True) | _enrolled_q(), distinct=True),
        screen_failed=Count("pk", filter=Q(status=P.SCREEN_FAILED), distinct=True),
        enrolled=Count("pk", filter=_enrolled_q(), distinct=True),
        treated=Count("pk", filter=treated_any, distinct=True),
    )
    out = Funnel(**agg)
    texts = {c["id"]: c.get("text", c["id"])
             for c in (protocol.document.get("eligibility") or [])}  # fmt: skip
    reasons: Counter[str] = Counter()
    failed = m.Screening.objects.alive().filter(
        participant__in=qs.filter(status=P.SCREEN_FAILED).values("pk"),
        outcome=m.Screening.Outcome.NOT_ELIGIBLE).values_list("participant_id", "criteria")
    seen: dict[int, set[str]] = {}
    for pid, criteria in failed:
        for c in criteria or []:
            failing = (c.get("kind") == "inclusion" and c.get("outcome") == "not met") or (
                c.get("kind") == "exclusion" and c.get("outcome") == "met")
            if failing and c.get("id") not in seen.setdefault(pid, set()):
                seen[pid].add(c["id"])
                reasons[c["id"]] += 1
    out.reasons = [(cid, texts.get(cid, cid), n) for cid, n in reasons.most_common(5)]
    return out


def enrolment(qs: QuerySet, protocol: Protocol) -> Enrolment:
    rows = (qs.filter(_enrolled_q())
            .annotate(d=Coalesce(F("allocation__allocation_date"), F("consent_date")))
            .order_by().values("d").annotate(n=Count("pk", distinct=True)).order_by("d"))
    points: list[tuple[date, int]] = []
    total = 0
    undated = 0
    for r in rows:
        if r["d"] is None:
            undated += r["n"]
            continue
        total += r["n"]
        points.append((r["d"], total))
    return Enrolment(enrolled=total + undated, target=protocol.target_enrolment, points=points)


def chart(e: Enrolment, width: int = 480, height: int = 160, pad: int = 28) -> dict[str, Any]:
    """Coordinates of the cumulative enrolment line and the target line of an inline SVG."""
    if not e.points:
        return {"empty": True, "width": width, "height": height}
    first, last = e.points[0][0], e.points[-1][0]
    span = max((last - first).days, 1)
    top = max(e.target or 0, e.enrolled, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def xy(d: date, n: int) -> tuple[float, float]:
        return (round(pad + inner_w * (d - first).days / span, 1),
                round(height - pad - inner_h * n / top, 1))  # fmt: skip

    coords = [xy(first, 0)]
    prev = 0
    for d, n in e.points:  # a step line: flat until the next enrolment
        coords.append(xy(d, prev))
        coords.append(xy(d, n))
        prev = n
    target_y = round(height - pad - inner_h * (e.target or 0) / top, 1) if e.target else None
    return {
        "empty": False, "width": width, "height": height, "pad": pad,
        "line": " ".join(f"{x},{y}" for x, y in coords), "target_y": target_y,
        "first": first, "last": last, "top": top, "x_end": width - pad,
        "y_base": height - pad,
    }  # fmt: skip


def visits(user: Any, qs: QuerySet, today: date) -> dict[str, Any] | None:
    if not readable(user, "visits"):
        return None
    v = (m.Visit.objects.alive().for_user(user, "visits")
         .filter(participant__in=qs.values("pk"), actual_date__isnull=True, missed=False))
    agg = v.aggregate(
        due=Count("pk", filter=Q(window_start__lte=today, window_end__gte=today)),
        overdue=Count("pk", filter=Q(window_end__lt=today)),
        upcoming_30=Count("pk", filter=Q(window_start__gt=today,
                                         window_start__lte=today + timedelta(days=30))),
    )
    overdue = list(v.filter(window_end__lt=today).select_related("participant")
                   .order_by("window_end")[:8])  # fmt: skip
    due = list(v.filter(window_start__lte=today, window_end__gte=today)
               .select_related("participant").order_by("window_end")[:8])  # fmt: skip
    return {**agg, "overdue_list": overdue, "due_list": due}


def queries(user: Any, qs: QuerySet) -> list[dict[str, Any]] | None:
    if not readable(user, "queries"):
        return None
    rows = (m.DataQuery.objects.alive().for_user(user, "queries")
            .filter(participant__in=qs.values("pk")).order_by()
            .values("participant__site__code")
            .annotate(open=Count("pk", filter=Q(status="open", reopened=0)),
                      reopened=Count("pk", filter=Q(status="open", reopened__gt=0)),
                      answered=Count("pk", filter=Q(status="answered")),
                      closed=Count("pk", filter=Q(status="closed")))
            .order_by("participant__site__code"))  # fmt: skip
    return [{"site": r.pop("participant__site__code"), **r} for r in rows]


def adverse_events(user: Any, qs: QuerySet) -> dict[str, Any] | None:
    if not readable(user, "adverse-events"):
        return None
    ae = m.AdverseEvent.objects.alive().for_user(user, "adverse-events").filter(
        participant__in=qs.values("pk"))
    by_grade = dict(ae.order_by().values_list("grade").annotate(n=Count("pk")))
    agg = ae.aggregate(total=Count("pk"), n_serious=Count("pk", filter=Q(serious=True)),
                       n_participants=Count("participant", distinct=True),
                       sae_participants=Count("participant", filter=Q(serious=True),
                                              distinct=True))  # fmt: skip
    grades = [(g, by_grade.get(g, 0)) for g in range(1, 6)]
    return {**agg, "grades": grades, "max": max([n for _, n in grades] + [1])}


def recent_activity(user: Any, qs: QuerySet, limit: int = 12) -> list[dict[str, Any]]:
    """The latest audit events on the participants in ``qs`` (already site-scoped); events
    of allocations are left out for roles that may not see the arm, and only the names of
    the fields changed are shown (never values)."""
    from hccrt.web.capture.models import protocol_facts

    pids = qs.values("pk")
    events = list(AuditEvent.objects.filter(participant_id__in=pids).order_by("-id")
                  .values("id", "at", "username", "action", "model", "participant_id",
                          "site_id", "changes")[:limit * 3])  # fmt: skip
    people = dict(Participant.objects.filter(pk__in={e["participant_id"] for e in events})
                  .values_list("pk", "study_id"))  # fmt: skip
    protocols = dict(Participant.objects.filter(pk__in=people).values_list("pk", "protocol_id"))
    labels = _model_labels()
    out = []
    for e in events:
        masked = protocol_facts(protocols[e["participant_id"]]).masked \
            if e["participant_id"] in protocols else True
        sees = access.sees_arm(user, e["site_id"], masked)
        if not sees and e["model"] == "capture.allocation":
            continue
        fields = sorted(json.loads(e["changes"]))
        out.append({**e, "study_id": people.get(e["participant_id"], ""),
                    "label": labels.get(e["model"], e["model"]),
                    "fields": [f for f in fields if f not in ("is_deleted",)][:6]})
        if len(out) >= limit:
            break
    return out


def _model_labels() -> dict[str, str]:
    from django.apps import apps

    out = {}
    for label in access.model_resources():
        app_label, model = label.split(".")
        out[label] = str(apps.get_model(app_label, model)._meta.verbose_name)
    return out


def reader_summary(user: Any) -> dict[str, int]:
    reads = m.TumourAssessment.objects.alive().for_user(user, "tumour-assessments")
    return reads.aggregate(assigned=Count("pk"),
                           pending=Count("pk", filter=Q(overall_response="")))
