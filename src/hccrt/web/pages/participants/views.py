"""Participant list, participant timeline, and the eCRF forms (new, edit, delete, history).

Rows come only through the capture layer's scopes (:func:`hccrt.web.capture.access.scope`),
arms only where :func:`~hccrt.web.capture.access.sees_arm` allows, saves only through the
audited ``obj.save(user=..., reason=...)``. Validation is the model's ``clean()`` (the core).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hccrt.errors import InputError
from hccrt.web.audit.base import StaleVersionError
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import access
from hccrt.web.capture import models as m
from hccrt.web.core.models import Participant, Site
from hccrt.web.pages.participants import ecrf
from hccrt.web.pages.participants.sparkline import LabPoint, trend
from hccrt.web.pages.shell import (
    ANYONE,
    PHYSICS,
    READ_ALL,
    forbidden,
    protocol_in_focus,
    role_required,
    visible_participants,
)

LIST_ROLES = READ_ALL | PHYSICS
PAGE_SIZE = 50
CONCEALED = "concealed"


# ----------------------------------------------------------------------------- helpers


def can(user: Any, resource: str, op: str, site_id: int) -> bool:
    sites = access.allowed_sites(user, resource, op)
    return sites is None or site_id in sites


def sees_arm(user: Any, participant: Participant) -> bool:
    return access.sees_arm(user, participant.site_id,
                           m.protocol_facts(participant.protocol_id).masked)  # fmt: skip


def url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _participant(request: HttpRequest, pk: int) -> Participant:
    """A participant the user may see: by site, or (central reader) with a read assigned."""
    qs = visible_participants(request.user).select_related("site", "protocol")
    # the protocol document is large JSON: parsed only where needed, and cached by version
    qs = qs.defer("protocol__document")
    found = qs.filter(pk=pk).first()
    if found is None:
        # the capture scope offers a reader the participants with a read assigned to them
        imaging = access.scope(Participant.objects.alive(), request.user, "tumour-assessments")
        found = (imaging.select_related("site", "protocol").defer("protocol__document")
                 .filter(pk=pk).first())  # fmt: skip
    if found is None:
        raise Http404("no such participant among those you may see")
    return found


def _model(slug: str) -> type[m.Form]:
    model = ecrf.form_models().get(slug)
    if model is None:
        raise Http404(f"no form {slug!r}")
    return model


def _open_query_ids(obj: Any) -> set[int]:
    if obj.pk is None:
        return set()
    return set(m.DataQuery.objects.alive().filter(
        target_model=obj._meta.label_lower, target_pk=str(obj.pk),
        status=m.DataQuery.Status.OPEN).values_list("pk", flat=True))  # fmt: skip


def _announce_queries(request: HttpRequest, obj: Any, before: set[int]) -> None:
    now = m.DataQuery.objects.alive().filter(target_model=obj._meta.label_lower,
                                             target_pk=str(obj.pk))  # fmt: skip
    for q in now.filter(status=m.DataQuery.Status.OPEN).exclude(pk__in=before):
        messages.warning(request, f"Query opened: {q.text}")
    for q in now.filter(pk__in=before, status=m.DataQuery.Status.CLOSED):
        messages.info(request, f"Query closed: {q.text}")


# ----------------------------------------------------------------------------- list


@role_required(LIST_ROLES)
def participant_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    protocol = protocol_in_focus(request)
    qs = visible_participants(user).select_related("site")
    if protocol is not None:
        qs = qs.filter(protocol__code=protocol.code)
    sites = Site.objects.filter(pk__in=qs.values("site_id")).order_by("code")
    q = request.GET.get("q", "").strip()
    site = request.GET.get("site", "")
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(study_id__icontains=q)
    if site:
        qs = qs.filter(site__code=site)
    if status:
        qs = qs.filter(status=status)
    visits = access.scope(m.Visit.objects.alive(), user, "visits")
    last_visit = (visits.filter(participant_id=OuterRef("pk"), actual_date__isnull=False)
                  .order_by("-actual_date").values("actual_date")[:1])  # fmt: skip
    queries = (access.scope(m.DataQuery.objects.alive(), user, "queries")
               .filter(participant_id=OuterRef("pk"), status=m.DataQuery.Status.OPEN)
               .order_by().values("participant_id").annotate(n=Count("pk")).values("n"))
    qs = qs.annotate(last_visit=Subquery(last_visit), open_queries=Subquery(queries))
    page = Paginator(qs.order_by("study_id"), PAGE_SIZE).get_page(request.GET.get("page"))
    masked = {}
    rows = []
    for p in page.object_list:
        if p.protocol_id not in masked:
            masked[p.protocol_id] = m.protocol_facts(p.protocol_id).masked
        shown = access.sees_arm(user, p.site_id, masked[p.protocol_id])
        rows.append({"p": p, "arm": (p.arm or "—") if shown else None,
                     "open_queries": p.open_queries or 0})  # fmt: skip
    keep = {k: v for k, v in (("protocol", protocol.code if protocol else ""), ("q", q),
                              ("site", site), ("status", status)) if v}  # fmt: skip
    context = {
        "protocol": protocol, "page": page, "rows": rows, "sites": sites,
        "statuses": Participant.Status.choices, "q": q, "site": site, "status": status,
        "keep": urlencode(keep),
        "sees_visits": access.allowed_sites(user, "visits", "read") != set(),
        "sees_queries": access.allowed_sites(user, "queries", "read") != set(),
    }  # fmt: skip
    template = "pages/participants/_list_table.html" if request.headers.get("HX-Request") \
        else "pages/participants/list.html"  # fmt: skip
    return render(request, template, context)


# ----------------------------------------------------------------------------- timeline

#: timeline sections: (resource, title, select_related, order)
SECTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("y90-plans", "Y-90 plans", (), ("plan_date",)),
    ("y90-administrations", "Y-90 administrations", ("plan",), ("administration_date",)),
    ("y90-post-treatment-dosimetry", "Y-90 post-treatment dosimetry", ("administration",),
     ("imaging_date", "quantity")),
    ("sbrt-courses", "SBRT courses", (), ("start_date",)),
    ("sbrt-fractions", "SBRT fractions", ("course",), ("fraction_date", "number")),
    ("haic-cycles", "HAIC cycles", (), ("cycle_date",)),
    ("systemic-therapies", "Systemic therapy", (), ("line", "start_date")),
    ("tumour-assessments", "Tumour assessments", (), ("assessment_date", "criteria")),
    ("adverse-events", "Adverse events", (), ("start_date",)),
    ("qol", "Quality of life", (), ("completion_date", "instrument")),
    ("vital-signs", "Vital signs", (), ("assessment_date",)),
    ("surgeries", "Surgery and pathology", (), ("surgery_date",)),
    ("subsequent-treatments", "Subsequent treatments", (), ("start_date",)),
    ("dispositions", "Disposition", (), ("disposition_date",)),
)

Cell = Callable[[Any], Any]
#: the areas' own pages for a new record (participant pk) and for opening one (record pk);
#: the generic form stays offered next to them
NEW_PAGE = {"tumour-assessments": "pages:assessment-new", "y90-plans": "pages:y90-plan",
            "sbrt-courses": "pages:sbrt-plan", "haic-cycles": "pages:haic-plan",
            "qol": "pages:qol-fill"}  # fmt: skip
OPEN_PAGE = {"tumour-assessments": "pages:assessment-edit", "y90-plans": "pages:y90-summary"}


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _qol_scores(r: Any) -> str:
    scores = r.scores or {}
    keys = ("QL2", "SUMSC") if r.instrument == "QLQ-C30" else tuple(sorted(scores))[:4]
    shown = [f"{k} {scores[k]:.1f}" for k in keys if isinstance(scores.get(k), int | float)]
    return ", ".join(shown) or "—"


def _seriousness(r: Any) -> str:
    if not r.serious:
        return "not serious"
    criteria = [label for flag, label in ((r.results_in_death, "death"),
                                          (r.life_threatening, "life-threatening"),
                                          (r.hospitalization, "hospitalization")) if flag]
    return "serious" + (f" ({', '.join(criteria)})" if criteria else "")


#: timeline columns per section: (header, cell)
COLUMNS: dict[str, tuple[tuple[str, Cell], ...]] = {
    "y90-plans": (("Plan date", lambda r: r.plan_date), ("Territory", lambda r: r.territory),
                  ("Activity (GBq)", lambda r: _num(r.activity_gbq)),
                  ("Treatable", lambda r: "yes" if r.treatable else "no")),
    "y90-administrations": (("Date", lambda r: r.administration_date),
                            ("Plan", lambda r: r.plan.plan_date),
                            ("Delivered (GBq)", lambda r: _num(r.delivered_activity_gbq))),
    "y90-post-treatment-dosimetry": (
        ("Scan date", lambda r: r.imaging_date),
        ("Administration", lambda r: r.administration.administration_date),
        ("Dose", lambda r: r.get_quantity_display()),
        ("Measured", lambda r: f"{_num(r.value)} {r.unit}"),
        ("Predicted (Gy)", lambda r: _num(r.predicted_gy)),
        ("Imaging", lambda r: r.get_modality_display() or "not stated")),
    "sbrt-courses": (("Start", lambda r: r.start_date), ("End", lambda r: r.end_date or "—"),
                     ("Target", lambda r: r.target),
                     ("Dose / fractions", lambda r: f"{r.prescribed_dose_gy:g} Gy / {r.fractions}"),
                     ("BED10 (Gy)", lambda r: _num(r.bed10_gy))),
    "sbrt-fractions": (("Date", lambda r: r.fraction_date), ("Fraction", lambda r: r.number),
                       ("Course start", lambda r: r.course.start_date),
                       ("Dose (Gy)", lambda r: _num(r.dose_gy))),
    "haic-cycles": (("Date", lambda r: r.cycle_date), ("Cycle", lambda r: r.cycle),
                    ("Regimen", lambda r: r.regimen),
                    ("Drugs", lambda r: "; ".join(
                        f"{d.get('agent', '?')} {d.get('dose', '')} {d.get('dose_unit', '')}"
                        .strip() for d in r.drugs if isinstance(d, dict)) or "—")),
    "systemic-therapies": (("Line", lambda r: r.line), ("Agent", lambda r: r.agent),
                           ("Start", lambda r: r.start_date), ("End", lambda r: r.end_date or "—"),
                           ("Stop reason", lambda r: r.stop_reason or "—")),
    "tumour-assessments": (("Date", lambda r: r.assessment_date),
                           ("Time point", lambda r: r.get_timepoint_display()),
                           ("Criteria", lambda r: r.criteria), ("Modality", lambda r: r.modality),
                           ("Evaluator", lambda r: r.evaluator),
                           ("Overall response", lambda r: r.overall_response or "—")),
    "adverse-events": (("Term", lambda r: r.term), ("CTCAE grade", lambda r: f"grade {r.grade}"),
                       ("Seriousness", _seriousness), ("Start", lambda r: r.start_date),
                       ("End", lambda r: r.end_date or "—"),
                       ("Outcome", lambda r: r.outcome or "—")),
    "qol": (("Date", lambda r: r.completion_date), ("Instrument", lambda r: r.instrument),
            ("Items answered", lambda r: len(r.answers or {})), ("Scores", _qol_scores)),
    "vital-signs": (("Date", lambda r: r.assessment_date), ("Weight (kg)", lambda r: _num(
                    r.weight_kg)), ("BP (mmHg)", lambda r: f"{r.systolic_bp or '—'}/"
                                                           f"{r.diastolic_bp or '—'}"),
                    ("Pulse (/min)", lambda r: r.pulse or "—"), ("ECOG", lambda r: r.ecog
                                                                 if r.ecog is not None else "—")),
    "surgeries": (("Date", lambda r: r.surgery_date), ("Procedure", lambda r: r.procedure),
                  ("Margin", lambda r: r.margin or "—"),
                  ("Necrosis (%)", lambda r: _num(r.necrosis_percent)),
                  ("Viable tumour", lambda r: {True: "yes", False: "no"}.get(r.viable_tumour,
                                                                              "—"))),
    "subsequent-treatments": (("Start", lambda r: r.start_date),
                              ("Treatment", lambda r: r.treatment), ("Reason", lambda r: r.reason)),
    "dispositions": (("Date", lambda r: r.disposition_date), ("Event", lambda r: r.event),
                     ("Withdrawal scope", lambda r: r.get_withdrawal_scope_display() or "—"),
                     ("Cause of death", lambda r: r.death_cause or "—")),
}  # fmt: skip


def _rows(model: type[Any], user: Any, resource: str, participant: Participant,
          related: tuple[str, ...] = (), order: tuple[str, ...] = ()) -> list[Any]:  # fmt: skip
    qs = model.objects.alive().for_user(user, resource).filter(participant=participant)
    if related:
        qs = qs.select_related(*related)
    return list(qs.order_by(*order, "pk"))


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _links(slug: str, pk: int, can_write: bool) -> dict[str, str | None]:
    return {"edit": reverse("pages:form-edit", args=[slug, pk]) if can_write else None,
            "history": reverse("pages:form-history", args=[slug, pk])}  # fmt: skip


@role_required(ANYONE)
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's timeline: visits, treatments, assessments, AEs, QoL, labs, queries."""
    user = request.user
    p = _participant(request, pk)
    today = timezone.localdate()
    names = ecrf.form_models()
    readable = {slug for slug in (*names, "queries") if can(user, slug, "read", p.site_id)}
    writable = {slug for slug in names if can(user, slug, "write", p.site_id)}
    if access.reader_only(user, "tumour-assessments"):
        writable.discard("tumour-assessments")
    interventions = dict(ecrf.interventions_of(p))
    sections = []
    for slug, title, related, order in SECTIONS:
        if slug not in readable:
            continue
        columns = COLUMNS[slug]
        header = [h for h, _ in columns]
        if slug == "adverse-events":
            header.append("Relatedness")
        rows = []
        for r in _rows(names[slug], user, slug, p, related, order):
            cells = [_cell(cell(r)) for _, cell in columns]
            if slug == "adverse-events":
                rel = r.relatedness if isinstance(r.relatedness, dict) else {}
                cells.append("; ".join(f"{interventions.get(k, k)}: {v.lower()}"
                                       for k, v in rel.items()) or "not assessed")
            links = _links(slug, r.pk, slug in writable)
            if slug in OPEN_PAGE:
                links["read"] = url_or_none(OPEN_PAGE[slug], r.pk)
            rows.append({"cells": cells, **links})
        plain = reverse("pages:form-new", args=[p.pk, slug]) if slug in writable else None
        special = url_or_none(NEW_PAGE[slug], p.pk) if plain and slug in NEW_PAGE else None
        sections.append({"slug": slug, "title": title, "header": header, "rows": rows,
                         "new_url": special or plain,
                         "plain_url": plain if special else None})  # fmt: skip
    filled = [s for s in sections if s["rows"]]
    empty = [s for s in sections if not s["rows"]]
    visits = []
    if "visits" in readable:
        lab_url = (reverse("pages:form-new", args=[p.pk, "labs"])
                   if "labs" in writable else None)  # fmt: skip
        for v in _rows(m.Visit, user, "visits", p, (), ("visitnum",)):
            day = (v.actual_date or v.planned_date).isoformat()
            visits.append({"v": v, "status": v.status_on(today),
                           "lab_url": f"{lab_url}?visit={v.pk}&collection_date={day}"
                           if lab_url else None,
                           **_links("visits", v.pk, "visits" in writable)})  # fmt: skip
    labs: list[dict[str, Any]] = []
    if "labs" in readable:
        by_test: dict[str, list[m.LabResult]] = {}
        for lab in _rows(m.LabResult, user, "labs", p, (), ("collection_date",)):
            by_test.setdefault(lab.test, []).append(lab)
        for test in sorted(by_test):
            rows = by_test[test]
            points = [LabPoint(r.collection_date, r.value, r.unit, r.uln, r.ctcae_grade)
                      for r in rows]  # fmt: skip
            chart = trend(test, test, points)
            labs.append({"test": test, "trend": chart, "unit": ecrf.unit_label(chart.unit),
                         "rows": [{"r": r, "unit": ecrf.unit_label(r.unit) if r.unit else "—",
                                   **_links("labs", r.pk, "labs" in writable)}
                                  for r in reversed(rows)]})  # fmt: skip
    queries = []
    if "queries" in readable:
        queries = [{"q": q, "url": url_or_none("pages:query-detail", q.pk)}
                   for q in m.DataQuery.objects.alive().for_user(user, "queries")
                   .filter(participant=p).exclude(status=m.DataQuery.Status.CLOSED)
                   .order_by("created_at")]  # fmt: skip
    slugs = access.model_resources()
    deleted = []
    for e in AuditEvent.objects.filter(participant_id=p.pk, action="delete").order_by("-id"):
        slug = slugs.get(e.model)
        if slug in readable and slug in names:
            deleted.append({"e": e, "title": ecrf.title_of(names[slug]),
                            "history": reverse("pages:form-history",
                                               args=[slug, int(e.object_pk)])})  # fmt: skip
    context = {
        "deleted": deleted,
        "p": p, "arm": (p.arm or "not allocated") if sees_arm(user, p) else None,
        "visits": visits, "sections": filled, "empty_sections": empty, "labs": labs,
        "queries": queries,
        "readable": readable, "today": today,
        "sees_facts": can(user, "participants", "read", p.site_id),
        "lab_new": reverse("pages:form-new", args=[p.pk, "labs"]) if "labs" in writable
        else None,
    }  # fmt: skip
    return render(request, "pages/participants/detail.html", context)


