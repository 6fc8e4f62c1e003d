"""Exports page: who may export, a run going queued -> running -> done with its file
downloadable (the zip's DM table checked against the participants created here), a failing
run showing its error, and the background thread path end to end."""

from __future__ import annotations

import io
import time
import zipfile

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hccrt.web.capture import models as m
from hccrt.web.capture.models import Role
from hccrt.web.pages.models import ReportRun
from hccrt.web.pages.workspace import runner

pytestmark = [pytest.mark.database]
EXPORTS = reverse("pages:exports")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HCCRT_DATA_DIR", str(tmp_path))


@pytest.fixture
def inline_runs(monkeypatch):
    """Run the export in the request's thread (the test's transaction is not visible to
    another connection); the thread path is tested below with a committed database."""
    seen: list[str] = []

    def launch(run_id: int) -> None:
        seen.append(ReportRun.objects.get(pk=run_id).status)
        runner.execute(run_id)

    monkeypatch.setattr(runner, "launch", launch)
    return seen


@pytest.mark.django_db
def test_who_may_open_the_exports_page(world):
    assert client_for(world.users[Role.STATISTICIAN]).get(EXPORTS).status_code == 200
    assert client_for(world.users[Role.DATA_MANAGER]).get(EXPORTS).status_code == 200
    for role in (Role.SITE_COORDINATOR, Role.MONITOR, Role.CENTRAL_READER):
        r = client_for(world.users[role]).get(EXPORTS)
        assert r.status_code == 403, role
    u = get_user_model().objects.create_user("dm-a")
    m.Membership.objects.create(user=u, role=Role.DATA_MANAGER, site=world.site_a)
    r = client_for(u).get(EXPORTS)
    assert r.status_code == 403 and b"every site" in r.content


@pytest.mark.django_db
def test_coordinator_may_not_start_a_run(world):
    r = client_for(world.users[Role.SITE_COORDINATOR]).post(EXPORTS, {"kind": "records-csv"})
    assert r.status_code == 403 and not ReportRun.objects.exists()


@pytest.mark.django_db
def test_records_run_goes_queued_to_done_and_its_zip_downloads(
        world, inline_runs, django_capture_on_commit_callbacks):
    c = client_for(world.users[Role.STATISTICIAN])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(EXPORTS + "?protocol=mini-trial", {"kind": "records-csv"})
    assert r.status_code == 302
    run = ReportRun.objects.get()
    assert inline_runs == ["queued"]
    assert (run.status, run.progress, run.files) == ("done", 1.0,
                                                     ["mini-trial-records-csv.zip"])
    assert run.requested_by == world.users[Role.STATISTICIAN] and run.finished_at
    page = c.get(EXPORTS + "?protocol=mini-trial").content.decode()
    url = reverse("pages:export-file", args=[run.pk, "mini-trial-records-csv.zip"])
    assert url in page and "every 1s" not in page  # done: no more polling
    resp = c.get(url)
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    z = zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content)))
    dm = pd.read_csv(z.open("dm.csv"))
    assert sorted(dm["USUBJID"]) == ["MINI-A-001", "MINI-B-001"]
    assert sorted(dm["SITEID"]) == ["a", "b"]
    # a coordinator may not download it; a name not in the run is not served
    assert client_for(world.users[Role.SITE_COORDINATOR]).get(url).status_code == 403
    bad = reverse("pages:export-file", args=[run.pk, "..%2Fsecret"])
    assert c.get(bad).status_code == 404


