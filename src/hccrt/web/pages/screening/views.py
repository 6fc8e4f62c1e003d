"""Screening pages: a candidate's criteria live and the stored screening (the screening log is
:mod:`hccrt.web.pages.screening.log`).

The eligibility engine is the core's (:func:`hccrt.protocols.eligibility.screen`); a stored
screening is a ``capture.Screening`` whose ``clean()`` runs the same engine again on save, so
what the coordinator saw live is what is stored (outcome, per-criterion results, rule
version). Participants and screenings are read and written only through the capture layer's
site scoping and the audited ``save(user=..., reason=...)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hccrt.errors import HccrtError, InputError
from hccrt.protocols.eligibility import screen
from hccrt.web.audit.base import StaleVersionError
from hccrt.web.capture import access
from hccrt.web.capture.models import Allocation, Role, Screening, protocol_model
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.pages.forms import ReasonForChangeField
from hccrt.web.pages.screening.inputs import (
    PARTICIPANT_FACTS,
    InputSpec,
    attest_criteria,
    date_widget,
    error_field,
    facts_form,
    facts_from,
    initial_from_facts,
    input_label,
    input_specs,
)
from hccrt.web.pages.shell import SITE_STAFF, protocol_in_focus, role_required

SCREEN_ROLES = SITE_STAFF
LOG_ROLES = SITE_STAFF | {Role.MONITOR}
DUPLICATE_ID = "A participant with this study id already exists in this protocol."
SEX_FACT = {"M": "male", "F": "female"}

OUTCOME_WORDS = {"met": "met", "not met": "not met", "unknown": "missing",
                 "needs attestation": "to attest"}  # fmt: skip
OUTCOME_BADGE = {"met": "met", "not met": "not-met", "unknown": "missing",
                 "needs attestation": "attest"}  # fmt: skip
STATUS_WORDS = {"eligible": "Eligible", "ineligible": "Not eligible",
                "incomplete": "Incomplete: data missing or attestation needed"}  # fmt: skip
STATUS_BADGE = {"eligible": "ok", "ineligible": "fail", "incomplete": "missing"}
STORED_STATUS = {Screening.Outcome.ELIGIBLE: "eligible", Screening.Outcome.NOT_ELIGIBLE:
                 "ineligible", Screening.Outcome.UNDETERMINED: "incomplete"}  # fmt: skip


# --------------------------------------------------------------------------- helpers


def writable_sites(user: Any) -> Any:
    """Sites where ``user`` may write both participants and screenings."""
    qs = Site.objects.order_by("code")
    for resource in ("participants", "screenings"):
        sites = access.allowed_sites(user, resource, "write")
        if sites is not None:
            qs = qs.filter(pk__in=sites)
    return qs


def fails(kind: str, outcome: str) -> bool:
    """True when a criterion's outcome excludes the candidate (engine's definition)."""
    return (kind == "inclusion" and outcome == "not met") or (
        kind == "exclusion" and outcome == "met")


def effect(kind: str, outcome: str) -> tuple[str, str]:
    """(word, badge class) of what an outcome does to eligibility."""
    if fails(kind, outcome):
        return "excludes", "fail"
    if outcome in ("met", "not met"):
        return "passes", "ok"
    return OUTCOME_WORDS[outcome], OUTCOME_BADGE[outcome]


def criteria_rows(protocol: Any, criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the criteria table: engine results joined with the protocol's text."""
    texts = {c.id: c.text for c in protocol.eligibility}
    rows = []
    for c in criteria:
        word, badge = effect(c["kind"], c["outcome"])
        rows.append({
            "id": c["id"], "kind": c["kind"], "text": texts.get(c["id"], ""),
            "outcome": OUTCOME_WORDS[c["outcome"]], "outcome_badge": OUTCOME_BADGE[c["outcome"]],
            "effect": word, "effect_badge": badge,
            "explanation": c.get("explanation", []),
            "missing": [input_label(m) for m in c.get("missing", [])],
        })  # fmt: skip
    return rows


def _core(stored: Protocol) -> Any:
    return protocol_model(stored.pk)


# --------------------------------------------------------------------------- forms


