"""Pages listing the protocols and showing one protocol, and the health endpoint."""

from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

import hccrt
from hccrt.protocols import describe
from hccrt.web.core.models import Participant, Protocol


def protocol_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for stored in Protocol.objects.filter(is_current=True).order_by("code"):
        protocol = stored.as_protocol()
        rows.append(
            {
                "stored": stored,
                "protocol": protocol,
                "design": describe.design_text(protocol),
                "counts": describe.endpoint_counts(protocol),
                "participants": stored.participants.count(),
            }
        )
    return render(request, "core/protocol_list.html", {"rows": rows})


def protocol_detail(request: HttpRequest, code: str) -> HttpResponse:
    stored = Protocol.objects.filter(code=code, is_current=True).first()
    if stored is None:
        raise Http404(f"No protocol {code!r} is loaded")
    protocol = stored.as_protocol()
    context = {
        "stored": stored,
        "protocol": protocol,
        "design": describe.design_text(protocol),
        "arms": describe.arm_rows(protocol),
        "schedule": describe.schedule_rows(protocol),
        "planning": describe.planning_rows(protocol),
        "endpoints": describe.endpoint_rows(protocol),
        "counts": describe.endpoint_counts(protocol),
        "eligibility": protocol.eligibility,
        "versions": Protocol.objects.filter(code=code).order_by("-loaded_at"),
    }
    return render(request, "core/protocol_detail.html", context)


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the demo's smoke test."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        protocols = Protocol.objects.filter(is_current=True).count()
        participants = Participant.objects.count()
    except Exception as exc:  # report, do not crash: this endpoint exists to say what is wrong
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": str(exc)}, status=503
        )
    return JsonResponse(
        {
            "status": "ok",
            "version": hccrt.__version__,
            "database": connection.vendor,
            "protocols": protocols,
            "participants": participants,
        }
    )