@pytest.mark.django_db
def test_a_failing_run_shows_its_error(world, inline_runs, django_capture_on_commit_callbacks):
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()  # sbrt-bclcc stored, with no participant: nothing to export
    c = client_for(world.users[Role.DATA_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        c.post(EXPORTS + "?protocol=sbrt-bclcc", {"kind": "report-analysis",
                                                  "formats": "html"})
    run = ReportRun.objects.get()
    assert run.status == "failed" and "nothing to export yet" in run.error
    html = c.get(reverse("pages:export-run", args=[run.pk])).content.decode()
    assert "failed" in html and "nothing to export yet" in html and 'role="alert"' in html
    assert "every 1s" not in html


@pytest.mark.django_db
def test_bad_kind_or_format_is_refused(world):
    c = client_for(world.users[Role.STATISTICIAN])
    r = c.post(EXPORTS + "?protocol=mini-trial", {"kind": "everything"})
    assert r.status_code == 400 and b"kind: got" in r.content
    r = c.post(EXPORTS + "?protocol=mini-trial", {"kind": "report-analysis", "formats": "doc"})
    assert r.status_code == 400 and b"formats: got" in r.content
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_an_active_run_polls_every_second(world):
    run = ReportRun.objects.create(kind="records-csv", protocol_code="mini-trial",
                                   requested_by=world.users[Role.STATISTICIAN],
                                   status="running", progress=0.4, message="deriving ADSL")
    html = client_for(world.users[Role.STATISTICIAN]).get(
        reverse("pages:export-run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html and "deriving ADSL" in html


def _poll_until_finished(c: Client, run: ReportRun) -> ReportRun:
    poll = reverse("pages:export-run", args=[run.pk])
    for _ in range(600):  # wait for the thread (not a speed check: up to 60 s)
        html = c.get(poll).content.decode()
        if 'data-status="done"' in html or 'data-status="failed"' in html:
            break
        time.sleep(0.1)
    run.refresh_from_db()
    return run


def _needs_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second connection beside the test's: SQLite's shared-cache in-memory "
                    "test database refuses it (table locked) instead of waiting; PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_background_thread_runs_and_reports_a_failure():
    """The real thread path (committed data, the thread's own connection)."""
    _needs_postgresql()
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    admin = get_user_model().objects.create_user("admin-x")
    m.Membership.objects.create(user=admin, role=Role.ADMINISTRATOR, site=None)
    c = client_for(admin)
    c.post(EXPORTS + "?protocol=rescue", {"kind": "records-csv"})
    run = _poll_until_finished(c, ReportRun.objects.get())
    assert run.status == "failed" and "nothing to export yet" in run.error
    assert run.started_at is not None and run.finished_at >= run.started_at


@pytest.mark.django_db(transaction=True)
def test_background_thread_completes_a_run():
    _needs_postgresql()  # and SQLite's test flush cannot delete guarded trial rows
    from tests.web.conftest import World

    world = World()
    c = client_for(world.users[Role.ADMINISTRATOR])
    c.post(EXPORTS + "?protocol=mini-trial", {"kind": "records-xpt"})
    run = _poll_until_finished(c, ReportRun.objects.get())
    assert run.status == "done", run.error
    assert run.files == ["mini-trial-records-xpt.zip"]
    resp = c.get(reverse("pages:export-file", args=[run.pk, run.files[0]]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content))).namelist()
    assert "dm.xpt" in names


@pytest.mark.django_db
def test_datasets_and_report_runs_on_a_loaded_cohort(world, inline_runs,
                                                     django_capture_on_commit_callbacks):
    """A small synthetic sbrt-bclcc cohort loaded through the bridge. While the bridge does
    not export tumour results (TU/TR), the response endpoints cannot be derived: the run fails
    and says so; once it does, the datasets zip holds ADSL with one row per participant of DM
    (the simulator's table) and the analysis report is written as HTML."""
    from hccrt.simulate import simulate
    from hccrt.web.capture import bridge
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    records = simulate("sbrt-bclcc", n=6, seed=3).records
    bridge.import_records(records, "sbrt-bclcc", user=world.system)
    c = client_for(world.users[Role.STATISTICIAN])
    with django_capture_on_commit_callbacks(execute=True):
        c.post(EXPORTS + "?protocol=sbrt-bclcc", {"kind": "datasets"})
    with django_capture_on_commit_callbacks(execute=True):
        c.post(EXPORTS + "?protocol=sbrt-bclcc", {"kind": "report-analysis", "formats": "html"})
    datasets, report = ReportRun.objects.order_by("pk")
    if "TR" not in bridge.BRIDGED:
        for run in (datasets, report):
            assert run.status == "failed" and "TR" in run.error and "tumour" in run.error
        html = c.get(EXPORTS + "?protocol=sbrt-bclcc").content.decode()
        assert "tumour results (TR)" in html
        return
    assert datasets.status == "done", datasets.error
    resp = c.get(reverse("pages:export-file", args=[datasets.pk, datasets.files[0]]))
    z = zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content)))
    assert {"datasets/ADSL.csv", "datasets/ADAE.csv", "results.csv"} <= set(z.namelist())
    adsl = pd.read_csv(z.open("datasets/ADSL.csv"))
    assert set(adsl["USUBJID"]) == set(records["DM"]["USUBJID"])
    assert report.status == "done", report.error
    assert report.files == ["sbrt-bclcc-analysis-report.html"]
    html = c.get(reverse("pages:export-file", args=[report.pk, report.files[0]]))
    assert b"sbrt-bclcc" in b"".join(html.streaming_content).lower()


@pytest.mark.django_db
def test_xpt_records_zip_reads_back(world, inline_runs, django_capture_on_commit_callbacks):
    from hccrt.records import read_xpt_dir

    c = client_for(world.users[Role.ADMINISTRATOR])
    with django_capture_on_commit_callbacks(execute=True):
        c.post(EXPORTS + "?protocol=mini-trial", {"kind": "records-xpt"})
    run = ReportRun.objects.get()
    assert run.status == "done", run.error
    resp = c.get(reverse("pages:export-file", args=[run.pk, run.files[0]]))
    folder = runner.exports_root() / "readback"
    zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content))).extractall(folder)
    dm = read_xpt_dir(folder)["DM"]
    assert sorted(dm["USUBJID"]) == ["MINI-A-001", "MINI-B-001"]


@pytest.mark.django_db
def test_a_run_without_progress_for_long_is_shown_interrupted(world):
    from datetime import timedelta

    from django.utils import timezone

    run = ReportRun.objects.create(kind="datasets", protocol_code="mini-trial",
                                   requested_by=world.users[Role.STATISTICIAN],
                                   status="running", progress=0.3)
    ReportRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - runner.STALE_AFTER - timedelta(minutes=1))
    html = client_for(world.users[Role.STATISTICIAN]).get(
        reverse("pages:export-run", args=[run.pk])).content.decode()
    assert "interrupted" in html and "every 1s" not in html