# ----------------------------------------------------------------------------- forms


def _render_form(request: HttpRequest, form: ecrf.EcrfForm, *, slug: str, participant:
                 Participant, obj: Any = None, conflict: dict[str, Any] | None = None,
                 status: int = 200) -> HttpResponse:  # fmt: skip
    model = form._meta.model
    context = {
        "form": form, "slug": slug, "p": participant, "obj": obj, "conflict": conflict,
        "title": ecrf.title_of(model), "is_ae": isinstance(form, ecrf.AdverseEventForm),
        "is_lab": isinstance(form, ecrf.LabForm), "is_haic": isinstance(form, ecrf.HaicForm),
        "special": set(_special_fields(form)),
        "ctcae_terms": ecrf.ctcae_terms() if isinstance(form, ecrf.AdverseEventForm) else [],
        "derived": ecrf.derived_values(obj) if obj is not None else [],
    }  # fmt: skip
    return render(request, "pages/participants/form.html", context, status=status)


def _special_fields(form: ecrf.EcrfForm) -> list[str]:
    """Fields the template places itself (not in the generic grid)."""
    out = ["version", "change_reason"]
    if isinstance(form, ecrf.AdverseEventForm):
        out += ["grade", "serious", "results_in_death", "life_threatening", "hospitalization"]
        out += [b.name for b in form.relatedness_fields()]
    if isinstance(form, ecrf.HaicForm):
        out += [b.name for row in form.drug_fields() for b in row]
    return out