class CandidateForm(forms.Form):
    """Who is screened: an existing participant, or a new one (pseudonymous, no names)."""

    existing = forms.CharField(
        required=False, max_length=40, label="Existing participant (study id)",
        help_text="to re-screen a participant not yet allocated; leave empty for a new one")
    study_id = forms.CharField(required=False, max_length=40, label="Study id (new participant)",
                               help_text="pseudonymous, e.g. RESCUE-SNUH-001; never a name")
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, label="Site")
    consent_date = forms.DateField(required=False, label="Consent date",
                                   widget=date_widget())
    consent_version = forms.CharField(required=False, max_length=40, label="Consent version")
    sex = forms.ChoiceField(choices=[("", "—"), ("F", "female"), ("M", "male")],
                            required=False, label="Sex")
    age = forms.IntegerField(required=False, min_value=0, max_value=120,
                             label="Age (completed years)")
    screening_date = forms.DateField(label="Screening date", initial=dt.date.today,
                                     widget=date_widget())

    def __init__(self, *args: Any, user: Any, protocol: Protocol,
                 editing: Screening | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        participants = access.scope(Participant.objects.alive(), user, "participants", "write")
        self.participants = participants.filter(protocol__code=protocol.code).exclude(
            pk__in=Allocation.objects.alive().values("participant_id"))
        self.fields["site"].queryset = writable_sites(user)  # type: ignore[attr-defined]
        if editing is not None:
            for name in ("existing", "study_id", "site", "consent_date", "consent_version",
                         "sex", "age"):
                del self.fields[name]

    def clean_existing(self) -> Participant | None:
        study_id = (self.cleaned_data.get("existing") or "").strip()
        if not study_id:
            return None
        found = self.participants.select_related("site").filter(study_id=study_id).first()
        if found is None:
            raise forms.ValidationError(
                f"No participant {study_id!r} of this protocol at your sites that is not yet "
                "allocated.")
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["participant"] = data.get("existing")
        if self.editing is not None or data.get("participant") or self.has_error("existing"):
            return data
        if not (data.get("study_id") or "").strip():
            self.add_error("study_id", "Give the study id of a new participant, or choose an "
                                       "existing participant.")
        if not data.get("site"):
            self.add_error("site", "Choose one of your sites.")
        return data


def participant_facts(candidate: forms.Form, editing: Screening | None) -> dict[str, Any]:
    """The facts taken from the participant: age, sex and consent date."""
    if editing is not None:
        p: Any = editing.participant
        age, sex, consent = p.age, p.sex, p.consent_date
    else:
        data = candidate.cleaned_data if hasattr(candidate, "cleaned_data") else {}
        p = data.get("participant")
        if p is not None:
            age, sex, consent = p.age, p.sex, p.consent_date
        else:
            age, sex, consent = data.get("age"), data.get("sex"), data.get("consent_date")
    out: dict[str, Any] = {}
    if age is not None:
        out["age"] = age
    if sex in SEX_FACT:
        out["sex"] = SEX_FACT[sex]
    if consent is not None:
        out["consent_date"] = consent.isoformat()
    return out


class ScreeningPage:
    """The forms and the live result of one screening page."""

    def __init__(self, request: HttpRequest, stored: Protocol,
                 editing: Screening | None = None) -> None:
        self.request = request
        self.stored = stored
        self.protocol = _core(stored)
        self.editing = editing
        self.specs: list[InputSpec] = input_specs([self.protocol], skip=(
            *PARTICIPANT_FACTS, "consent_signed"))
        self.attest = attest_criteria(self.protocol)
        data = request.POST if request.method == "POST" else None
        initial: dict[str, Any] = {}
        cand_initial: dict[str, Any] = {}
        if editing is not None:
            initial = initial_from_facts(self.specs, editing.facts or {})
            cand_initial = {"screening_date": editing.screening_date}
        elif request.GET.get("participant", "").isdigit():
            found = access.scope(Participant.objects.alive(), request.user, "participants",
                                 "write").filter(pk=int(request.GET["participant"])).first()
            if found is not None:
                cand_initial = {"existing": found.study_id}
        self.candidate = CandidateForm(data, user=request.user, protocol=stored,
                                       editing=editing, initial=cand_initial, prefix="p")
        self.facts_form = facts_form(self.specs, self.attest)(data, initial=initial, prefix="f")
        self.reason = ReasonForChangeField(required=True) if editing is not None else None
        self.result: Any = None
        self.facts: dict[str, Any] = {}
        self.errors: list[str] = []

    def sections(self) -> list[dict[str, Any]]:
        groups: dict[str, list[Any]] = {}
        form = self.facts_form
        for s in self.specs:
            bound = [form[n] for n in (s.name, f"{s.name}_unit", f"{s.name}_uln",
                                       f"{s.name}_never") if n in form.fields]
            groups.setdefault(s.section, []).append({"spec": s, "fields": bound})
        out = [{"title": k, "items": v} for k, v in groups.items()]
        if "labs_date" in form.fields:
            for g in out:
                if g["title"] == "Laboratory":
                    g["lead"] = form["labs_date"]
        return out

    def evaluate(self, run_engine: bool = True) -> bool:
        """Validate both forms and run the engine; False when input errors remain.

        ``run_engine=False`` only builds the facts (a save runs the engine in
        ``Screening.clean()``; running it here as well would double the work)."""
        ok_c = self.candidate.is_valid()
        ok_f = self.facts_form.is_valid()
        if not (ok_c and ok_f):
            return False
        data = self.facts_form.cleaned_data
        sdate = self.candidate.cleaned_data["screening_date"]
        self.facts = {"screening_date": sdate.isoformat(), **facts_from(self.specs, data),
                      **participant_facts(self.candidate, self.editing)}
        if not run_engine:
            return True
        try:
            self.result = screen(self.protocol, {"candidate_id": "candidate", **self.facts})
        except InputError as exc:
            self.add_core_error(exc.field, str(exc))
            return False
        except HccrtError as exc:
            self.errors.append(str(exc))
            return False
        return True

    def add_core_error(self, field_name: str, message: str) -> None:
        name = error_field(field_name, self.facts_form)
        if name is not None:
            self.facts_form.add_error(name, message)
        elif field_name.removeprefix("facts.") in ("age", "sex", "consent_date") and \
                field_name.removeprefix("facts.") in self.candidate.fields:
            self.candidate.add_error(field_name.removeprefix("facts."), message)
        elif field_name.removeprefix("facts.") == "screening_date":
            self.candidate.add_error("screening_date", message)
        else:
            self.errors.append(message)

    def field_errors(self) -> list[tuple[str, str]]:
        """(html id, message) of every field of the page, for out-of-band updates."""
        out = []
        for form in (self.candidate, self.facts_form):
            for name in form.fields:
                errs = form.errors.get(name) if form.is_bound else None
                out.append((form[name].auto_id, " ".join(errs) if errs else ""))
        return out

    def context(self) -> dict[str, Any]:
        result = self.result
        return {
            "protocol": self.stored, "core": self.protocol, "page": self,
            "candidate": self.candidate, "facts_form": self.facts_form,
            "sections": self.sections(), "editing": self.editing,
            "attest_fields": [(cid, text, self.facts_form[f"attest__{cid}"])
                              for cid, text, _ in self.attest],
            "result": result, "errors": self.errors,
            "rows": criteria_rows(self.protocol, result.as_dict()["criteria"]) if result else [],
            "status_word": STATUS_WORDS.get(result.status) if result else None,
            "status_badge": STATUS_BADGE.get(result.status) if result else None,
            "reason_field": self.reason,
            "reason_value": self.request.POST.get("reason", ""),
        }  # fmt: skip

    # ----------------------------------------------------------------- saving

    def save(self, confirm: bool) -> Screening | None:
        """Store the screening (and a new participant), audited, all or nothing."""
        if not self.evaluate(run_engine=False):
            return None
        reason = self.request.POST.get("reason", "").strip()
        if self.editing is not None and not reason:
            self.errors.append("Give a reason for the change: the audit trail keeps it.")
            self.evaluate()
            return None
        user = self.request.user
        c = self.candidate.cleaned_data
        try:
            with transaction.atomic():
                if self.editing is not None:
                    screening = self.editing
                    screening.version = int(self.request.POST.get("version", screening.version))
                else:
                    participant = c.get("participant")
                    if participant is None and Participant.objects.filter(
                            protocol__code=self.stored.code,
                            study_id=c["study_id"].strip()).exists():
                        self.candidate.add_error("study_id", DUPLICATE_ID)
                        return None
                    if participant is None:
                        participant = Participant(
                            study_id=c["study_id"].strip(), site=c["site"],
                            protocol=self.stored, consent_date=c.get("consent_date"),
                            consent_version=c.get("consent_version") or "",
                            sex=c.get("sex") or "", age=c.get("age"))
                        participant.save(user=user)
                    screening = Screening(participant=participant)
                screening.screening_date = c["screening_date"]
                screening.facts = self.facts
                screening.confirmed = confirm
                screening.save(user=user, reason=reason)
                p = screening.participant
                new_status = {Screening.Outcome.NOT_ELIGIBLE: Participant.Status.SCREEN_FAILED,
                              Screening.Outcome.ELIGIBLE: Participant.Status.SCREENING}.get(
                                  screening.outcome)  # fmt: skip
                if new_status and p.status in (Participant.Status.SCREENING,
                                               Participant.Status.SCREEN_FAILED) \
                        and p.status != new_status:
                    p.status = new_status
                    p.save(user=user, reason=f"screening {screening.screening_date}: "
                                             f"{screening.outcome}")
        except IntegrityError:  # the same study id saved meanwhile by someone else
            self.candidate.add_error("study_id", DUPLICATE_ID)
            return None
        except StaleVersionError as exc:
            self.errors.append(
                f"Someone else changed this screening meanwhile (your version {exc.submitted}, "
                f"now {exc.current}). Your entries are kept below: reload the screening in "
                "another tab to see the change, then save again.")
            self.evaluate()
            return None
        except ValidationError as exc:
            if "confirmed" in getattr(exc, "message_dict", {}) and self.evaluate():
                self.errors.append(
                    "Eligibility can be confirmed only when every criterion is met or "
                    "attested: " + self.result.summary())
                return None
            self._validation(exc)
            return None
        except InputError as exc:
            self.add_core_error(exc.field, str(exc))
            return None
        except HccrtError as exc:  # e.g. a protocol whose criteria have no executable rule
            self.errors.append(str(exc))
            return None
        return screening

    def _validation(self, exc: ValidationError) -> None:
        mapping = {"study_id": "study_id", "__all__": None, "site": "site", "age": "age",
                   "sex": "sex", "consent_date": "consent_date",
                   "screening_date": "screening_date"}  # fmt: skip
        for key, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            text = " ".join(messages)
            target = mapping.get(key)
            if target and target in self.candidate.fields:
                self.candidate.add_error(target, text)
            elif key.startswith("facts."):
                self.add_core_error(key, text)
            else:
                self.errors.append(f"{key}: {text}" if key != "__all__" else text)


# --------------------------------------------------------------------------- views


def _hx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _screening_page(request: HttpRequest, stored: Protocol,
                    editing: Screening | None = None) -> HttpResponse:
    page = ScreeningPage(request, stored, editing)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        if action in ("save", "confirm"):
            screening = page.save(confirm=action == "confirm")
            if screening is not None:
                target = reverse("pages:screening-detail", args=[screening.pk])
                if _hx(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        else:
            page.evaluate()
        if _hx(request) and not action:
            return render(request, "pages/screening/_results.html",
                          {**page.context(), "hx": True})
    failed_save = request.method == "POST" and action in ("save", "confirm")
    return render(request, "pages/screening/form.html", page.context(),
                  status=400 if failed_save else 200)


@role_required(SCREEN_ROLES)
def screening_new(request: HttpRequest) -> HttpResponse:
    stored = protocol_in_focus(request)
    if stored is None:
        return render(request, "pages/screening/no_protocol.html")
    if not writable_sites(request.user).exists():
        from hccrt.web.pages.shell import forbidden

        return forbidden(request, "Your role may not screen participants at any site.")
    return _screening_page(request, stored)


def _visible_screening(request: HttpRequest, pk: int, op: str = "read") -> Screening:
    qs = access.scope(Screening.objects.alive(), request.user, "screenings", op)
    try:
        return qs.select_related("participant__site", "participant__protocol").get(pk=pk)
    except Screening.DoesNotExist:
        raise Http404("no such screening at your sites") from None


@role_required(SCREEN_ROLES)
def screening_edit(request: HttpRequest, pk: int) -> HttpResponse:
    screening = _visible_screening(request, pk, "write")
    if Allocation.objects.alive().filter(participant=screening.participant).exists():
        from hccrt.web.pages.shell import forbidden

        return forbidden(request, "This participant is allocated: the screening that led to "
                                  "the allocation is kept as it is.")
    return _screening_page(request, screening.participant.protocol, screening)


@role_required(LOG_ROLES)
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    screening = _visible_screening(request, pk)
    participant = screening.participant
    core = _core(participant.protocol)
    status = STORED_STATUS[screening.outcome]
    specs = input_specs([core])
    facts = screening.facts or {}
    given = []
    labs = facts.get("labs") or {}
    for s in specs:
        if s.kind == "lab" and s.name in labs:
            lab = labs[s.name]
            shown = f"{lab.get('value')} {lab.get('unit') or ''}".strip()
            if lab.get("uln") is not None:
                shown += f" (ULN {lab['uln']})"
            if lab.get("date"):
                shown += f", {lab['date']}"
            given.append((s.label, shown))
        elif s.name in facts:
            v = facts[s.name]
            shown = {True: "yes", False: "no", "none": "never"}.get(v, v) \
                if isinstance(v, bool | str) else f"{v:g}" if isinstance(v, float) else str(v)
            given.append((s.label, f"{shown} {s.unit or ''}".strip()
                          if s.unit and s.kind in ("number", "fraction") else shown))
    attested = [(cid, "yes" if v else "no") for cid, v in (facts.get("attestations") or {}
                                                           ).items()]
    allocated = Allocation.objects.alive().filter(participant=participant).exists()
    can_write = access.has_role_at(request.user, frozenset(SCREEN_ROLES), participant.site_id)
    can_enrol = (screening.confirmed and screening.outcome == Screening.Outcome.ELIGIBLE
                 and not allocated
                 and access.has_role_at(request.user, access.RANDOMIZE, participant.site_id))
    return render(request, "pages/screening/detail.html", {
        "screening": screening, "participant": participant, "core": core,
        "status_word": STATUS_WORDS[status], "status_badge": STATUS_BADGE[status],
        "rows": criteria_rows(core, screening.criteria or []), "given": given,
        "attested": attested, "allocated": allocated, "can_enrol": can_enrol,
        "can_edit": can_write and not allocated,
    })  # fmt: skip
