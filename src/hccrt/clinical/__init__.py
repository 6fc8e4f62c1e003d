"""Clinical core: liver function, staging, renal function and body size, CTCAE v5.0 grading,
REILD and pneumonitis, EORTC QLQ scoring.

Pure functions on plain data (no Django, no I/O). The most used liver, staging and body-size
functions are re-exported here; the modules hold the sources and variant documentation:
:mod:`hccrt.clinical.liver`, :mod:`hccrt.clinical.staging`, :mod:`hccrt.clinical.body`.
"""

from hccrt.clinical.body import bsa, cockcroft_gault
from hccrt.clinical.liver import albi, child_pugh, meld, meld3, meld_na
from hccrt.clinical.staging import (
    bclc,
    cnlc,
    couinaud_contiguous,
    milan,
    up_to_seven,
)

__all__ = [
    "albi",
    "bclc",
    "bsa",
    "child_pugh",
    "cnlc",
    "cockcroft_gault",
    "couinaud_contiguous",
    "meld",
    "meld3",
    "meld_na",
    "milan",
    "up_to_seven",
]