def _validate(request: HttpRequest, form: ecrf.EcrfForm) -> HttpResponse:
    """htmx: the core's messages for what has been entered so far (missing fields are not
    reported until the form is sent) and the values the core derives from it."""
    form.is_valid()
    found = form.errors.as_data()
    errors = {name: [msg for e in found.get(name, []) if e.code != "required"
                     for msg in e.messages] for name in form.fields}  # fmt: skip
    general = [msg for e in found.get(NON_FIELD_ERRORS, []) for msg in e.messages]
    derived = ecrf.derived_values(form.instance) if not any(errors.values()) else []
    slots = [(form[name].html_name, errs) for name, errs in errors.items()]
    return render(request, "pages/participants/_validation.html",
                  {"slots": slots, "general": general, "derived": derived})  # fmt: skip


def _save(request: HttpRequest, form: ecrf.EcrfForm, obj: Any, reason: str) -> bool:
    """Save through the audited path; errors go onto the form. True when saved."""
    before = _open_query_ids(obj)
    try:
        obj.save(user=request.user, reason=reason)
    except ValidationError as exc:
        form._update_errors(exc)
        return False
    except InputError as exc:
        form.add_error(None, str(exc))
        return False
    _announce_queries(request, obj, before)
    return True


@role_required(ANYONE)
def form_new(request: HttpRequest, pk: int, form: str) -> HttpResponse:
    slug = form
    model = _model(slug)
    p = _participant(request, pk)
    if not can(request.user, slug, "write", p.site_id) or (
            slug in access.IMAGING and access.reader_only(request.user, slug)):
        return forbidden(request, f"Your role may not add {slug} for this participant.")
    cls = ecrf.form_class(model, editing=False)
    if request.method == "POST":
        f = cls(request.POST, participant=p)
        if "_validate" in request.POST:
            return _validate(request, f)
        if f.is_valid():
            obj = f.save(commit=False)
            obj.participant = p
            if _save(request, f, obj, ""):
                messages.success(request, f"{ecrf.title_of(model)} saved (version 1).")
                return redirect(reverse("pages:participant-detail", args=[p.pk]) + f"#{slug}")
        return _render_form(request, f, slug=slug, participant=p, status=422)
    initial = {k: v for k, v in request.GET.items() if k in cls.base_fields}
    return _render_form(request, cls(initial=initial, participant=p), slug=slug, participant=p)


