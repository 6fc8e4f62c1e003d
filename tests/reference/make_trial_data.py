"""Generate tests/reference/data/trial.csv: a synthetic two-arm trial with tied times.

Run once (seeded); the CSV is committed and read by both the R reference scripts and the
Python tests, so R and hccrt see identical data. Times are rounded to whole days (many ties)
and case weights mimic inverse-probability weights.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261122)
n = 300
arm = rng.choice(["SIRT", "HAIC"], size=n)
stratum = rng.choice(["BCLC-B", "BCLC-C", "PVTT"], size=n, p=[0.4, 0.4, 0.2])
x1 = np.round(rng.normal(size=n), 3)
x2 = rng.integers(0, 2, size=n)
age = np.round(rng.normal(63, 9, size=n), 0)
lin = np.log(0.7) * (arm == "SIRT") + 0.4 * x1 + 0.3 * x2 + 0.02 * (age - 63)
t_ev = rng.exponential(360 * np.exp(-lin))
t_cens = rng.exponential(900, size=n)
time = np.maximum(np.round(np.minimum(t_ev, t_cens) / 7) * 7, 1.0)  # weekly visits: ties
status = (t_ev <= t_cens).astype(int)
cause = np.where(status == 1, rng.choice([1, 2], size=n, p=[0.6, 0.4]), 0)
weight = np.round(rng.uniform(0.5, 2.5, size=n), 4)
dose = np.round(rng.normal(120 + 80 * (x1 > 0), 60, size=n), 1)
response = (rng.uniform(size=n) < 1 / (1 + np.exp(-(dose - 150) / 40))).astype(int)
pd.DataFrame(
    dict(
        time=time,
        status=status,
        cause=cause,
        arm=arm,
        stratum=stratum,
        x1=x1,
        x2=x2,
        age=age,
        weight=weight,
        dose=dose,
        response=response,
    )
).to_csv(Path(__file__).with_name("data") / "trial.csv", index=False)
