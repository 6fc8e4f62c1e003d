"""Planning pages: the planning home, Y-90 / SBRT / HAIC planning and the QoL tablet form.

Every number shown comes from the core (see :mod:`.y90`, :mod:`.sbrt_haic`); rows are read
through site-isolated querysets and written with ``save(user=..., reason=...)`` (audited).
Live results: the forms post to a ``preview`` URL with htmx on change and the server renders
the results partial; without JavaScript the "Calculate" button posts the whole page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from hccrt.errors import InputError
from hccrt.web.audit.base import StaleVersionError
from hccrt.web.capture import access
from hccrt.web.capture.models import (
    HaicCycle,
    QolResponse,
    Role,
    SbrtCourse,
    SbrtFraction,
    Visit,
    Y90Administration,
    Y90Plan,
    protocol_facts,
    protocol_model,
)
from hccrt.web.core.models import Participant
from hccrt.web.pages.planning import qol as qol_items
from hccrt.web.pages.planning import sbrt_haic, y90
from hccrt.web.pages.planning.common import (
    FieldErrors,
    can,
    core_protocol,
    intervention_kinds,
    participant_for,
    status_class,
    visible_arm,
)
from hccrt.web.pages.shell import (
    PHYSICS,
    SITE_STAFF,
    forbidden,
    has_any_role,
    protocol_in_focus,
    role_required,
    visible_participants,
)

PLANNING = PHYSICS
HAIC_ROLES = PHYSICS | SITE_STAFF
QOL_ROLES = SITE_STAFF
Y90_KINDS = {"y90", "y90_glass", "y90_resin"}
_NOT_PLANNED = (Participant.Status.SCREENING, Participant.Status.SCREEN_FAILED)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _checks_context(checks: list[Any]) -> list[dict[str, Any]]:
    return [{"c": c, "css": status_class(c.status),
             "word": c.status.replace("_", " ")} for c in checks]  # fmt: skip


def _save(obj: Any, request: HttpRequest, reason: str, errors: FieldErrors) -> bool:
    """Audited save; a stale version, the model's clean() or a missing reason go on the form."""
    try:
        obj.save(user=request.user, reason=reason)
    except StaleVersionError as exc:
        errors.form.add_error(None, (
            f"Conflict: this record was changed by someone else since you opened it (you "
            f"edited version {exc.submitted}, the stored version is {exc.current}). Your "
            "entries are kept below; reload the record to see the other change, then apply "
            "yours again."))
        return False
    except ValidationError as exc:
        errors.validation_error(exc)
        return False
    except InputError as exc:
        if exc.field == "reason":
            errors.form.add_error("reason", "A reason is required for a change to saved data.")
        else:
            errors.input_error(exc)
        return False
    return True


# --------------------------------------------------------------------------- home


PAGE_SIZE = 50