def _editable(request: HttpRequest, slug: str, pk: int) -> tuple[type[m.Form], Any]:
    model = _model(slug)
    qs = model.objects.alive().for_user(request.user, slug, "read")
    qs = qs.select_related("participant__site", "participant__protocol")
    obj = get_object_or_404(qs.defer("participant__protocol__document"), pk=pk)
    return model, obj


def _may_write(request: HttpRequest, model: type[Any], slug: str, pk: int) -> bool:
    return model.objects.filter(pk=pk).for_user(request.user, slug, "write").exists()


def _conflict(model: type[Any], edited: Any, form: ecrf.EcrfForm, exc: StaleVersionError
              ) -> dict[str, Any]:  # fmt: skip
    """What differs between the stored record and the user's (kept) input."""
    current = model.objects.get(pk=edited.pk)
    rows = []
    for name in form._meta.fields:
        field = model._meta.get_field(name)
        stored, mine = getattr(current, field.attname), getattr(edited, field.attname)
        if stored != mine:
            rows.append({"field": str(field.verbose_name), "stored": _show(stored),
                         "mine": _show(mine)})  # fmt: skip
    return {"submitted": exc.submitted, "current": exc.current, "rows": rows}


@role_required(ANYONE)
def form_edit(request: HttpRequest, form: str, pk: int) -> HttpResponse:
    slug = form
    model, obj = _editable(request, slug, pk)
    p = obj.participant
    if not _may_write(request, model, slug, pk):
        return forbidden(request, f"Your role may not change this {slug} record.")
    cls = ecrf.form_class(model, editing=True)
    if request.method != "POST":
        return _render_form(request, cls(instance=obj, participant=p, editing=True), slug=slug,
                            participant=p, obj=obj)  # fmt: skip
    # the form works on a copy: ``obj`` keeps the stored values shown beside the form
    f = cls(request.POST, instance=copy.copy(obj), participant=p, editing=True)
    if "_validate" in request.POST:
        return _validate(request, f)
    if f.is_valid():
        edited = f.save(commit=False)
        edited.version = f.cleaned_data["version"]
        try:
            saved = _save(request, f, edited, f.cleaned_data["change_reason"])
        except StaleVersionError as exc:
            conflict = _conflict(model, edited, f, exc)
            data = request.POST.copy()
            data["version"] = str(exc.current)
            current = model.objects.select_related("participant").get(pk=pk)
            again = cls(data, instance=copy.copy(current), participant=p, editing=True)
            return _render_form(request, again, slug=slug, participant=p, obj=current,
                                conflict=conflict, status=409)  # fmt: skip
        if saved:
            messages.success(request, f"{ecrf.title_of(model)} saved (version "
                                      f"{edited.version}).")  # fmt: skip
            return redirect(reverse("pages:participant-detail", args=[p.pk]) + f"#{slug}")
    return _render_form(request, f, slug=slug, participant=p, obj=obj, status=422)


