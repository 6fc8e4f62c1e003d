"""Background runs of the exports page: record tables, derived datasets and reports.

A request creates a :class:`~hccrt.web.pages.models.ReportRun` (queued) and :func:`launch`
starts a daemon thread in the web process that runs :func:`execute`: it exports the protocol's
records through the records bridge, then writes the zip, derives the datasets
(:func:`hccrt.endpoints.analyze`) or builds the report (:func:`hccrt.reports.build_report`),
storing progress (fraction and stage) on the row as it goes; the page polls it.

Limitation (documented on the page): runs live in the web process, with no broker. At most
:data:`MAX_PARALLEL` run at once (others wait, queued); a run interrupted by a server restart
stays *running* with no progress and is shown as interrupted after :data:`STALE_AFTER`
without an update; ask again. A multi-centre deployment would move :func:`execute` onto a
worker queue (the function takes only the run id for that reason).
"""

from __future__ import annotations

import shutil
import threading
import traceback
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import close_old_connections, connections
from django.utils import timezone

from hccrt.errors import HccrtError
from hccrt.web.pages.models import ReportRun

MAX_PARALLEL = 2
STALE_AFTER = timedelta(minutes=30)
_slots = threading.BoundedSemaphore(MAX_PARALLEL)
Kind = ReportRun.Kind


def exports_root() -> Path:
    from hccrt.web.settings import data_dir

    return data_dir() / "exports"


def _update(run_id: int, **fields: Any) -> None:
    ReportRun.objects.filter(pk=run_id).update(updated_at=timezone.now(), **fields)


def launch(run_id: int) -> threading.Thread:
    """Start :func:`execute` for ``run_id`` in a daemon thread."""
    t = threading.Thread(target=_thread_main, args=(run_id,), name=f"hccrt-run-{run_id}",
                         daemon=True)  # fmt: skip
    t.start()
    return t


def _thread_main(run_id: int) -> None:
    close_old_connections()
    try:
        with _slots:
            execute(run_id)
    except Exception as exc:  # the failure could not even be stored: try once more
        traceback.print_exc()
        try:
            _update(run_id, status=ReportRun.Status.FAILED, message="failed",
                    error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
        except Exception:
            traceback.print_exc()
    finally:
        connections.close_all()


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(folder).as_posix())
    return target


def execute(run_id: int) -> None:
    """Run one export to completion; failures are stored on the run, never raised."""
    run = ReportRun.objects.get(pk=run_id)
    out = exports_root() / f"run-{run.pk}"
    _update(run_id, status=ReportRun.Status.RUNNING, started_at=timezone.now(),
            progress=0.02, message="reading the records from the database", out_dir=str(out))
    try:
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        files = _produce(run, out)
    except Exception as exc:  # every failure is shown on the page
        error = str(exc) if isinstance(exc, HccrtError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, HccrtError):  # unexpected: keep the trace for the log
            traceback.print_exc()
        _update(run_id, status=ReportRun.Status.FAILED, error=error,
                message="failed", finished_at=timezone.now())
        return
    _update(run_id, status=ReportRun.Status.DONE, progress=1.0, files=files,
            message="done", finished_at=timezone.now())


def _produce(run: ReportRun, out: Path) -> list[str]:
    from hccrt.web.capture.bridge import export_records
    from hccrt.web.core.models import Protocol

    code = run.protocol_code
    stored = Protocol.objects.get(code=code, is_current=True)
    records = export_records(code)
    if not len(records["DM"]):
        from hccrt.errors import InputError

        raise InputError("protocol", code, "a protocol with participants in the database",
                         "nothing to export yet")
    _update(run.pk, progress=0.2, message="records read")
    if run.kind in (Kind.RECORDS_CSV, Kind.RECORDS_XPT):
        from hccrt.records import write_csv_dir, write_xpt_dir

        tmp = out / "tmp-records"
        xpt = run.kind == Kind.RECORDS_XPT
        (write_xpt_dir if xpt else write_csv_dir)(records, tmp)
        _update(run.pk, progress=0.7, message="compressing")
        name = f"{code}-records-{'xpt' if xpt else 'csv'}.zip"
        _zip(tmp, out / name)
        shutil.rmtree(tmp)
        return [name]
    proto = stored.as_protocol()
    if run.kind == Kind.DATASETS:
        from hccrt.cli.analyze import write_run
        from hccrt.endpoints import STEPS, analyze

        total = len(STEPS) + len(proto.endpoints)
        seen = [0]

        def step(name: str) -> None:
            seen[0] += 1
            _update(run.pk, progress=0.2 + 0.6 * min(seen[0] / total, 1.0),
                    message=f"deriving {name}")

        result = analyze(records, proto, progress=step)
        tmp = out / "tmp-datasets"
        _update(run.pk, progress=0.85, message="writing CSV tables")
        write_run(result, tmp, formats=("csv",))
        name = f"{code}-datasets-csv.zip"
        _zip(tmp, out / name)
        shutil.rmtree(tmp)
        return [name]
    from hccrt.reports import build_report

    formats = [f for f in (run.formats or "html").split(",") if f]
    kind = "analysis" if run.kind == Kind.ANALYSIS_REPORT else "safety-closed"

    def progress(stage: str, frac: float) -> None:
        _update(run.pk, progress=0.2 + 0.78 * max(0.0, min(frac, 1.0)), message=stage[:300])

    paths = build_report(proto, records, out, formats, progress, kind=kind)
    return [p.name for p in paths.values()]


def is_stale(run: ReportRun) -> bool:
    return run.active and timezone.now() - run.updated_at > STALE_AFTER
