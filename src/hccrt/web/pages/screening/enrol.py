"""Enrolment and allocation of one participant, and the confirmation that states the result.

Every rule is :func:`hccrt.web.capture.allocation.allocate`'s (the API's ``allocate`` action
calls the same function): the method follows the protocol's design, a confirmed eligible
screening is required, a non-randomized assignment needs its reason, randomization takes the
next slot of the participant's stratum and needs every stratification factor. The page asks
for what the design needs and shows the core's refusal next to the field it names. The arm is
shown only where :func:`hccrt.web.capture.access.sees_arm` allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hccrt.errors import InputError
from hccrt.web.audit.base import audit_context
from hccrt.web.capture import access
from hccrt.web.capture.allocation import SITE_FACTOR, allocate
from hccrt.web.capture.models import Allocation, RandomizationList, Screening, protocol_facts
from hccrt.web.core.models import Participant
from hccrt.web.pages.screening.inputs import date_widget
from hccrt.web.pages.shell import ANYONE, forbidden, role_required

METHOD_OF_DESIGN = {"single_arm": "single_arm", "non_randomized_parallel": "non_randomized",
                    "randomized": "randomized"}  # fmt: skip
METHOD_WORDS = {"single_arm": "single-arm enrolment", "non_randomized": "assignment by the "
                "treating team (not randomized)", "randomized": "randomization"}  # fmt: skip
#: readable words for the core's refusals, by the field it names
FIELD_WORDS = {
    "eligibility": "Not allowed yet: the participant needs a screening with an eligible "
                   "outcome, confirmed.",
    "participant": "This participant is already allocated; an allocation is final.",
    "randomization_list": "No active randomization list for this protocol: the trial "
                          "statistician must create one before anyone can be randomized.",
    "already_assigned": "The randomization list of this stratum is used up: the trial "
                        "statistician must extend it.",
    "stratum": "Every stratification factor must be given.",
}


class AllocateForm(forms.Form):
    allocation_date = forms.DateField(label="Allocation date", initial=dt.date.today,
                                      widget=date_widget())

    def __init__(self, *args: Any, design: dict[str, Any], arms: list[dict[str, Any]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method = METHOD_OF_DESIGN[design["type"]]
        self.factor_ids: list[str] = []
        if self.method == "non_randomized":
            self.fields["arm"] = forms.ChoiceField(
                label="Arm assigned", choices=[("", "— choose —"),
                                               *((a["id"], a["name"]) for a in arms)],
                required=False)
            self.fields["reason"] = forms.CharField(
                label="Reason for this assignment", required=False, max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Required: why this participant is assigned to this arm.")
        elif self.method == "randomized":
            for f in design.get("stratification_factors", []):
                self.factor_ids.append(f["id"])
                self.fields[f"stratum__{f['id']}"] = forms.ChoiceField(
                    label=f"{f['name']} (stratification factor)", required=False,
                    choices=[("", "— choose —"), *((lv, lv) for lv in f["levels"])])

    def strata(self) -> dict[str, str]:
        d = self.cleaned_data
        return {fid: d[f"stratum__{fid}"] for fid in self.factor_ids
                if d.get(f"stratum__{fid}")}


def _participant(request: HttpRequest, pk: int) -> Participant:
    qs = access.scope(Participant.objects.alive(), request.user, "participants", "read")
    try:
        return qs.select_related("site", "protocol").get(pk=pk)
    except Participant.DoesNotExist:
        raise Http404("no such participant at your sites") from None


def _field_for(exc: InputError, form: AllocateForm) -> str | None:
    if exc.field in form.fields:
        return exc.field
    if f"stratum__{exc.field}" in form.fields:
        return f"stratum__{exc.field}"
    if exc.field == "stratum" and form.factor_ids:
        missing = [f for f in form.factor_ids if not form.cleaned_data.get(f"stratum__{f}")]
        return f"stratum__{missing[0]}" if missing else None
    return None


@role_required(ANYONE)
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(request, pk)
    doc = participant.protocol.document
    masked = protocol_facts(participant.protocol_id).masked
    allocation = Allocation.objects.alive().filter(participant=participant).first()
    sees = access.sees_arm(request.user, participant.site_id, masked)
    arm_names = {a["id"]: a["name"] for a in doc.get("arms", [])}
    if allocation is not None:
        return render(request, "pages/screening/enrolled.html", {
            "participant": participant, "allocation": allocation, "sees_arm": sees,
            "arm_name": arm_names.get(allocation.arm, allocation.arm),
            "method_words": METHOD_WORDS[allocation.method],
            "strata": {k: v for k, v in (allocation.strata or {}).items()},
            "refused": request.method == "POST",
        })  # fmt: skip
    may_allocate = access.has_role_at(request.user, access.RANDOMIZE, participant.site_id)
    if not may_allocate:
        return forbidden(request, "Your role may not enrol or allocate participants at this "
                                  "site.")
    form = AllocateForm(request.POST if request.method == "POST" else None,
                        design=doc["design"], arms=doc.get("arms", []))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with audit_context(request.user, ""):
                allocate(participant, form.method, d["allocation_date"], arm=d.get("arm") or None,
                         reason=d.get("reason", ""), strata=form.strata(), user=request.user)
        except InputError as exc:
            target = _field_for(exc, form)
            words = FIELD_WORDS.get(exc.field)
            message = f"{words} ({exc})" if words else str(exc)
            if target is not None:
                form.add_error(target, message)
            else:
                errors.append(message)
        else:
            messages.success(request, f"{participant.study_id} is allocated.")
            return redirect(reverse("pages:enrol", args=[participant.pk]))
    screening = (Screening.objects.alive().filter(participant=participant)
                 .order_by("-screening_date", "-pk").first())
    has_list = form.method != "randomized" or RandomizationList.objects.filter(
        protocol__code=participant.protocol.code, is_active=True).exists()
    design = doc["design"]
    ratio = design.get("allocation_ratio") or {}
    return render(request, "pages/screening/enrol.html", {
        "participant": participant, "form": form, "errors": errors, "method": form.method,
        "method_words": METHOD_WORDS[form.method], "screening": screening,
        "eligible": Screening.objects.alive().filter(
            participant=participant, outcome=Screening.Outcome.ELIGIBLE,
            confirmed=True).exists(),
        "has_list": has_list, "site_factor": SITE_FACTOR,
        "ratio": ":".join(str(ratio[a["id"]]) for a in doc.get("arms", []) if a["id"] in ratio),
        "arms": [a["name"] for a in doc.get("arms", [])] if sees else None,
    }, status=400 if request.method == "POST" else 200)  # fmt: skip
