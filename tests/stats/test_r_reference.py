"""Rerun the R reference scripts (tests/reference/*.R) and compare hccrt with fresh R output.

Selected with ``-m r_reference``; skipped unless ``Rscript`` is on PATH. The other tests use
the committed outputs of the same scripts, so the suite runs without R.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.stats.refdata import REF, load_ref
from tests.stats.test_binomial import check_binom
from tests.stats.test_competing import check_cuminc
from tests.stats.test_cox import check_cox
from tests.stats.test_km import check_km
from tests.stats.test_logrank import check_logrank
from tests.stats.test_propensity import check_ipw
from tests.stats.test_response_duration import check_dor
from tests.stats.test_rmst import check_rmst
from tests.stats.test_roc import check_roc

CHECKS = {
    "km": check_km,
    "logrank": check_logrank,
    "rmst": check_rmst,
    "binom": check_binom,
    "cox": check_cox,
    "cuminc": check_cuminc,
    "roc": check_roc,
    "ipw": check_ipw,
    "dor": check_dor,
}

pytestmark = [
    pytest.mark.r_reference,
    pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not on PATH"),
]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_fresh_r_output_agrees(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "HCCRT_R_OUT": str(tmp_path)}
    subprocess.run(
        ["Rscript", str(REF / f"{name}.R")], check=True, env=env, capture_output=True, timeout=300
    )
    CHECKS[name](load_ref(name, tmp_path))