@role_required(PLANNING | {Role.SITE_COORDINATOR})
def home(request: HttpRequest) -> HttpResponse:
    """Participants of the protocol in focus (enrolled or later) at the user's sites, with
    their plans; ``?show=needing`` lists those without any plan; 50 per page."""
    protocol = protocol_in_focus(request)
    rows: list[dict[str, Any]] = []
    kinds: set[str] = set()
    show = "needing" if request.GET.get("show") == "needing" else "all"
    page = None
    total = needing = 0
    if protocol is not None:
        core = protocol_model(protocol.pk)  # cached: stored versions are immutable
        kinds = intervention_kinds(core)
        people_qs = (visible_participants(request.user).filter(protocol__code=protocol.code)
                     .exclude(status__in=_NOT_PLANNED))  # fmt: skip
        people = list(people_qs.order_by("study_id").values(
            "pk", "study_id", "arm", "status", "site_id", "site__code", "protocol_id"))
        planned: set[int] = set()
        for model in (Y90Plan, SbrtCourse, HaicCycle):
            planned.update(model.objects.alive().filter(participant__in=people_qs.values("pk"))
                           .values_list("participant_id", flat=True).distinct())  # fmt: skip
        total = len(people)
        needing = sum(1 for p in people if p["pk"] not in planned)
        if show == "needing":
            people = [p for p in people if p["pk"] not in planned]
        page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
        ids = [p["pk"] for p in page.object_list]

        def counts(model: Any, extra: dict[str, Any] | None = None) -> dict[int, dict[str, Any]]:
            qs = model.objects.alive().filter(participant_id__in=ids).values("participant_id")
            return {r["participant_id"]: r for r in qs.annotate(n=Count("pk"), **(extra or {}))}

        y90_n = counts(Y90Plan, {"signed": Count("pk", filter=Q(signed_at__isnull=False))})
        sbrt_n = counts(SbrtCourse)
        haic_n = counts(HaicCycle)
        admin_n = counts(Y90Administration)
        arm_kinds = {a.id: {str(i.kind) for i in a.interventions} for a in core.arms}
        status_label = dict(Participant.Status.choices)
        # one URL per page, the participant's key substituted (reverse once, not per row)
        urls = {name: reverse(f"pages:{name}", args=[0]).replace("/0/", "/{}/")
                for name in ("y90-plan", "sbrt-plan", "haic-plan", "qol-fill")}
        for p in page.object_list:
            masked = protocol_facts(p["protocol_id"]).masked
            arm = p["arm"] if p["arm"] and access.sees_arm(request.user, p["site_id"],
                                                           masked) else None
            wanted = arm_kinds.get(arm, kinds) if arm else kinds
            pk = p["pk"]
            rows.append({
                "p": p, "arm": arm, "status": status_label.get(p["status"], p["status"]),
                "y90": y90_n.get(pk, {}), "sbrt": sbrt_n.get(pk, {}), "haic": haic_n.get(pk, {}),
                "administered": admin_n.get(pk, {}).get("n", 0),
                "wants_y90": bool(wanted & Y90_KINDS), "wants_sbrt": "sbrt" in wanted,
                "wants_haic": "haic" in wanted, "needs_plan": pk not in planned,
                "urls": {k.replace("-", "_"): u.format(pk) for k, u in urls.items()},
            })  # fmt: skip
    return render(request, "pages/planning/home.html", {
        "protocol": protocol, "rows": rows, "has_y90": bool(kinds & Y90_KINDS),
        "has_sbrt": "sbrt" in kinds, "has_haic": "haic" in kinds, "total": total,
        "needing": needing, "show": show, "page": page,
        "show_qol": has_any_role(request.user, QOL_ROLES),
    })  # fmt: skip


# --------------------------------------------------------------------------- Y-90


def _y90_setup(request: HttpRequest, pk: int) -> tuple[Participant, Any, str | None, list[str]]:
    participant = participant_for(request, pk)
    protocol = core_protocol(participant)
    arm = visible_arm(request.user, participant)
    return participant, protocol, arm, y90.devices_for(protocol, arm)


def _editing(request: HttpRequest, participant: Participant) -> Y90Plan | None:
    plan_pk = request.POST.get("plan") or request.GET.get("plan")
    if not plan_pk or not str(plan_pk).isdigit():
        return None
    return (Y90Plan.objects.for_user(request.user, "y90-plans", "read").alive()
            .filter(pk=int(plan_pk), participant=participant).first())  # fmt: skip


