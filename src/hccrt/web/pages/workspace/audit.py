"""Audit history: the audit events a user may see, per record and per field, and the chain
verification for administrators.

Site isolation: only events filed under the sites where the user reads participants (roles
covering every site see every event). Arms: for a role that may not see the arm of a
participant (:func:`access.sees_arm`, with the protocol's masking), allocation events are
left out and every ``arm`` value is shown as concealed, as the API's history does.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import access
from hccrt.web.capture.models import Role, protocol_facts
from hccrt.web.core.models import Participant
from hccrt.web.pages.shell import READ_ALL, forbidden, role_required
from hccrt.web.pages.workspace.common import form_labels, is_htmx, record_url, show_value

CONCEALED = "concealed"
ARM_FIELDS = ("arm",)


def visible_events(user: Any) -> QuerySet:
    sites = access.allowed_sites(user, "participants", "read")
    qs = AuditEvent.objects.all()
    if sites is not None:
        qs = qs.filter(site_id__in=sites)
    return qs


def _parse_date(raw: str, field: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = f"got {raw!r}; allowed: a date YYYY-MM-DD"
        return None


def _filters(request: HttpRequest, qs: QuerySet) -> tuple[QuerySet, dict[str, str],
                                                           dict[str, str]]:  # fmt: skip
    keys = ("participant", "form", "user", "date_from", "date_to", "model", "pk", "field")
    f = {k: request.GET.get(k, "").strip() for k in keys}
    errors: dict[str, str] = {}
    if f["participant"]:
        ids = Participant.objects.filter(study_id=f["participant"]).values("pk")
        qs = qs.filter(participant_id__in=ids)
    if f["form"]:
        labels = [lbl for lbl, slug in access.model_resources().items() if slug == f["form"]]
        if not labels:
            errors["form"] = f"got {f['form']!r}; allowed: one of the forms listed"
        qs = qs.filter(model__in=labels)
    if f["user"]:
        qs = qs.filter(username=f["user"])
    d0 = _parse_date(f["date_from"], "date_from", errors)
    d1 = _parse_date(f["date_to"], "date_to", errors)
    if d0:
        qs = qs.filter(at__date__gte=d0)
    if d1:
        qs = qs.filter(at__date__lte=d1)
    if f["model"]:
        qs = qs.filter(model=f["model"])
        if f["pk"]:
            qs = qs.filter(object_pk=f["pk"])
    if f["field"]:
        qs = qs.filter(changes__contains=json.dumps(f["field"]) + ":")
    return qs, f, errors


def present(user: Any, events: list[AuditEvent], field: str = "") -> list[dict[str, Any]]:
    """Rows for the page: arm values concealed and allocation events left out where the user
    may not see the arm; changes limited to ``field`` when given."""
    pids = {e.participant_id for e in events if e.participant_id is not None}
    people = {pk: (sid, proto) for pk, sid, proto in Participant.objects.filter(pk__in=pids)
              .values_list("pk", "study_id", "protocol_id")}  # fmt: skip
    labels = form_labels()
    out = []
    for e in events:
        study_id, proto = people.get(e.participant_id, ("", None))
        masked = protocol_facts(proto).masked if proto is not None else True
        sees = access.sees_arm(user, e.site_id, masked)
        if not sees and e.model == "capture.allocation":
            continue
        changes = json.loads(e.changes)
        if field:
            changes = {k: v for k, v in changes.items() if k == field}
        rows = []
        for k, (old, new) in sorted(changes.items()):
            if not sees and k in ARM_FIELDS:
                old, new = (CONCEALED if old not in (None, "") else None), CONCEALED
            rows.append({"field": k, "old": show_value(old), "new": show_value(new)})
        out.append({"e": e, "study_id": study_id, "label": labels.get(e.model, e.model),
                    "changes": rows, "record_url": record_url(e.model, e.object_pk)})
    return out


def _is_admin(user: Any) -> bool:
    return Role.ADMINISTRATOR in access.roles(user)


def _verify() -> dict[str, Any]:
    from hccrt.web.audit import chain

    report = chain.verify()
    return {"ok": report.ok, "events": report.events,
            "seconds": round(report.seconds, 3), "broken": list(report.broken)[:20]}


@role_required(READ_ALL)
def audit_history(request: HttpRequest) -> HttpResponse:
    user = request.user
    verify = None
    if request.method == "POST":
        if request.POST.get("action") != "verify" or not _is_admin(user):
            return forbidden(request, "Verifying the audit chain is for administrators.")
        verify = _verify()
    qs, f, errors = _filters(request, visible_events(user))
    page = Paginator(qs.order_by("-id"), 50).get_page(request.GET.get("page"))
    rows = present(user, list(page), f["field"])
    labels = form_labels()
    record = None
    if f["model"] and f["pk"]:
        record = {"label": labels.get(f["model"], f["model"]), "pk": f["pk"],
                  "url": record_url(f["model"], f["pk"])}
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "rows": rows, "page": page, "filters": f, "errors": errors, "record": record,
        "forms": sorted((slug, labels[lbl]) for lbl, slug in access.model_resources().items()),
        "is_admin": _is_admin(user), "verify": verify, "query_string": params.urlencode(),
    }  # fmt: skip
    template = "pages/workspace/_audit_results.html" if is_htmx(request) and \
        request.method == "GET" else "pages/workspace/audit.html"
    return render(request, template, ctx, status=400 if errors else 200)
