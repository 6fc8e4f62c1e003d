"""The screening log: every screening of the protocol in focus at the user's sites, with the
reasons (criteria not met, data missing, to attest), one page of rows at a time.

The counts at the top (per outcome, and the criteria not met most often) cover every screening
that matches the filters, not only the page shown; the CSV download holds every row.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from hccrt.web.capture import access
from hccrt.web.capture.models import Screening
from hccrt.web.core.models import Protocol, Site
from hccrt.web.pages.screening.inputs import date_widget
from hccrt.web.pages.screening.views import (
    LOG_ROLES,
    SCREEN_ROLES,
    STATUS_BADGE,
    STATUS_WORDS,
    STORED_STATUS,
    fails,
)
from hccrt.web.pages.shell import protocol_in_focus, role_required

LOG_PAGE_SIZE = 50
CSV_HEADER = ["study_id", "site", "screening_date", "outcome", "confirmed", "criteria_not_met",
              "data_missing_for", "to_attest", "rule_version"]  # fmt: skip
ROW_VALUES = ("pk", "screening_date", "outcome", "confirmed", "criteria", "rule_version",
              "participant__study_id", "participant__site__code")  # fmt: skip


def reasons(criteria: list[dict[str, Any]] | None) -> tuple[list[str], list[str], list[str]]:
    """(failing, missing, to attest) criterion ids of a stored screening's criteria."""
    failing, missing, attest = [], [], []
    for c in criteria or []:
        if fails(c["kind"], c["outcome"]):
            failing.append(c["id"])
        elif c["outcome"] == "unknown":
            missing.append(c["id"])
        elif c["outcome"] == "needs attestation":
            attest.append(c["id"])
    return failing, missing, attest


def outcome_word(outcome: str) -> str:
    return STATUS_WORDS[STORED_STATUS[Screening.Outcome(outcome)]].split(":")[0]


class LogFilter(forms.Form):
    outcome = forms.ChoiceField(
        required=False,
        label="Outcome",
        choices=[("", "all"), *((o.value, outcome_word(o.value)) for o in Screening.Outcome)],
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label="Site", empty_label="all my sites"
    )
    confirmed = forms.ChoiceField(
        required=False,
        label="Confirmed",
        choices=[("", "all"), ("yes", "confirmed"), ("no", "not confirmed")],
    )
    date_from = forms.DateField(required=False, label="Screened from", widget=date_widget())
    date_to = forms.DateField(required=False, label="Screened to", widget=date_widget())


class CountedPaginator(Paginator):
    """A paginator told its row count (already counted with the outcome counts), so a page
    costs one query for its rows and none for the count."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _filtered(request: HttpRequest, stored: Protocol | None
              ) -> tuple[QuerySet[Screening], LogFilter, str]:  # fmt: skip
    """The screenings the user may read that match every filter but the outcome, the filter
    form, and the outcome chosen ('' for all)."""
    qs = access.scope(Screening.objects.alive(), request.user, "screenings", "read")
    if stored is not None:
        qs = qs.filter(participant__protocol__code=stored.code)
    sites = access.allowed_sites(request.user, "screenings", "read")
    site_qs = (
        Site.objects.order_by("code")
        if sites is None
        else Site.objects.filter(pk__in=sites).order_by("code")
    )
    filt = LogFilter(request.GET or None)
    filt.fields["site"].queryset = site_qs  # type: ignore[attr-defined]
    outcome = ""
    if filt.is_valid():
        d = filt.cleaned_data
        if d.get("site"):
            qs = qs.filter(participant__site=d["site"])
        if d.get("confirmed"):
            qs = qs.filter(confirmed=d["confirmed"] == "yes")
        if d.get("date_from"):
            qs = qs.filter(screening_date__gte=d["date_from"])
        if d.get("date_to"):
            qs = qs.filter(screening_date__lte=d["date_to"])
        outcome = d.get("outcome") or ""
    return qs, filt, outcome


def _rows(values: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    detail = reverse("pages:screening-detail", args=[987654321])
    rows = []
    for s in values:
        failing, missing, attest = reasons(s["criteria"])
        status = STORED_STATUS[s["outcome"]]
        rows.append({"s": s, "status": status, "failing": failing, "missing": missing,
                     "attest": attest, "badge": STATUS_BADGE[status],
                     "word": STATUS_WORDS[status].split(":")[0],
                     "url": detail.replace("987654321", str(s["pk"]))})  # fmt: skip
    return rows


def _csv(rows: QuerySet[Screening], stored: Protocol | None) -> HttpResponse:
    """Every row of the log (no pages), read in chunks."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    code = stored.code if stored else "all"
    response["Content-Disposition"] = f'attachment; filename="screening-log-{code}.csv"'
    w = csv.writer(response)
    w.writerow(CSV_HEADER)
    for s in rows.values(*ROW_VALUES).iterator(chunk_size=2000):
        failing, missing, attest = reasons(s["criteria"])
        w.writerow([s["participant__study_id"], s["participant__site__code"],
                    s["screening_date"].isoformat(), s["outcome"],
                    "yes" if s["confirmed"] else "no", ";".join(failing), ";".join(missing),
                    ";".join(attest), s["rule_version"]])  # fmt: skip
    return response


def failing_counts(qs: QuerySet[Screening]) -> list[tuple[str, int]]:
    """(criterion id, screenings that fail it) over every screening of ``qs``, most frequent
    first (ties by id); only the stored criteria are read."""
    counts: Counter[str] = Counter()
    for criteria in qs.order_by().values_list("criteria", flat=True).iterator(chunk_size=2000):
        counts.update(reasons(criteria)[0])
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def page_links(request: HttpRequest, page: Page) -> dict[str, Any]:
    """What the pager shows: the query string kept (filters, protocol), the page numbers
    (elided around the current one) and the range of rows on this page."""
    keep = request.GET.copy()
    for name in ("page", "format"):
        keep.pop(name, None)
    kept = keep.urlencode()
    return {
        "page_query": f"{kept}&" if kept else "",
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                                  on_ends=1)),
        "ellipsis": Paginator.ELLIPSIS,
    }  # fmt: skip


@role_required(LOG_ROLES)
def screening_list(request: HttpRequest) -> HttpResponse:
    stored = protocol_in_focus(request)
    qs, filt, outcome = _filtered(request, stored)
    counts = {o.value: 0 for o in Screening.Outcome}
    for row in qs.order_by().values("outcome").annotate(n=Count("pk")):
        counts[row["outcome"]] += row["n"]
    if outcome:
        qs = qs.filter(outcome=outcome)
    qs = qs.order_by("-screening_date", "-pk")  # newest first; pk keeps pages stable
    if request.GET.get("format") == "csv":
        return _csv(qs, stored)
    shown = counts[outcome] if outcome else sum(counts.values())
    # plain values, not model instances: the page's rows without building their objects or
    # decoding the stored facts the log does not show
    page = CountedPaginator(qs.values(*ROW_VALUES), LOG_PAGE_SIZE, shown).get_page(
        request.GET.get("page")
    )
    rows = _rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return render(request, "pages/screening/list.html", {
        "protocol": stored, "rows": rows, "page": page, **page_links(request, page),
        "filter": filt, "total": sum(counts.values()), "shown": shown,
        "counts": [(outcome_word(k), v, STATUS_BADGE[STORED_STATUS[Screening.Outcome(k)]])
                   for k, v in counts.items()],
        "failing_counts": failing_counts(qs),
        "csv_query": query.urlencode(),
        "can_screen": bool(access.roles(request.user) & SCREEN_ROLES),
    })  # fmt: skip