@role_required(PLANNING)
def y90_plan(request: HttpRequest, pk: int) -> HttpResponse:
    participant, protocol, arm, devices = _y90_setup(request, pk)
    existing = _editing(request, participant)
    may_write = can(request.user, "y90-plans", "write", participant.site_id)
    evaluation = None
    if request.method == "POST":
        form = y90.Y90PlanForm(request.POST, devices=devices)
        saving = request.POST.get("action") == "save"
        if saving and not may_write:
            return forbidden(request, "Your role may not record Y-90 plans at this site.")
        if form.is_valid():
            evaluation = y90.evaluate(form, protocol, arm, participant,
                                      existing.pk if existing else None)
        if saving and form.is_valid() and evaluation is not None and evaluation.plan:
            saved = _save_y90(request, form, participant, existing, evaluation)
            if saved is not None:
                messages.success(request, f"Y-90 plan saved (version {saved.version}).")
                return redirect("pages:y90-summary", pk=saved.pk)
    else:
        initial: dict[str, Any] = {"plan_date": timezone.localdate(), "device": devices[0],
                                   "model": "partition", "driver": "tumour_dose"}
        if existing is not None:
            initial = y90.initial_from(existing)
        form = y90.Y90PlanForm(initial=initial, devices=devices)
    return render(request, "pages/planning/y90_plan.html", {
        "participant": participant, "protocol": protocol, "arm": arm, "form": form,
        "ev": evaluation, "checks": _checks_context(evaluation.checks) if evaluation else [],
        "existing": existing, "may_write": may_write,
        "plans": Y90Plan.objects.for_user(request.user, "y90-plans", "read").alive()
        .filter(participant=participant).select_related("signed_by").order_by("-plan_date", "-pk"),
    })  # fmt: skip


def _save_y90(request: HttpRequest, form: y90.Y90PlanForm, participant: Participant,
              existing: Y90Plan | None, ev: y90.Y90Evaluation) -> Y90Plan | None:
    data = form.cleaned_data
    obj = existing or Y90Plan(participant=participant)
    if existing is not None and data.get("version") is not None:
        obj.version = data["version"]
    obj.plan_date = data["plan_date"]
    obj.territory = data["territory"]
    obj.inputs = ev.plan.inputs.model_dump(mode="json")  # type: ignore[union-attr]
    obj.planning_context = y90.context_of(data) or None
    reason = data.get("reason") or ""
    if existing is not None and existing.signed_at is not None:
        obj.signed_by, obj.signed_at = None, None  # a changed plan must be signed again
        reason = (reason + " [signature voided by the change]") if reason else ""
    return obj if _save(obj, request, reason, FieldErrors(form, y90.ALIASES)) else None


