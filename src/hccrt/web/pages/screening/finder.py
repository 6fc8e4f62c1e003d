"""The trial finder: a patient's key facts once, every protocol's verdict in plain words.

The verdicts are the screening engine's all-protocols result (:func:`screen_all`, the path of
``hccrt screen --all-protocols``): facts are derived once and screened against every current
protocol; each protocol's result is then explained criterion by criterion. Nothing is stored
and nothing is looked up about anyone, so the page is open to anyone, signed in or not.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pandas as pd
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from hccrt.errors import HccrtError, InputError
from hccrt.protocols.eligibility.candidate import ScreeningInput, facts_frame
from hccrt.protocols.eligibility.engine import screen_all
from hccrt.web.capture import access
from hccrt.web.capture.models import protocol_model
from hccrt.web.pages.screening.inputs import (
    InputSpec,
    date_widget,
    error_field,
    facts_form,
    facts_from,
    input_label,
    input_specs,
)
from hccrt.web.pages.screening.views import SCREEN_ROLES, criteria_rows
from hccrt.web.pages.shell import current_protocols

#: inputs a referring physician does not give: consent and attestations happen at the site
SITE_STEPS = ("consent_signed", "consent_date")
#: sections shown open; the others fold away until needed
OPEN_SECTIONS = ("Patient", "Performance status", "Laboratory", "Liver function",
                 "Diagnosis and tumour", "Treatment history")  # fmt: skip

DESIGN_WORDS = {
    "single_arm": "one group: every participant receives the study treatment",
    "non_randomized_parallel": "parallel groups, assigned by the treating team (not randomized)",
    "randomized": "randomized",
}
ROLE_WORDS = {"experimental": "experimental", "active_comparator": "comparator",
              "control": "control", "single": "study treatment"}  # fmt: skip


def protocols() -> list[Any]:
    """The current protocols as core models (stored versions, cached by id)."""
    return [protocol_model(p.pk) for p in current_protocols()]


def design_words(p: Any) -> str:
    d = p.design
    words = DESIGN_WORDS[d.type.value]
    if d.type.value == "randomized" and d.allocation_ratio:
        ratio = ":".join(str(d.allocation_ratio[a.id]) for a in p.arms
                         if a.id in d.allocation_ratio)
        words += f" {ratio} between the arms"
    if d.masking != "open_label":
        words += f", {d.masking.replace('_', ' ')}"
    return words


def protocol_url(code: str) -> str | None:
    try:
        return reverse("protocol-detail", args=[code])
    except NoReverseMatch:
        return None


@functools.lru_cache(maxsize=8)
def _specs(key: tuple[tuple[int, str], ...]) -> tuple[list[InputSpec], type[forms.Form]]:
    """Inputs and form class of a set of stored protocol versions (id, content hash)."""
    specs = input_specs([protocol_model(pk) for pk, _ in key], skip=SITE_STEPS)
    form = facts_form(specs)
    form.base_fields["screening_date"] = forms.DateField(
        label="Date of this assessment", initial=dt.date.today,
        widget=date_widget(),
        help_text="Lab and treatment windows count back from this date.")
    return specs, form


def verdict(result: Any, protocol: Any) -> dict[str, Any]:
    """A protocol's result for someone who has never read the protocol."""
    rows = criteria_rows(protocol, result.as_dict()["criteria"])
    failing = [r for r in rows if r["effect_badge"] == "fail"]
    missing: list[str] = []
    site_steps: list[str] = []
    for c in result.criteria:
        if c.outcome == "unknown":
            for m in c.missing:
                if m.split(" ")[0] in SITE_STEPS:
                    if "written consent" not in site_steps:
                        site_steps.append("written consent")
                    continue
                label = input_label(m)
                if label not in missing:
                    missing.append(label)
        elif c.outcome == "needs attestation":
            for a in c.attestations:
                text = a.removeprefix("Investigator to attest: ")
                if text not in site_steps:
                    site_steps.append(text)
    if result.status == "eligible":
        headline, plain = "May be eligible", "Every criterion that can be checked is met."
    elif result.status == "ineligible":
        n = len(failing)
        headline = "Not eligible"
        plain = f"{n} criteri{'on' if n == 1 else 'a'} rule{'s' if n == 1 else ''} this " \
                "patient out."
    elif missing:
        headline = "Not decided yet: information missing"
        plain = "Nothing seen so far rules the patient out; the facts below are still needed."
    else:
        headline = "May be eligible, pending checks at the trial site"
        plain = "Every fact given fits; the site team still has to check what is listed below."
    arms = [f"{a.name} ({ROLE_WORDS.get(a.role, a.role)})" for a in protocol.arms]
    return {
        "code": protocol.code, "short_title": protocol.identity.short_title,
        "title": protocol.identity.title, "design": design_words(protocol), "arms": arms,
        "url": protocol_url(protocol.code), "status": result.status, "headline": headline,
        "plain": plain, "failing": failing, "missing": missing, "site_steps": site_steps,
        "badge": {"eligible": "ok", "ineligible": "fail"}.get(result.status, "missing"),
    }  # fmt: skip


