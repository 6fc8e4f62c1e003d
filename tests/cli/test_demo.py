"""`hccrt demo --no-serve` from a clean directory: the front door runs every step of the tour."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CODES = ("tare-ut7", "rescue", "sirt-haic", "io-rt-mvi", "sbrt-bclcc")


def _hccrt() -> list[str]:
    script = Path(sys.executable).with_name("hccrt")
    return [str(script)] if script.exists() else [shutil.which("hccrt") or "hccrt"]


@pytest.mark.slow_subprocess
def test_demo_no_serve_runs_the_whole_tour_and_is_idempotent(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HCCRT_DATABASE_URL"}
    data = tmp_path / "data"
    env["HCCRT_DATA_DIR"] = str(data)
    env["COLUMNS"] = "200"
    first = subprocess.run(
        [*_hccrt(), "demo", "--no-serve", "--cohort-size", "6"], env=env, capture_output=True,
        text=True, timeout=900,
    )
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    out = first.stdout
    for step in ("$ hccrt screen", "$ hccrt plan y90", "$ hccrt simulate", "$ hccrt analyze",
                 "$ hccrt report", "$ hccrt db seed-demo"):
        assert step in out, step
    for user in ("coordinator", "physicist", "reader", "statistician", "hccrt-demo"):
        assert user in out, user  # the demo users are printed
    for code in CODES:
        assert (data / "cohorts" / code / "dm.csv").is_file(), code
    assert (data / "reports" / "rescue" / "rescue-analysis-report.html").is_file()
    with sqlite3.connect(data / "hccrt.sqlite3") as db:
        protocols = db.execute("select count(*) from core_protocol where is_current").fetchone()
        participants = db.execute("select count(*) from core_participant").fetchone()
        per_protocol = db.execute(
            "select count(distinct protocol_id) from core_participant").fetchone()
        users = db.execute("select count(*) from auth_user where username in "
                           "('coordinator', 'reader', 'statistician')").fetchone()
    assert protocols == (5,)
    assert participants[0] > 0 and per_protocol == (5,)  # every trial has a cohort in the app
    assert users == (3,)
    # idempotent: a second run changes nothing in the database
    second = subprocess.run(
        [*_hccrt(), "demo", "--no-serve", "--quick"], env=env, capture_output=True, text=True,
        timeout=300,
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("unchanged") == 5