@role_required(PLANNING)
def y90_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live results partial (htmx): plan, vial and checks for the inputs so far."""
    participant, protocol, arm, devices = _y90_setup(request, pk)
    existing = _editing(request, participant)
    form = y90.Y90PlanForm(request.POST or None, devices=devices)
    ev = None
    if form.is_valid():
        ev = y90.evaluate(form, protocol, arm, participant, existing.pk if existing else None)
    return render(request, "pages/planning/_y90_results.html", {
        "form": form, "ev": ev, "checks": _checks_context(ev.checks) if ev else [],
        "protocol": protocol, "live": True})  # fmt: skip


def _stored_plan(request: HttpRequest, pk: int) -> Y90Plan | None:
    return (Y90Plan.objects.for_user(request.user, "y90-plans", "read").alive()
            .select_related("participant__protocol", "participant__site", "signed_by")
            .filter(pk=pk).first())  # fmt: skip


def _summary(request: HttpRequest, plan: Y90Plan, admin_form: Any = None,
             status: int = 200) -> HttpResponse:
    participant = plan.participant
    protocol = core_protocol(participant)
    arm = visible_arm(request.user, participant)
    ev = y90.evaluate_stored(plan, protocol, arm)
    administrations = []
    for a in (Y90Administration.objects.for_user(request.user, "y90-administrations", "read")
              .alive().filter(plan=plan).order_by("administration_date", "pk")):  # fmt: skip
        administrations.append({"a": a, "r": a.report})
    may_write = can(request.user, "y90-plans", "write", participant.site_id)
    return render(request, "pages/planning/y90_summary.html", {
        "plan": plan, "participant": participant, "protocol": protocol, "arm": arm, "ev": ev,
        "checks": _checks_context(ev.checks), "administrations": administrations,
        "assayed": [row for row in administrations if row["r"].get("assays")],
        "may_write": may_write,
        "may_sign": may_write and not ev.failed and ev.plan is not None
        and ev.plan.result.treatable,
        "may_administer": can(request.user, "y90-administrations", "write", participant.site_id),
        "admin_form": admin_form or y90.AdministrationForm(
            initial={"administration_date": timezone.localdate()}),
        "stored_protocol": participant.protocol, "printed_at": timezone.now(),
    }, status=status)  # fmt: skip


@role_required(PLANNING)
def y90_summary(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _stored_plan(request, pk)
    if plan is None:
        return render(request, "pages/planning/not_found.html", {"what": "Y-90 plan"},
                      status=404)  # fmt: skip
    return _summary(request, plan)


@role_required(PLANNING)
def y90_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign a plan: an audited change recording who signed and when (POST only)."""
    if request.method != "POST":
        return redirect("pages:y90-summary", pk=pk)
    plan = _stored_plan(request, pk)
    if plan is None:
        return render(request, "pages/planning/not_found.html", {"what": "Y-90 plan"},
                      status=404)  # fmt: skip
    if not can(request.user, "y90-plans", "write", plan.participant.site_id):
        return forbidden(request, "Your role may not sign Y-90 plans at this site.")
    if plan.signed_at is not None:
        messages.info(request, "This plan is already signed.")
        return redirect("pages:y90-summary", pk=pk)
    ev = y90.evaluate_stored(plan, core_protocol(plan.participant),
                             visible_arm(request.user, plan.participant))
    if ev.plan is None or not ev.plan.result.treatable or ev.failed:
        names = ", ".join(c.rule for c in ev.failed) or "the plan is not treatable"
        messages.error(request, f"Not signed: the plan fails a protocol check ({names}).")
        return _summary(request, plan, status=409)
    version = request.POST.get("version")
    if version and version.isdigit():
        plan.version = int(version)
    plan.signed_by = request.user
    plan.signed_at = timezone.now()
    try:
        plan.save(user=request.user, reason="plan signed by " + request.user.get_username())
    except StaleVersionError:
        messages.error(request, "Not signed: the plan changed since you opened it; review the "
                                "current version below and sign again.")  # fmt: skip
        fresh = _stored_plan(request, pk)
        return _summary(request, fresh, status=409)  # type: ignore[arg-type]
    messages.success(request, "Plan signed.")
    return redirect("pages:y90-summary", pk=pk)