@require_POST
@role_required(ANYONE)
def form_delete(request: HttpRequest, form: str, pk: int) -> HttpResponse:
    slug = form
    model, obj = _editable(request, slug, pk)
    if not _may_write(request, model, slug, pk):
        return forbidden(request, f"Your role may not delete this {slug} record.")
    reason = request.POST.get("delete_reason", "").strip()
    edit_url = reverse("pages:form-edit", args=[slug, pk])
    if not reason:
        messages.error(request, "Not deleted: a reason for deleting the record is required.")
        return redirect(edit_url)
    try:
        obj.version = int(request.POST.get("version", ""))
        obj.soft_delete(reason=reason, user=request.user)
    except (ValueError, StaleVersionError):
        messages.error(request, "Not deleted: the record changed since you opened it; "
                                "review the stored values and try again.")  # fmt: skip
        return redirect(edit_url)
    messages.success(request, f"{ecrf.title_of(model)} deleted (kept in the audit trail).")
    return redirect(reverse("pages:participant-detail", args=[obj.participant_id]) + f"#{slug}")


@role_required(ANYONE)
def form_history(request: HttpRequest, form: str, pk: int) -> HttpResponse:
    """Per-field history of one record: who, when, old -> new, and why."""
    slug = form
    model = _model(slug)
    qs = model.objects.for_user(request.user, slug, "read")  # deleted records keep a history
    obj = get_object_or_404(qs.select_related("participant__site"), pk=pk)
    p = obj.participant
    events = AuditEvent.objects.filter(model=model._meta.label_lower, object_pk=str(obj.pk))
    show_arm = sees_arm(request.user, p)
    labels = {f.attname: ecrf.field_label(model, f.attname) for f in model._meta.concrete_fields}
    wanted = request.GET.get("field", "")
    rows = []
    for e in events.order_by("id"):
        changes = json.loads(e.changes)
        for name, (old, new) in sorted(changes.items()):
            if wanted and name != wanted:
                continue
            if e.action == "create" and name == "is_deleted":
                continue
            if name == "arm" and not show_arm:
                old = new = CONCEALED
            rows.append({"e": e, "field": name, "label": labels.get(name, name),
                         "old": _show(old), "new": _show(new)})  # fmt: skip
    fields = sorted({r["field"] for r in rows}) if not wanted else [wanted]
    return render(request, "pages/participants/history.html", {
        "obj": obj, "p": p, "slug": slug, "title": ecrf.title_of(model), "rows": rows,
        "wanted": wanted, "fields": fields, "labels": labels,
    })  # fmt: skip


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# ----------------------------------------------------------------------------- htmx pieces


@role_required(ANYONE)
def lab_units(request: HttpRequest) -> HttpResponse:
    """The unit picker's options for ``?test=`` (htmx swaps them into the select)."""
    test = request.GET.get("test") or None
    current = request.GET.get("unit") or None
    return render(request, "pages/participants/_unit_options.html",
                  {"choices": ecrf.unit_choices(test, current), "current": current or ""})


@role_required(ANYONE)
def ae_grades(request: HttpRequest) -> HttpResponse:
    """The NCI grade texts of ``?term=`` where the core holds them."""
    term = request.GET.get("term", "")
    return render(request, "pages/participants/_grade_definitions.html",
                  {"term": term, "definitions": ecrf.grade_definitions(term)})


