"""The exports page: record tables, derived datasets and reports, built in the background.

Who: administrators, data managers and statisticians holding the role for every site (an
export holds every site's data); in a masked trial only the roles that may see the arm
(:func:`access.sees_arm`). Runs are started by a POST, polled by htmx (every second) until
done, then their files download here.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from hccrt.web.capture import access
from hccrt.web.capture.models import Role, protocol_facts
from hccrt.web.core.models import Protocol
from hccrt.web.pages.models import ReportRun
from hccrt.web.pages.shell import forbidden, protocol_in_focus, role_required
from hccrt.web.pages.workspace import runner
from hccrt.web.pages.workspace.common import is_htmx

EXPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.DATA_MANAGER, Role.STATISTICIAN})
REPORT_FORMATS = {"html": ["html"], "pdf": ["pdf"], "html,pdf": ["html", "pdf"]}


def may_export(user: Any, protocol: Protocol) -> str | None:
    """None when ``user`` may export ``protocol``; otherwise why not."""
    if not access.has_role_at(user, EXPORT_ROLES, None):
        return ("Exports hold every site's data: they are for administrators, data managers "
                "and statisticians with a role for all sites.")  # fmt: skip
    if not access.sees_arm(user, None, protocol_facts(protocol.pk).masked):
        return f"{protocol.code} is masked and your role may not see the arms it exports."
    return None


def _runs(protocol: Protocol) -> list[ReportRun]:
    runs = list(ReportRun.objects.filter(protocol_code=protocol.code)
                .select_related("requested_by")[:20])  # fmt: skip
    for r in runs:
        r.stale = runner.is_stale(r)  # type: ignore[attr-defined]
    return runs


@role_required(EXPORT_ROLES)
def exports(request: HttpRequest) -> HttpResponse:
    protocol = protocol_in_focus(request)
    if protocol is None:
        return render(request, "pages/workspace/exports.html", {"protocol": None})
    why = may_export(request.user, protocol)
    if why:
        return forbidden(request, why)
    error = ""
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        fmt = request.POST.get("formats", "html")
        if kind not in ReportRun.Kind.values:
            error = f"kind: got {kind!r}; allowed: one of {', '.join(ReportRun.Kind.values)}"
        elif kind.startswith("report-") and fmt not in REPORT_FORMATS:
            error = f"formats: got {fmt!r}; allowed: html, pdf or html,pdf"
        else:
            run = ReportRun.objects.create(
                kind=kind, protocol_code=protocol.code, requested_by=request.user,
                formats=fmt if kind.startswith("report-") else "", message="queued")
            from django.db import transaction

            transaction.on_commit(lambda: runner.launch(run.pk))
            if is_htmx(request):
                return render(request, "pages/workspace/_runs.html",
                              {"runs": _runs(protocol), "protocol": protocol})
            return redirect(f"{request.path}?protocol={protocol.code}")
    ctx = {"protocol": protocol, "runs": _runs(protocol), "kinds": ReportRun.Kind.choices,
           "error": error}  # fmt: skip
    return render(request, "pages/workspace/exports.html", ctx, status=400 if error else 200)


def _run_for(request: HttpRequest, pk: int) -> tuple[ReportRun | None, HttpResponse | None]:
    run = get_object_or_404(ReportRun, pk=pk)
    protocol = Protocol.objects.filter(code=run.protocol_code, is_current=True).first()
    if protocol is None:
        raise Http404("protocol not loaded")
    why = may_export(request.user, protocol)
    if why:
        return None, forbidden(request, why)
    return run, None


@role_required(EXPORT_ROLES)
def export_run(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's row (the htmx poll target: it keeps polling while the run is active)."""
    run, denied = _run_for(request, pk)
    if denied:
        return denied
    run.stale = runner.is_stale(run)  # type: ignore[union-attr]
    return render(request, "pages/workspace/_run.html", {"run": run})


@role_required(EXPORT_ROLES)
def export_file(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    run, denied = _run_for(request, pk)
    if denied:
        return denied
    assert run is not None
    if run.status != ReportRun.Status.DONE or name not in (run.files or []):
        raise Http404("no such file in this run")
    from pathlib import Path

    path = Path(run.out_dir) / name
    if not path.is_file():
        raise Http404("the file is no longer on the server; run the export again")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)