@role_required(PLANNING)
def y90_administer(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the administration of a signed plan (delivered activity, or the assays)."""
    plan = _stored_plan(request, pk)
    if plan is None:
        return render(request, "pages/planning/not_found.html", {"what": "Y-90 plan"},
                      status=404)  # fmt: skip
    if request.method != "POST":
        return redirect("pages:y90-summary", pk=pk)
    if not can(request.user, "y90-administrations", "write", plan.participant.site_id):
        return forbidden(request, "Your role may not record Y-90 administrations at this site.")
    form = y90.AdministrationForm(request.POST)
    if plan.signed_at is None:
        form.add_error(None, "Sign the plan before recording its administration.")
        return _summary(request, plan, form, status=409)
    if not form.is_valid():
        return _summary(request, plan, form, status=400)
    obj = y90.administration_from(form, plan)
    if not _save(obj, request, "", FieldErrors(form, y90.ADMINISTRATION_ALIASES)):
        return _summary(request, plan, form, status=400)
    rep, assays = obj.report, obj.report.get("assays")
    residual = "" if assays is None else (
        f"; residual {assays['residual_activity_at_administration_gbq']:.3f} GBq "
        f"({assays['residual_fraction']:.1%} of the vial) at administration")
    messages.success(request, f"Administration recorded: {rep['delivered_activity_gbq']:.3f} GBq "
                              f"delivered ({rep['difference_pct']:+.1f} % against the "
                              f"prescription){residual}.")
    return redirect("pages:y90-summary", pk=pk)


# --------------------------------------------------------------------------- SBRT


@role_required(PLANNING)
def sbrt_plan(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request, pk)
    protocol = core_protocol(participant)
    may_write = can(request.user, "sbrt-courses", "write", participant.site_id)
    courses = (SbrtCourse.objects.for_user(request.user, "sbrt-courses", "read").alive()
               .filter(participant=participant).order_by("start_date", "pk"))  # fmt: skip
    edit_pk = request.POST.get("course") or request.GET.get("course")
    existing = courses.filter(pk=int(edit_pk)).first() if str(edit_pk or "").isdigit() else None
    ev = None
    fraction_form: sbrt_haic.FractionForm | None = None
    action = request.POST.get("action") if request.method == "POST" else None
    if action and action != "preview" and not may_write:
        return forbidden(request, "Your role may not record SBRT courses at this site.")
    if action == "fraction" and existing is not None:
        fraction_form = sbrt_haic.FractionForm(request.POST, auto_id=f"id_c{existing.pk}_%s")
        if fraction_form.is_valid():
            frac = SbrtFraction(participant=participant, course=existing,
                                **fraction_form.cleaned_data)  # fmt: skip
            if _save(frac, request, "", FieldErrors(fraction_form)):
                messages.success(request, f"Fraction {frac.number} recorded.")
                return redirect(reverse("pages:sbrt-plan", args=[pk]))
        form = sbrt_haic.SbrtForm(initial=_course_initial(existing))
    elif request.method == "POST":
        form = sbrt_haic.SbrtForm(request.POST)
        if form.is_valid():
            ev = sbrt_haic.evaluate_sbrt(form, protocol)
        if action == "save" and form.is_valid():
            data = form.cleaned_data
            obj = existing or SbrtCourse(participant=participant)
            if existing is not None and data.get("version") is not None:
                obj.version = data["version"]
            for key in ("start_date", "end_date", "target", "prescribed_dose_gy", "fractions"):
                setattr(obj, key, data.get(key))
            if _save(obj, request, data.get("reason") or "", FieldErrors(
                    form, {"total_dose_gy": "prescribed_dose_gy"})):
                messages.success(request, f"SBRT course saved: {obj.prescribed_dose_gy:g} Gy in "
                                          f"{obj.fractions} fractions (BED10 "
                                          f"{obj.bed10_gy:.1f} Gy).")
                return redirect(reverse("pages:sbrt-plan", args=[pk]))
    else:
        form = sbrt_haic.SbrtForm(initial=_course_initial(existing) if existing else {
            "start_date": timezone.localdate(),
            "fractions": protocol.planning.sbrt.fractions if protocol.planning.sbrt else None})
    fractions = {}
    for f in (SbrtFraction.objects.for_user(request.user, "sbrt-fractions", "read").alive()
              .filter(participant=participant).order_by("number")):  # fmt: skip
        fractions.setdefault(f.course_id, []).append(f)
    return render(request, "pages/planning/sbrt_plan.html", {
        "participant": participant, "protocol": protocol, "form": form, "ev": ev,
        "checks": _checks_context(ev.checks) if ev else [], "may_write": may_write,
        "courses": [{"c": c, "fractions": fractions.get(c.pk, []), "fraction_form": (
            fraction_form if fraction_form is not None and existing is not None
            and existing.pk == c.pk else sbrt_haic.FractionForm(auto_id=f"id_c{c.pk}_%s"))}
            for c in courses],
        "existing": existing,
    })  # fmt: skip


def _course_initial(c: SbrtCourse | None) -> dict[str, Any]:
    if c is None:
        return {}
    return {"start_date": c.start_date, "end_date": c.end_date, "target": c.target,
            "prescribed_dose_gy": c.prescribed_dose_gy, "fractions": c.fractions,
            "version": c.version}  # fmt: skip


@role_required(PLANNING)
def sbrt_preview(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request, pk)
    protocol = core_protocol(participant)
    form = sbrt_haic.SbrtForm(request.POST or None)
    ev = sbrt_haic.evaluate_sbrt(form, protocol) if form.is_valid() else None
    return render(request, "pages/planning/_sbrt_results.html", {
        "form": form, "ev": ev, "checks": _checks_context(ev.checks) if ev else [],
        "live": True})  # fmt: skip


# --------------------------------------------------------------------------- HAIC


def _haic_earlier(request: HttpRequest, participant: Participant,
                  exclude: int | None) -> list[date]:  # fmt: skip
    qs = (HaicCycle.objects.for_user(request.user, "haic-cycles", "read").alive()
          .filter(participant=participant).exclude(pk=exclude))  # fmt: skip
    return list(qs.values_list("cycle_date", flat=True))


@role_required(HAIC_ROLES)
def haic_plan(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request, pk)
    protocol = core_protocol(participant)
    regimens = sbrt_haic.regimen_choices(protocol)
    may_write = can(request.user, "haic-cycles", "write", participant.site_id)
    cycles = (HaicCycle.objects.for_user(request.user, "haic-cycles", "read").alive()
              .filter(participant=participant).order_by("cycle", "pk"))  # fmt: skip
    ev = None
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "save" and not may_write:
        return forbidden(request, "Your role may not record HAIC cycles at this site.")
    if request.method == "POST":
        form = sbrt_haic.HaicForm(request.POST, regimens=regimens)
        if form.is_valid():
            ev = sbrt_haic.evaluate_haic(form, protocol, _haic_earlier(request, participant,
                                                                       None))
        if action == "save" and form.is_valid() and ev is not None and ev.doses is not None:
            data = form.cleaned_data
            obj = HaicCycle(participant=participant, cycle=data["cycle"],
                            cycle_date=data["cycle_date"], regimen=data["regimen"],
                            drugs=sbrt_haic.drugs_record(ev.doses))  # fmt: skip
            if _save(obj, request, "", FieldErrors(form)):
                messages.success(request, f"HAIC cycle {obj.cycle} saved.")
                return redirect(reverse("pages:haic-plan", args=[pk]))
    else:
        nxt = (max((c.cycle for c in cycles), default=0)) + 1
        form = sbrt_haic.HaicForm(initial={"cycle": nxt, "cycle_date": timezone.localdate(),
                                           "regimen": regimens[0][0] if regimens else None},
                                  regimens=regimens)  # fmt: skip
    return render(request, "pages/planning/haic_plan.html", {
        "participant": participant, "protocol": protocol, "form": form, "ev": ev,
        "checks": _checks_context(ev.checks) if ev else [], "may_write": may_write,
        "cycles": cycles, "regimens": regimens,
    })  # fmt: skip


@role_required(HAIC_ROLES)
def haic_preview(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request, pk)
    protocol = core_protocol(participant)
    form = sbrt_haic.HaicForm(request.POST or None,
                              regimens=sbrt_haic.regimen_choices(protocol))  # fmt: skip
    ev = None
    if form.is_valid():
        ev = sbrt_haic.evaluate_haic(form, protocol, _haic_earlier(request, participant, None))
    return render(request, "pages/planning/_haic_results.html", {
        "form": form, "ev": ev, "checks": _checks_context(ev.checks) if ev else [],
        "live": True})  # fmt: skip


# --------------------------------------------------------------------------- QoL


def _draft_key(pk: int) -> str:
    return f"hccrt_qol_draft_{pk}"


@role_required(QOL_ROLES)
def qol_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """One question group per screen; answers kept in the session until the last screen."""
    participant = participant_for(request, pk)
    if not can(request.user, "qol", "write", participant.site_id):
        return forbidden(request, "Your role may not record questionnaires at this site.")
    key = _draft_key(participant.pk)
    draft: dict[str, Any] = request.session.get(key) or {"answers": {}}
    screens = qol_items.SCREENS
    total = len(screens)
    visits = (Visit.objects.for_user(request.user, "visits", "read").alive()
              .filter(participant=participant).order_by("visitnum"))  # fmt: skip
    try:
        index = int(request.POST.get("screen") or request.GET.get("screen") or 0)
    except ValueError:
        index = 0
    errors: list[str] = []
    if request.method == "POST":
        index = max(0, min(index, total))
        if index == 0:  # the start screen: date and visit, set by the site staff
            try:
                draft["completion_date"] = date.fromisoformat(
                    request.POST.get("completion_date", "")).isoformat()
            except ValueError:
                errors.append("Completion date: a date YYYY-MM-DD is required.")
            visit = request.POST.get("visit") or ""
            if visit and not visits.filter(pk=visit if visit.isdigit() else -1).exists():
                errors.append(f"Visit: got {visit!r}; allowed: a visit of this participant.")
            draft["visit"] = visit if visit.isdigit() else ""
        else:
            screen = screens[index - 1]
            for item in screen.items:
                raw = request.POST.get(f"q{item}", "")
                allowed = {str(v) for v, _ in screen.scale}
                if raw == "":
                    draft["answers"].pop(str(item), None)
                elif raw in allowed:
                    draft["answers"][str(item)] = int(raw)
                else:
                    errors.append(f"Item {item}: got {raw!r}; allowed: one of "
                                  f"{', '.join(sorted(allowed))}.")
        request.session[key] = draft
        if not errors:
            move = request.POST.get("move", "next")
            if move == "back":
                index = max(0, index - 1)
            elif index < total:
                index += 1
            elif move == "submit":
                return _qol_submit(request, participant, draft, key)
    index = max(0, min(index, total))
    screen = screens[index - 1] if index else None
    answered = len(draft["answers"])
    items = []
    if screen is not None:
        for item in screen.items:
            items.append({"n": item, "label": qol_items.item_label(item),
                          "value": draft["answers"].get(str(item)),
                          "choices": screen.scale})  # fmt: skip
    return render(request, "pages/planning/qol_fill.html", {
        "participant": participant, "screen": screen, "index": index, "total": total,
        "items": items, "errors": errors, "draft": draft, "visits": visits,
        "answered": answered, "unanswered": 48 - answered, "last": index == total,
        "today": timezone.localdate().isoformat(),
    }, status=400 if errors else 200)  # fmt: skip


def _qol_submit(request: HttpRequest, participant: Participant, draft: dict[str, Any],
                key: str) -> HttpResponse:
    answers = {int(k): v for k, v in draft["answers"].items()}
    when = date.fromisoformat(draft.get("completion_date") or timezone.localdate().isoformat())
    visit_id = int(draft["visit"]) if draft.get("visit") else None
    rows = []
    try:
        with transaction.atomic():
            for instrument, numbers in ((QolResponse.Instrument.QLQ_C30, qol_items.C30_ITEMS),
                                        (QolResponse.Instrument.QLQ_HCC18,
                                         qol_items.HCC18_ITEMS)):  # fmt: skip
                row = QolResponse(participant=participant, visit_id=visit_id,
                                  completion_date=when, instrument=instrument,
                                  answers={f"q{n}": answers.get(n) for n in numbers})
                row.save(user=request.user, reason="")
                rows.append(row)
    except (ValidationError, InputError) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"Not saved (nothing was stored): {text}")
        return redirect(reverse("pages:qol-fill", args=[participant.pk]) + "?screen=0")
    request.session.pop(key, None)
    return render(request, "pages/planning/qol_done.html", {
        "participant": participant, "rows": rows, "answered": len(
            [v for v in answers.values() if v is not None])})  # fmt: skip
