"""Generate tests/reference/data/dor.csv: responses, progression and censoring for two arms.

Run once (seeded); the CSV is committed and read by both dor.R and the Python tests. One row
per participant: arm, resp_time (empty if no response), pfs_time, pfs_status (1 = progression
or death). Weekly assessments, so many tied times.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(8)
n = 240
arm = rng.choice(["SIRT", "HAIC"], size=n)
p_resp = np.where(arm == "SIRT", 0.55, 0.35)
responder = rng.uniform(size=n) < p_resp
t_resp = np.round(rng.gamma(3, 20, size=n) / 7) * 7 + 7
dur = rng.exponential(np.where(arm == "SIRT", 300, 200))
t_prog_nr = rng.exponential(150, size=n)
t_prog = np.where(responder, t_resp + dur, t_prog_nr)
t_cens = rng.uniform(60, 900, size=n)
pfs_time = np.maximum(np.round(np.minimum(t_prog, t_cens) / 7) * 7, 7.0)
pfs_status = (t_prog <= t_cens).astype(int)
resp_time = np.where(responder & (t_resp < pfs_time), t_resp, np.nan)
pd.DataFrame(dict(arm=arm, resp_time=resp_time, pfs_time=pfs_time, pfs_status=pfs_status)).to_csv(
    Path(__file__).with_name("data") / "dor.csv", index=False
)
