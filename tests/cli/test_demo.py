"""`hccrt demo --no-serve` from a clean directory: the acceptance check of the walking skeleton."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _hccrt() -> list[str]:
    script = Path(sys.executable).with_name("hccrt")
    return [str(script)] if script.exists() else [shutil.which("hccrt") or "hccrt"]


@pytest.mark.slow_subprocess
def test_demo_no_serve_sets_up_sqlite_and_loads_the_five_trials(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HCCRT_DATABASE_URL"}
    env["HCCRT_DATA_DIR"] = str(tmp_path / "data")
    env["COLUMNS"] = "200"
    first = subprocess.run(
        [*_hccrt(), "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "data" / "hccrt.sqlite3").is_file()
    for code in ("tare-ut7", "rescue", "sirt-haic", "io-rt-mvi", "sbrt-bclcc"):
        assert code in first.stdout
    assert first.stdout.count("new") >= 5
    # idempotent: a second run changes nothing
    second = subprocess.run(
        [*_hccrt(), "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("unchanged") == 5