def finder(request: HttpRequest) -> HttpResponse:
    """Trial finder (any visitor): one patient's facts against every protocol."""
    stored, unchecked = [], []
    for p in current_protocols():
        core = protocol_model(p.pk)
        if all(c.rule is not None for c in core.eligibility):
            stored.append(p)
        else:  # criteria without executable rules: the engine cannot judge them
            unchecked.append(p)
    cores = [protocol_model(p.pk) for p in stored]
    specs, form_class = _specs(tuple((p.pk, p.content_hash) for p in stored))
    form = form_class(request.POST if request.method == "POST" else None, prefix="f")
    verdicts: list[dict[str, Any]] = []
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        facts = {"candidate_id": "patient",
                 "screening_date": data["screening_date"].isoformat(),
                 **facts_from(specs, data)}  # fmt: skip
        try:
            row = ScreeningInput.parse(facts).to_row()
            batches = screen_all(cores, facts_frame(pd.DataFrame([row])))
            verdicts = [verdict(batches[p.code].result(0), p) for p in cores]
            if request.user.is_authenticated and (access.roles(request.user) & SCREEN_ROLES):
                new = reverse("pages:screening-new")
                for v in verdicts:
                    if v["status"] != "ineligible":
                        v["screen_url"] = f"{new}?protocol={v['code']}"
        except InputError as exc:
            name = error_field(exc.field, form)
            if name is not None:
                form.add_error(name, str(exc))
            else:
                errors.append(str(exc))
        except HccrtError as exc:
            errors.append(str(exc))
    order = {"eligible": 0, "incomplete": 1, "ineligible": 2}
    verdicts.sort(key=lambda v: (order[v["status"]], v["code"]))
    groups: dict[str, dict[str, Any]] = {}
    for s in specs:
        g = groups.setdefault(s.section, {"title": s.section, "items": [],
                                          "open": s.section in OPEN_SECTIONS})
        g["items"].append({"spec": s, "fields": [
            form[n] for n in (s.name, f"{s.name}_unit", f"{s.name}_uln", f"{s.name}_never")
            if n in form.fields]})
        if form.is_bound and any(form[n].value() not in (None, "", False)
                                 for n in (s.name,) if n in form.fields):
            g["open"] = True
    context = {
        "form": form, "sections": list(groups.values()), "verdicts": verdicts,
        "errors": errors, "hx": request.headers.get("HX-Request") == "true",
        "labs_date": form["labs_date"] if "labs_date" in form.fields else None,
        "screening_date": form["screening_date"], "n_protocols": len(cores),
        "unchecked": unchecked,
        "field_errors": [(form[n].auto_id, " ".join(form.errors.get(n, [])))
                         for n in form.fields] if form.is_bound else [],
    }  # fmt: skip
    if context["hx"]:
        return render(request, "pages/screening/_finder_results.html", context)
    return render(request, "pages/screening/finder.html", context)
