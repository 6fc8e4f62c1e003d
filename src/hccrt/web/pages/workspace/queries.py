"""Queries inbox: the data queries a user may see, filters, counts per site and the lifecycle
actions the role may take (the rules are :mod:`hccrt.web.capture.query_flow`'s, the same as
the API's)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from hccrt.errors import InputError
from hccrt.web.audit.base import StaleVersionError
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import access, query_flow
from hccrt.web.capture.models import DataQuery
from hccrt.web.core.models import Participant
from hccrt.web.pages.shell import READ_ALL, forbidden, role_required
from hccrt.web.pages.workspace.common import form_labels, is_htmx, record_url, show_value

STATUS_FILTERS = ("open", "reopened", "answered", "closed", "all")


def visible_queries(user: Any) -> QuerySet:
    return (DataQuery.objects.alive().for_user(user, "queries")
            .select_related("participant__site", "raised_by"))  # fmt: skip


def _filtered(request: HttpRequest, qs: QuerySet) -> tuple[QuerySet, dict[str, str]]:
    f = {k: request.GET.get(k, "").strip() for k in ("status", "site", "participant", "form")}
    status = f["status"] or "open"
    f["status"] = status if status in STATUS_FILTERS else "open"
    if f["status"] == "reopened":
        qs = qs.filter(status="open", reopened__gt=0)
    elif f["status"] != "all":
        qs = qs.filter(status=f["status"])
    if f["site"]:
        qs = qs.filter(participant__site__code=f["site"])
    if f["participant"]:
        qs = qs.filter(participant__study_id__icontains=f["participant"])
    if f["form"]:
        labels = [lbl for lbl, slug in access.model_resources().items() if slug == f["form"]]
        qs = qs.filter(target_model__in=labels)
    return qs, f


def site_counts(qs: QuerySet) -> list[dict[str, Any]]:
    rows = (qs.order_by().values("participant__site__code")
            .annotate(open=Count("pk", filter=Q(status="open", reopened=0)),
                      reopened=Count("pk", filter=Q(status="open", reopened__gt=0)),
                      answered=Count("pk", filter=Q(status="answered")),
                      closed=Count("pk", filter=Q(status="closed")))
            .order_by("participant__site__code"))  # fmt: skip
    return [{"site": r.pop("participant__site__code"), **r} for r in rows]


def _raise(request: HttpRequest) -> tuple[dict[str, str], dict[str, str]]:
    """Handle the raise form; returns (errors by field, submitted values)."""
    data = {k: request.POST.get(k, "").strip()
            for k in ("participant", "form", "record", "field", "text")}  # fmt: skip
    errors: dict[str, str] = {}
    people = access.scope(Participant.objects.alive(), request.user, "participants")
    participant = people.filter(study_id=data["participant"]).first()
    if participant is None:
        errors["participant"] = (f"got {data['participant']!r}; allowed: the study id of a "
                                 "participant at your sites")  # fmt: skip
        return errors, data
    target_model, target_pk = "", ""
    if data["form"]:
        labels = {slug: lbl for lbl, slug in access.model_resources().items()}
        if data["form"] not in labels or data["form"] == "queries":
            errors["form"] = f"got {data['form']!r}; allowed: one of the forms listed"
            return errors, data
        target_model = labels[data["form"]]
        if not data["record"].isdigit():
            errors["record"] = (f"got {data['record']!r}; allowed: the record number (id) of "
                                "the form named")  # fmt: skip
            return errors, data
        from django.apps import apps

        model = apps.get_model(*target_model.split("."))
        rec = model.objects.filter(pk=int(data["record"])).values("participant_id").first()
        if rec is None or rec["participant_id"] != participant.pk:
            errors["record"] = (f"got {data['record']!r}; allowed: a record of "
                                f"{participant.study_id} in that form")  # fmt: skip
            return errors, data
        target_pk = data["record"]
    try:
        q = query_flow.raise_query(request.user, participant, text=data["text"],
                                   target_model=target_model, target_pk=target_pk,
                                   target_field=data["field"])  # fmt: skip
    except query_flow.QueryPermissionError as exc:
        errors["participant"] = str(exc)
    except InputError as exc:
        errors[exc.field] = str(exc)
    else:
        messages.success(request, f"Query #{q.pk} raised on {participant.study_id}.")
    return errors, data


@role_required(READ_ALL)
def query_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_raise = query_flow.may_raise(user)
    raise_errors: dict[str, str] = {}
    raise_data: dict[str, str] = {}
    if request.method == "POST":
        if not may_raise:
            return forbidden(request, "Queries are raised by monitors, data managers and "
                                      "administrators.")  # fmt: skip
        raise_errors, raise_data = _raise(request)
        if not raise_errors:
            return redirect(request.get_full_path())
    base = visible_queries(user)
    qs, f = _filtered(request, base)
    page = Paginator(qs.order_by("-updated_at", "-pk"), 50).get_page(request.GET.get("page"))
    labels = form_labels()
    rows = [{"q": q, "form": labels.get(q.target_model, q.target_model),
             "record_url": record_url(q.target_model, q.target_pk)} for q in page]
    counts = site_counts(base)
    ctx = {
        "rows": rows, "page": page, "filters": f, "statuses": STATUS_FILTERS,
        "counts": counts, "forms": sorted(
            (slug, labels[lbl]) for lbl, slug in access.model_resources().items()
            if slug != "queries"),
        "sites": [c["site"] for c in counts],
        "may_raise": may_raise, "raise_errors": raise_errors, "raise_data": raise_data,
        "query_string": request.GET.urlencode(),
    }  # fmt: skip
    template = "pages/workspace/_query_results.html" if is_htmx(request) and \
        request.method == "GET" else "pages/workspace/queries.html"
    return render(request, template, ctx, status=400 if raise_errors else 200)


@role_required(READ_ALL)
def query_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    query = get_object_or_404(visible_queries(user), pk=pk)
    error = ""
    conflict = None
    submitted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        submitted = {k: request.POST.get(k, "") for k in ("response", "reason", "version")}
        if action not in query_flow.allowed_actions(user, query):
            return forbidden(request, f"Your role may not {action or 'change'} this query "
                                      f"while it is {query.status}.")  # fmt: skip
        try:
            version = int(submitted["version"])
        except ValueError:
            error = f"version: got {submitted['version']!r}; allowed: an integer"
        else:
            try:
                query_flow.transition(query, user, action, version,
                                      response=submitted["response"],
                                      reason=submitted["reason"])  # fmt: skip
            except StaleVersionError as exc:
                conflict = (f"This query changed while you were reading it (you acted on "
                            f"version {exc.submitted}, it is now version {exc.current}). "
                            "Nothing was saved; your text is kept below — check the query "
                            "as it is now and apply again.")  # fmt: skip
                query = get_object_or_404(visible_queries(user), pk=pk)
            except InputError as exc:
                error = str(exc)
                query = get_object_or_404(visible_queries(user), pk=pk)
            else:
                messages.success(request, f"Query #{query.pk} is now {query.status}.")
                return redirect("pages:query-detail", pk=query.pk)
    events = []
    for e in AuditEvent.objects.filter(model="capture.dataquery", object_pk=str(query.pk)) \
            .order_by("id"):
        changes = json.loads(e.changes)
        events.append({"e": e, "changes": {k: (show_value(v[0]), show_value(v[1]))
                                          for k, v in changes.items()
                                          if k in ("status", "response", "text", "reopened")
                                          and not (e.action == "create" and k == "reopened")}
                       })  # fmt: skip
    ctx = {
        "q": query, "actions": query_flow.allowed_actions(user, query),
        "form": form_labels().get(query.target_model, query.target_model),
        "record_url": record_url(query.target_model, query.target_pk),
        "participant_url": record_url("core.participant", query.participant_id),
        "events": events, "error": error, "conflict": conflict, "submitted": submitted,
    }  # fmt: skip
    status = 409 if conflict else (400 if error else 200)
    return render(request, "pages/workspace/query_detail.html", ctx, status=status)
