"""Write logrank_trials.csv: the trials whose log-rank statistics logrank_survdiff.R computes.

20 trials of the sbrt-bclcc scenario (continuous times, no ties; simulated by hccrt) and 20
trials with integer times 0..7 (many ties, drawn here with numpy). Run from the repository
root: .venv/bin/python tests/reference/design/make_logrank_trials.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hccrt.stats.power_simulation import SCENARIOS, simulate_trials

OUT = Path(__file__).resolve().parent / "logrank_trials.csv"


def main() -> None:
    sims = simulate_trials(SCENARIOS["sbrt-bclcc"], 20, seed=7)
    rng = np.random.default_rng(11)
    tied_t = rng.integers(0, 8, size=(20, 40)).astype(float)
    tied_e = rng.random((20, 40)) < 0.6
    tied_g = (rng.random((20, 40)) < 0.5).astype(int)
    rows = ["trial,time,event,group"]
    for i in range(20):
        for t, e, g in zip(sims.time[i], sims.event[i], sims.group[i], strict=True):
            rows.append(f"sim{i},{float(t)!r},{int(e)},{int(g)}")
    for i in range(20):
        for t, e, g in zip(tied_t[i], tied_e[i], tied_g[i], strict=True):
            rows.append(f"tied{i},{float(t)!r},{int(e)},{int(g)}")
    OUT.write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
