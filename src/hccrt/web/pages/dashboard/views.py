"""The home page: the dashboard of the protocol in focus at the user's sites.

A central reader's home is their review summary only (no arms, sites or enrolment). Figures
come from :mod:`hccrt.web.pages.dashboard.data` (aggregated in the database, scoped by role
and site).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from hccrt.web.capture import access
from hccrt.web.pages.dashboard import data
from hccrt.web.pages.shell import protocol_in_focus


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.grants(user):
        return render(request, "pages/dashboard/no_role.html")
    if access.reader_only(user, "tumour-assessments"):
        return render(request, "pages/dashboard/reader.html", {
            "summary": data.reader_summary(user), "inbox_url": _url("pages:review-inbox")})
    protocol = protocol_in_focus(request)
    if protocol is None:
        return render(request, "pages/dashboard/home.html", {"protocol": None})
    sites = data.user_sites(user, protocol)
    site = next((s for s in sites if s.code == request.GET.get("site")), None)
    qs = data.participants(user, protocol, site)
    today = date.today()
    enrolment = data.enrolment(qs, protocol)
    ctx = {
        "protocol": protocol, "sites": sites, "site": site, "today": today,
        "multi_site": len(sites) > 1,
        "enrolment": enrolment, "chart": data.chart(enrolment),
        "funnel": data.funnel(qs, protocol),
        "visits": data.visits(user, qs, today),
        "queries": data.queries(user, qs),
        "aes": data.adverse_events(user, qs),
        "activity": data.recent_activity(user, qs),
        "participant_url": _url("pages:participant-list"),
        "queries_url": _url("pages:queries"),
        "audit_url": _url("pages:audit"),
        "has_participant_detail": _url("pages:participant-detail", 1) is not None,
    }  # fmt: skip
    return render(request, "pages/dashboard/home.html", ctx)
