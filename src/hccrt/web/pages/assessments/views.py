"""Tumour assessment, central review and adjudication pages.

* ``assessment-new`` / ``assessment-edit``: the investigator's read of one imaging date; at
  follow-up the lesion table is carried forward from the baseline read, and the timepoint
  response under each criteria set of the protocol is computed live by the core.
* ``review-inbox`` / ``review-read``: a central imaging reader's assigned reads (a
  :class:`TumourAssessment` with ``evaluator`` INDEPENDENT ASSESSOR and ``reader`` = the user,
  created by a data manager), blinded: a case label instead of the study id, never the arm,
  the site or another evaluator's lesions. A read is *complete* once its overall response is
  stored ("Mark read complete"); a draft keeps it empty.
* ``adjudication``: where the two central readers' completed reads disagree, the adjudicator
  chooses one read per timepoint with a reason. The adjudication is stored as a
  TumourAssessment with ``evaluator`` ADJUDICATOR, ``reader`` = the adjudicator, the chosen
  read's overall response and a copy of its lesions; the reason (naming the chosen read) is
  in the audit trail. The adjudicator is an administrator, or a central reader holding an
  adjudication assignment for the participant (an ADJUDICATOR assessment with ``reader`` =
  them, created like a read assignment) who is not one of its two readers. The accepted
  response is :func:`hccrt.response.accepted_response` of the stored reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hccrt.errors import InputError
from hccrt.web.audit.base import StaleVersionError
from hccrt.web.capture import access
from hccrt.web.capture.models import Lesion, Role, TumourAssessment
from hccrt.web.core.models import Participant
from hccrt.web.pages.assessments import logic
from hccrt.web.pages.assessments.logic import (
    ADJUDICATOR,
    CENTRAL,
    CORE_CRITERIA,
    INVESTIGATOR,
    MODEL_CRITERIA,
    LesionRow,
    Read,
)
from hccrt.web.pages.shell import READERS, SITE_STAFF, forbidden, role_required

RESOURCE = "tumour-assessments"
FOLLOW_UP = TumourAssessment.Timepoint.FOLLOW_UP
BASELINE = TumourAssessment.Timepoint.BASELINE
TIMEPOINT_LABELS = {BASELINE: "Baseline", FOLLOW_UP: "Follow-up"}


# ------------------------------------------------------------------------- the read form


@dataclass
class ReadForm:
    """The header and lesion rows of one read, as typed or as stored."""

    timepoint: str
    assessment_date: date | None = None
    modality: str = "CT SCAN"
    criteria: list[str] = field(default_factory=list)  # core names
    rows: list[LesionRow] = field(default_factory=list)
    reason: str = ""
    version: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def timepoint_label(self) -> str:
        return TIMEPOINT_LABELS.get(self.timepoint, self.timepoint)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(r.errors for r in self.rows)

    @classmethod
    def from_post(cls, data: Any, fixed: ReadForm | None = None) -> ReadForm:
        """Typed values; ``fixed`` supplies the header a blinded reader may not change."""
        f = cls(timepoint=data.get("timepoint", FOLLOW_UP))
        if f.timepoint not in TumourAssessment.Timepoint.values:
            f.errors["timepoint"] = (f"got {f.timepoint!r}; allowed: one of "
                                     f"{list(TumourAssessment.Timepoint.values)}")  # fmt: skip
            f.timepoint = FOLLOW_UP
        raw_date = (data.get("assessment_date") or "").strip()
        try:
            f.assessment_date = date.fromisoformat(raw_date)
        except ValueError:
            f.errors["assessment_date"] = f"got {raw_date!r}; allowed: a date YYYY-MM-DD"
        f.modality = data.get("modality", "")
        if f.modality not in logic.MODALITIES:
            f.errors["modality"] = f"got {f.modality!r}; allowed: one of {list(logic.MODALITIES)}"
        f.criteria = [c for c in data.getlist("criteria") if c in MODEL_CRITERIA]
        if not f.criteria:
            f.errors["criteria"] = "got none; allowed: at least one criteria set"
        try:
            count = min(int(data.get("rows", "0")), 200)
        except ValueError:
            count = 0
        f.rows = logic.parse_rows(data, count)
        f.reason = (data.get("reason") or "").strip()
        try:
            f.version = int(data["version"]) if data.get("version") else None
        except ValueError:
            f.version = None
        if fixed is not None:
            f.timepoint, f.assessment_date = fixed.timepoint, fixed.assessment_date
            f.criteria = fixed.criteria
            f.errors.pop("criteria", None)
            f.errors.pop("assessment_date", None)
        return f


@dataclass
class Context:
    """Who is reading what: the participant, the evaluator and whether the page is blinded."""

    participant: Participant
    evaluator: str
    reader_id: int | None
    blinded: bool
    protocol_criteria: list[str]
    editing: TumourAssessment | None = None

    @property
    def label(self) -> str:
        return logic.blinded_id(self.participant.pk) if self.blinded else \
            self.participant.study_id


def _history(ctx: Context, form: ReadForm) -> tuple[Read | None, list[Read]]:
    exclude = ctx.editing.assessment_date if ctx.editing is not None else None
    return logic.stored_reads(ctx.participant.pk, ctx.evaluator, ctx.reader_id, exclude)


def _live(ctx: Context, form: ReadForm, baseline: Read | None, earlier: list[Read]) -> Any:
    criteria = form.criteria or ctx.protocol_criteria
    if form.timepoint == BASELINE:
        return logic.baseline_checks(Read(form.assessment_date or date.today(), form.rows),
                                     criteria)  # fmt: skip
    if baseline is None or form.assessment_date is None:
        return []
    return logic.timepoint_responses(baseline, earlier, Read(form.assessment_date, form.rows),
                                     criteria)  # fmt: skip


def _read_links(participant: Participant) -> list[TumourAssessment]:
    """One stored investigator assessment per read (the first of its criteria sets)."""
    seen: dict[tuple[Any, ...], TumourAssessment] = {}
    for a in TumourAssessment.objects.alive().filter(
            participant=participant, evaluator=INVESTIGATOR).order_by("assessment_date", "pk"):
        seen.setdefault(logic.read_key(a), a)
    return list(seen.values())


def _next_new_id(rows: list[LesionRow]) -> str:
    used = {r.lesion_id for r in rows}
    n = 1
    while f"N{n:02d}" in used:
        n += 1
    return f"N{n:02d}"


def _render(request: HttpRequest, ctx: Context, form: ReadForm, *, template: str,
            status: int = 200, conflict: str = "", **extra: Any) -> HttpResponse:  # fmt: skip
    baseline, earlier = _history(ctx, form)
    live = _live(ctx, form, baseline, earlier)
    data = {"ctx": ctx, "form": form, "live": live, "baseline": baseline, "conflict": conflict,
            "modalities": logic.MODALITIES, "roles": logic.ROLES, "locations": logic.LOCATIONS,
            "states": logic.STATES, "criteria_choices": [(c, logic.CRITERIA_LABELS[c])
                                                         for c in logic.CRITERIA_NAMES],
            "segments": range(1, 9), "header_fixed": ctx.blinded,
            "protocol_labels": [logic.CRITERIA_LABELS[c] for c in ctx.protocol_criteria],
            "needs_reason": ctx.editing is not None and not extra.get("first_read"),
            **extra}  # fmt: skip
    if not ctx.blinded:
        data["stored_reads"] = _read_links(ctx.participant)
    if request.headers.get("HX-Request") and request.POST.get("action") == "preview":
        return render(request, "pages/assessments/_response.html", data)
    return render(request, template, data, status=status)


def _save(request: HttpRequest, ctx: Context, form: ReadForm, *, complete: bool) -> str | None:
    """Store the read (one assessment per criteria set, the same lesion rows under each).
    Returns a conflict message, or None when stored; field errors land on ``form``."""
    baseline, earlier = _history(ctx, form)
    if form.timepoint == FOLLOW_UP and baseline is None:
        form.errors["timepoint"] = "no baseline read is stored for this evaluator yet; " \
                                   "record the baseline first"
    if form.assessment_date is not None:
        same_day = TumourAssessment.objects.alive().filter(
            participant=ctx.participant, evaluator=ctx.evaluator, reader_id=ctx.reader_id,
            assessment_date=form.assessment_date)  # fmt: skip
        if ctx.editing is not None:
            same_day = same_day.exclude(pk__in=logic.siblings(ctx.editing).values("pk"))
        if same_day.exists():
            form.errors["assessment_date"] = (
                f"got {form.assessment_date.isoformat()}; allowed: a date without another read "
                "by the same evaluator (edit that read instead)")
        if form.timepoint == FOLLOW_UP and baseline is not None \
                and form.assessment_date <= baseline.date:
            form.errors["assessment_date"] = (
                f"got {form.assessment_date.isoformat()}; allowed: after the baseline read of "
                f"{baseline.date.isoformat()}")
    if ctx.editing is not None and not form.reason:
        form.errors["reason"] = "got ''; allowed: " + \
            "a reason for the change (required for any change after the first save)"
    if form.has_errors:
        return None
    live = {r.criteria: r for r in _live(ctx, form, baseline, earlier)} \
        if form.timepoint == FOLLOW_UP else {}
    existing: dict[str, TumourAssessment] = {}
    if ctx.editing is not None:
        existing = {a.criteria: a for a in logic.siblings(ctx.editing)}
    where: tuple[str, int | None] = ("", None)
    try:
        with transaction.atomic():
            if ctx.editing is not None and form.version is not None:
                ctx.editing.version = form.version
                existing[ctx.editing.criteria] = ctx.editing
            for crit in form.criteria:
                model_crit = MODEL_CRITERIA[crit]
                a = existing.pop(model_crit, None) or TumourAssessment(
                    participant=ctx.participant, evaluator=ctx.evaluator,
                    reader_id=ctx.reader_id, criteria=model_crit)  # fmt: skip
                a.assessment_date = form.assessment_date
                a.timepoint = form.timepoint
                a.modality = form.modality
                response = live.get(crit)
                a.overall_response = response.overall if (complete and response) else ""
                where = ("header", None)
                a.save(user=request.user, reason=form.reason)
                stored = {x.lesion_id: x for x in Lesion.objects.alive().filter(assessment=a)}
                for i, row in enumerate(form.rows):
                    where = ("row", i)
                    lesion = stored.pop(row.lesion_id, None) or Lesion(
                        participant=ctx.participant, assessment=a)  # fmt: skip
                    if a is ctx.editing and lesion.pk is not None and row.version is not None:
                        lesion.version = row.version  # a stale row raises StaleVersionError
                    for name, value in row.model_values().items():
                        setattr(lesion, name, value)
                    lesion.save(user=request.user, reason=form.reason)
                where = ("header", None)
                for gone in stored.values():
                    gone.soft_delete(form.reason or "lesion removed from the read",
                                     user=request.user)  # fmt: skip
            for dropped in existing.values():  # criteria sets no longer ticked
                for x in Lesion.objects.alive().filter(assessment=dropped):
                    x.soft_delete(form.reason, user=request.user)
                dropped.soft_delete(form.reason, user=request.user)
    except StaleVersionError as exc:
        return (f"This assessment was changed by someone else while you edited it (your "
                f"version {exc.submitted}, stored version {exc.current}). Nothing was saved; "
                "your values are kept below. Reload the page to see the stored values.")
    except ValidationError as exc:
        target = form.rows[where[1]].errors if where[0] == "row" and where[1] is not None \
            else form.errors
        for name, msgs in exc.message_dict.items():
            target[name if name != "__all__" else "assessment_date"] = " ".join(msgs)
        return None
    except InputError as exc:
        target = form.rows[where[1]].errors if where[0] == "row" and where[1] is not None \
            else form.errors
        target[exc.field] = f"got {exc.value!r}; allowed: {exc.allowed}"
        return None
    return None


def _handle(request: HttpRequest, ctx: Context, form: ReadForm, *, template: str,
            success: str, **extra: Any) -> HttpResponse:  # fmt: skip
    action = request.POST.get("action", "preview")
    if action == "add":
        form.rows.append(LesionRow(lesion_id=_next_new_id(form.rows) if form.timepoint ==
                                   FOLLOW_UP else "", role="NEW" if form.timepoint == FOLLOW_UP
                                   else "TARGET"))  # fmt: skip
        return _render(request, ctx, form, template=template, **extra)
    if action in ("save", "complete"):
        conflict = _save(request, ctx, form, complete=action == "complete" or not ctx.blinded)
        if conflict:
            return _render(request, ctx, form, template=template, status=409, conflict=conflict,
                           **extra)  # fmt: skip
        if form.has_errors:
            return _render(request, ctx, form, template=template, status=400, **extra)
        messages.success(request, "Read marked complete." if action == "complete" else
                         "Tumour assessment saved.")  # fmt: skip
        if not success:
            stored = TumourAssessment.objects.alive().filter(
                participant=ctx.participant, evaluator=ctx.evaluator, reader_id=ctx.reader_id,
                assessment_date=form.assessment_date).order_by("pk").first()  # fmt: skip
            success = reverse("pages:assessment-edit", args=[stored.pk]) if stored else \
                reverse("pages:participant-detail", args=[ctx.participant.pk])
        return redirect(success)
    return _render(request, ctx, form, template=template, **extra)


# ------------------------------------------------------------------------- investigator


def _participant(request: HttpRequest, pk: int, op: str) -> Participant:
    qs = access.scope(Participant.objects.alive(), request.user, RESOURCE, op)
    p = qs.select_related("protocol", "site").filter(pk=pk).first()
    if p is None:
        raise Http404("no such participant among those you may see")
    return p


def _form_from_read(read: Read, timepoint: str, criteria: list[str]) -> ReadForm:
    return ReadForm(timepoint=timepoint, assessment_date=read.date, criteria=criteria,
                    rows=[LesionRow(**{**r.__dict__, "errors": {}, "raw": {}})
                          for r in read.rows])  # fmt: skip


@role_required(SITE_STAFF)
def assessment_new(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = _participant(request, participant_pk, "write")
    ctx = Context(participant, INVESTIGATOR, None, False,
                  logic.protocol_criteria(participant.protocol.document))  # fmt: skip
    template = "pages/assessments/assessment_form.html"
    if request.method == "POST":
        return _handle(request, ctx, ReadForm.from_post(request.POST), template=template,
                       success="")  # the stored read's own page
    baseline, _ = logic.stored_reads(participant.pk, INVESTIGATOR, None)
    timepoint = request.GET.get("timepoint") or (FOLLOW_UP if baseline else BASELINE)
    if timepoint not in TumourAssessment.Timepoint.values:
        timepoint = FOLLOW_UP
    form = ReadForm(timepoint=timepoint, criteria=list(ctx.protocol_criteria))
    if timepoint == FOLLOW_UP and baseline is not None:
        form.rows = [r.carried_forward() for r in baseline.rows]
    elif timepoint == BASELINE:
        form.rows = [LesionRow(lesion_id="T01")]
    return _render(request, ctx, form, template=template)


@role_required(SITE_STAFF)
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    qs = TumourAssessment.objects.for_user(request.user, RESOURCE, "write").alive()
    a = qs.select_related("participant__protocol").filter(pk=pk, evaluator=INVESTIGATOR).first()
    if a is None:
        raise Http404("no such investigator assessment among those you may edit")
    ctx = Context(a.participant, INVESTIGATOR, None, False,
                  logic.protocol_criteria(a.participant.protocol.document), editing=a)  # fmt: skip
    template = "pages/assessments/assessment_form.html"
    if request.method == "POST":
        return _handle(request, ctx, ReadForm.from_post(request.POST), template=template,
                       success=reverse("pages:assessment-edit", args=[a.pk]))
    return _render(request, ctx, _stored_form(a), template=template)


def _stored_form(a: TumourAssessment) -> ReadForm:
    sibs = list(logic.siblings(a).prefetch_related("lesions"))
    rows = [LesionRow.from_model(x, carried=a.timepoint == FOLLOW_UP and x.role != "NEW")
            for x in a.lesions.all() if not x.is_deleted]  # fmt: skip
    rows.sort(key=lambda r: (logic.ROLES.index(r.role), r.lesion_id))
    return ReadForm(timepoint=a.timepoint, assessment_date=a.assessment_date,
                    modality=a.modality, criteria=[CORE_CRITERIA[s.criteria] for s in sibs],
                    rows=rows, version=a.version)  # fmt: skip


# ------------------------------------------------------------------------- central review


def _assigned(request: HttpRequest) -> Any:
    """Reads assigned to the user (as reader or adjudicator), cut by ``access.scope``."""
    return (TumourAssessment.objects.for_user(request.user, RESOURCE, "read").alive()
            .filter(reader=request.user))  # fmt: skip


def read_complete(a: TumourAssessment, n_lesions: int) -> bool:
    """A follow-up read is complete once its overall response is stored; a baseline read, which
    has no response, once its lesions are stored."""
    return bool(a.overall_response) if a.timepoint == FOLLOW_UP else n_lesions > 0


@dataclass
class InboxRow:
    pk: int
    case: str
    date: date
    timepoint: str
    modality: str
    criteria: list[str]
    complete: bool
    kind: str  # "read" or "adjudication"
    participant_pk: int


@role_required(READERS)
def review_inbox(request: HttpRequest) -> HttpResponse:
    groups: dict[tuple[Any, ...], InboxRow] = {}
    assigned = _assigned(request).annotate(
        n_lesions=Count("lesions", filter=Q(lesions__is_deleted=False)))
    for a in assigned.order_by("assessment_date", "pk"):
        key = logic.read_key(a)
        row = groups.get(key)
        if row is None:
            groups[key] = row = InboxRow(
                a.pk, logic.blinded_id(a.participant_id), a.assessment_date,
                TIMEPOINT_LABELS[a.timepoint], a.modality, [], True,
                "adjudication" if a.evaluator == ADJUDICATOR else "read", a.participant_id)
        row.criteria.append(a.criteria)
        row.complete = row.complete and read_complete(a, a.n_lesions)
    rows = list(groups.values())
    reads = [r for r in rows if r.kind == "read"]
    adjudications = {r.participant_pk: r for r in rows if r.kind == "adjudication"}
    return render(request, "pages/assessments/review_inbox.html", {
        "sections": [
            ("To read", [r for r in reads if not r.complete], "No read is waiting for you."),
            ("Adjudications assigned to you", list(adjudications.values()),
             "No adjudication is assigned to you."),
            ("Completed reads", [r for r in reads if r.complete], "None yet."),
        ],
        "is_admin": Role.ADMINISTRATOR in access.roles(request.user),
        "disputed": _disputed_cases(request) if Role.ADMINISTRATOR in
        access.roles(request.user) else [],
    })  # fmt: skip


def _disputed_cases(request: HttpRequest) -> list[dict[str, Any]]:
    """Participants (for an administrator) whose central readers disagree somewhere."""
    qs = (TumourAssessment.objects.for_user(request.user, RESOURCE, "read").alive()
          .filter(evaluator__in=[CENTRAL, ADJUDICATOR], timepoint=FOLLOW_UP)
          .exclude(overall_response="").order_by("participant_id", "pk"))  # fmt: skip
    out = []
    for pid, review in logic.central_reviews(list(qs)).items():
        open_ = sum(r.source == "UNRESOLVED" for r in review)
        if any(r.disagree for r in review):
            out.append({"participant_pk": pid, "case": logic.blinded_id(pid), "open": open_})
    return out


@role_required(READERS)
def review_read(request: HttpRequest, pk: int) -> HttpResponse:
    a = (_assigned(request).select_related("participant__protocol")
         .filter(pk=pk, evaluator=CENTRAL).first())  # fmt: skip
    if a is None:
        raise Http404("no such read assigned to you")
    ctx = Context(a.participant, CENTRAL, request.user.pk, True,
                  logic.protocol_criteria(a.participant.protocol.document), editing=a)  # fmt: skip
    template = "pages/assessments/review_read.html"
    stored = _stored_form(a)
    first_read = not any(x.lesion_id for x in stored.rows) and a.version == 1
    baseline, _ = logic.stored_reads(a.participant_id, CENTRAL, request.user.pk,
                                     a.assessment_date)  # fmt: skip
    if first_read and a.timepoint == FOLLOW_UP and baseline is not None:
        stored.rows = [r.carried_forward() for r in baseline.rows]
    elif first_read and a.timepoint == BASELINE:
        stored.rows = [LesionRow(lesion_id="T01")]
    extra = {"first_read": first_read,
             "complete": read_complete(a, sum(1 for x in stored.rows if x.version))}
    if request.method == "POST":
        form = ReadForm.from_post(request.POST, fixed=stored)
        if first_read:
            form.reason = form.reason or "central read entered"
        return _handle(request, ctx, form, template=template,
                       success=reverse("pages:review-inbox"), **extra)  # fmt: skip
    return _render(request, ctx, stored, template=template, **extra)


# ------------------------------------------------------------------------- adjudication


def _may_adjudicate(request: HttpRequest, participant: Participant,
                    assessments: list[TumourAssessment]) -> str:  # fmt: skip
    """'' when the user may adjudicate this participant, else why not."""
    roles = access.roles(request.user)
    if Role.ADMINISTRATOR in roles:
        return ""
    if request.user.pk in logic.central_readers(assessments)[:2]:
        return "You read this case; an adjudicator must be someone else."
    if not _assigned(request).filter(participant=participant, evaluator=ADJUDICATOR).exists():
        return "No adjudication of this case is assigned to you."
    return ""


@dataclass
class Side:
    read: TumourAssessment | None
    response: logic.CriteriaResponse | None
    rows: list[LesionRow]


@role_required(READERS)
def adjudication(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = Participant.objects.alive().select_related("protocol").filter(
        pk=participant_pk).first()  # fmt: skip
    if participant is None:
        raise Http404("no such participant")
    # the two readers' reads are read here for an adjudicator the access layer does not show
    # them to (a central reader sees only their own reads): _may_adjudicate decides first
    assessments = list(TumourAssessment.objects.alive().filter(
        participant=participant, evaluator__in=[CENTRAL, ADJUDICATOR]).order_by("pk")
        .prefetch_related("lesions"))  # fmt: skip
    why = _may_adjudicate(request, participant, assessments)
    if why:
        return forbidden(request, why)
    review = logic.central_review(assessments)
    readers = logic.central_readers(assessments)[:2]
    errors: dict[str, str] = {}
    if request.method == "POST":
        reason = (request.POST.get("reason") or "").strip()
        picks = {r.key: request.POST.get(f"choice-{r.key}", "") for r in review if r.disagree}
        picks = {k: v for k, v in picks.items() if v in ("1", "2")}
        if not picks:
            errors["choice"] = "got none; allowed: reader 1 or reader 2 for a disputed timepoint"
        if not reason:
            errors["reason"] = "got ''; allowed: the reason for the choice (kept in the audit " \
                               "trail)"
        if not errors:
            try:
                with transaction.atomic():
                    for r in review:
                        if r.key in picks:
                            _store_adjudication(request, participant, r, int(picks[r.key]),
                                                reason)  # fmt: skip
            except StaleVersionError:
                errors["choice"] = "the adjudication changed while you chose; reload the page"
            except (ValidationError, InputError) as exc:
                errors["choice"] = str(exc)
            if not errors:
                messages.success(request, "Adjudication stored.")
                return redirect(reverse("pages:adjudication", args=[participant.pk]))
    sides = {}
    criteria = sorted({CORE_CRITERIA[r.criteria] for r in review})
    for i, rid in enumerate(readers):
        baseline, follow = logic.stored_reads(participant.pk, CENTRAL, rid)
        responses = logic.history_responses(baseline, follow, criteria) if baseline else {}
        by_date = {f.date: f for f in follow}
        for r in review:
            cur = by_date.get(r.date)
            sides[(r.key, i)] = Side(r.reads[i], responses.get((CORE_CRITERIA[r.criteria],
                                                                r.date)),
                                     list(cur.rows) if cur else [])  # fmt: skip
    rows = [{"row": r, "sides": [sides.get((r.key, i)) for i in range(2)]} for r in review]
    return render(request, "pages/assessments/adjudication.html", {
        "case": logic.blinded_id(participant.pk), "participant": participant, "rows": rows,
        "errors": errors, "reason": request.POST.get("reason", ""),
    }, status=400 if errors else 200)  # fmt: skip


def _store_adjudication(request: HttpRequest, participant: Participant, row: logic.ReviewRow,
                        reader: int, reason: str) -> None:  # fmt: skip
    chosen = row.reads[reader - 1]
    if chosen is None:
        raise InputError("choice", reader, "a reader who completed this timepoint")
    text = (f"adjudication: accepted reader {reader}'s read (assessment {chosen.pk}, "
            f"{chosen.overall_response}) for {row.criteria} on {row.date.isoformat()}: {reason}")
    a = row.adjudication or TumourAssessment.objects.alive().filter(
        participant=participant, evaluator=ADJUDICATOR, criteria=row.criteria,
        assessment_date=row.date, reader=request.user).first() or TumourAssessment(
        participant=participant, evaluator=ADJUDICATOR, reader=request.user,
        criteria=row.criteria, assessment_date=row.date)  # fmt: skip
    a.timepoint = FOLLOW_UP
    a.modality = chosen.modality
    a.visit_id = chosen.visit_id
    a.overall_response = chosen.overall_response
    a.save(user=request.user, reason=text)
    stored = {x.lesion_id: x for x in Lesion.objects.alive().filter(assessment=a)}
    for src in chosen.lesions.all():
        if src.is_deleted:
            continue
        lesion = stored.pop(src.lesion_id, None) or Lesion(participant=participant, assessment=a)
        for name in ("lesion_id", "role", "location", "couinaud_segment", "longest_diameter_mm",
                     "viable_diameter_mm", "state", "in_field", "typical_hcc"):
            setattr(lesion, name, getattr(src, name))
        lesion.save(user=request.user, reason=text)
    for gone in stored.values():
        gone.soft_delete(text, user=request.user)


# ------------------------------------------------------------------------- assignment

ASSIGNERS = frozenset({Role.ADMINISTRATOR, Role.DATA_MANAGER})


@role_required(ASSIGNERS)
def review_assign(request: HttpRequest) -> HttpResponse:
    """Assign an imaging time point of a participant to central readers (one read per reader
    and criteria set), or an adjudication to an adjudicator; each assignment is an audited
    TumourAssessment with an empty overall response."""
    participants = (access.scope(Participant.objects.alive(), request.user, RESOURCE, "write")
                    .select_related("protocol").order_by("study_id"))  # fmt: skip
    reader_ids = set(access_readers())
    readers = list(get_user_model().objects.filter(pk__in=reader_ids).order_by("username"))
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"timepoint": FOLLOW_UP, "modality": "CT SCAN", "criteria": [],
                              "readers": [], "kind": CENTRAL}  # fmt: skip
    if request.method == "POST":
        post = request.POST
        values = {"participant": post.get("participant", ""), "date": post.get("date", ""),
                  "timepoint": post.get("timepoint", ""), "modality": post.get("modality", ""),
                  "criteria": post.getlist("criteria"), "readers": post.getlist("readers"),
                  "kind": post.get("kind", CENTRAL)}  # fmt: skip
        participant = participants.filter(pk=values["participant"]).first() \
            if values["participant"].isdigit() else None
        if participant is None:
            errors["participant"] = (f"got {values['participant']!r}; allowed: a participant "
                                     "you may write to")  # fmt: skip
        try:
            day = date.fromisoformat(values["date"])
        except ValueError:
            errors["date"] = f"got {values['date']!r}; allowed: a date YYYY-MM-DD"
        if values["timepoint"] not in TumourAssessment.Timepoint.values:
            errors["timepoint"] = f"got {values['timepoint']!r}; allowed: baseline or follow_up"
        if values["kind"] not in (CENTRAL, ADJUDICATOR):
            errors["kind"] = f"got {values['kind']!r}; allowed: a read or an adjudication"
        elif values["kind"] == ADJUDICATOR and values["timepoint"] != FOLLOW_UP:
            errors["timepoint"] = "got baseline; allowed: follow_up for an adjudication"
        if values["modality"] not in logic.MODALITIES:
            errors["modality"] = f"got {values['modality']!r}; allowed: {list(logic.MODALITIES)}"
        crits = [c for c in values["criteria"] if c in MODEL_CRITERIA]
        if not crits or len(crits) != len(values["criteria"]):
            errors["criteria"] = "allowed: one or more criteria sets"
        chosen = [u for u in readers if str(u.pk) in values["readers"]]
        if not chosen or len(chosen) != len(values["readers"]):
            errors["readers"] = "allowed: one or more central imaging readers"
        if not errors:
            assert participant is not None
            clash = TumourAssessment.objects.alive().filter(
                participant=participant, assessment_date=day, evaluator=values["kind"],
                reader__in=chosen, criteria__in=[MODEL_CRITERIA[c] for c in crits])  # fmt: skip
            if clash.exists():
                errors["readers"] = "a chosen reader already has this time point assigned"
        if not errors:
            try:
                with transaction.atomic():
                    for u in chosen:
                        for c in crits:
                            TumourAssessment(
                                participant=participant, assessment_date=day,
                                timepoint=values["timepoint"], criteria=MODEL_CRITERIA[c],
                                modality=values["modality"], evaluator=values["kind"],
                                reader=u).save(user=request.user,
                                               reason="central review assigned")  # fmt: skip
            except ValidationError as exc:
                for name, msgs in exc.message_dict.items():
                    errors["date" if name == "assessment_date" else name] = " ".join(msgs)
            if not errors:
                names = ", ".join(u.get_username() for u in chosen)
                messages.success(request, f"Assigned to {names}.")
                return redirect(reverse("pages:review-assign"))
    # the options need ids and labels only: loading each participant's protocol row would
    # decode the protocol document once per option (hundreds of times)
    options = [{"pk": pk, "study_id": sid, "protocol": {"code": code}}
               for pk, sid, code in participants.values_list("pk", "study_id", "protocol__code")]
    return render(request, "pages/assessments/review_assign.html", {
        "participants": options, "readers": readers, "values": values, "errors": errors,
        "modalities": logic.MODALITIES,
        "criteria_choices": [(c, logic.CRITERIA_LABELS[c]) for c in logic.CRITERIA_NAMES],
    }, status=400 if errors else 200)  # fmt: skip


def access_readers() -> list[int]:
    """Users holding the central imaging reader role."""
    from hccrt.web.capture.models import Membership

    return list(Membership.objects.filter(role=Role.CENTRAL_READER)
                .values_list("user_id", flat=True))  # fmt: skip
