"""Properties of best-response derivation on random sequences: the vectorised confirmation
search equals a plain loop written from admiral's filter_joined definition
(response-rules.md 3.3), and the subject flags are consistent with BOR/CBOR."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccrt.response.best import _CODE, _confirmed, derive_best_response

RESP = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"]


def naive_confirmed(days, vals, candidate, upper, allowed, max_ne, gap, pr_rule):
    """filter_joined(join_type = "after", first_cond_upper) as a loop over one subject."""
    out = []
    for i, v in enumerate(vals):
        ok = False
        if v == candidate:
            window = None
            for j in range(i + 1, len(vals)):
                if vals[j] in upper and days[j] >= days[i] + gap:
                    window = list(range(i + 1, j + 1))
                    break
            if window is not None:
                wv = [vals[k] for k in window]
                ok = all(x in allowed for x in wv) and wv.count("NE") <= max_ne
                if pr_rule and "CR" in wv and "PR" in wv:
                    first_cr = min(days[k] for k in window if vals[k] == "CR")
                    last_pr = max(days[k] for k in window if vals[k] == "PR")
                    ok = ok and first_cr > last_pr
        out.append(ok)
    return out


seq_strategy = st.lists(st.tuples(st.integers(1, 30), st.sampled_from(RESP)), min_size=1,
                        max_size=9)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(seq_strategy, min_size=1, max_size=3), st.integers(0, 2),
       st.sampled_from([21, 28, 35]))
def test_vectorised_confirmation_equals_loop(subjects, max_ne, gap):
    gid, days, vals = [], [], []
    for g, seq in enumerate(subjects):
        d = np.cumsum([s for s, _ in seq])
        gid += [g] * len(seq)
        days += list(d)
        vals += [v for _, v in seq]
    code = np.array([_CODE[v] for v in vals], dtype=np.int64)
    gid_a, days_a = np.array(gid), np.array(days, dtype=np.int64)
    cases = [("CR", ["CR"], ["CR", "NE"], False), ("PR", ["CR", "PR"], ["CR", "PR", "NE"], True)]
    for cand, upper, allowed, pr_rule in cases:
        got = _confirmed(gid_a, days_a, code, _CODE[cand], [_CODE[u] for u in upper],
                         [_CODE[a] for a in allowed], max_ne, gap, pr_rule)
        exp = []
        for g in range(len(subjects)):
            idx = [i for i in range(len(vals)) if gid[i] == g]
            exp += naive_confirmed([days[i] for i in idx], [vals[i] for i in idx], cand,
                                   upper, allowed, max_ne, gap, pr_rule)
        assert got.tolist() == exp


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seq_strategy)
def test_flags_consistent_with_best_responses(seq):
    ref = pd.Timestamp("2024-01-01")
    days = np.cumsum([s for s, _ in seq]) * 3
    tp = pd.DataFrame({"subject": "S", "date": [ref + pd.Timedelta(days=int(d)) for d in days],
                       "overall": [v for _, v in seq]})
    r = derive_best_response(tp, pd.DataFrame({"subject": ["S"],
                                               "randomization_date": [ref]})).iloc[0]
    assert r["BOR"] in RESP and r["CBOR"] in RESP
    assert (r["RSP"] == "Y") == (r["BOR"] in ("CR", "PR"))
    assert (r["CRSP"] == "Y") == (r["CBOR"] in ("CR", "PR"))
    if r["CBOR"] == "CR":
        assert r["BOR"] == "CR"
    if r["CBOR"] == "PR":
        assert r["BOR"] in ("CR", "PR")
    if r["CCB"] == "Y":
        assert r["CB"] == "Y"
