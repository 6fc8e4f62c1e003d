"""Statistics tests: registers the ``r_reference`` marker (tests that rerun R).

Those tests skip unless ``Rscript`` is on PATH; everything else compares with the committed
R outputs in tests/reference/.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "r_reference: reruns the R reference scripts (needs Rscript)"
    )
