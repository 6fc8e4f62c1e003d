"""hccrt.stats.design against published tables and independently computed values.

Sources of the reference numbers (named again next to each):

* Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials
  1989;10:1-10, Table 1 (alpha = 0.05; beta = 0.20 and 0.10): r1/n1, r/n, EN(p0) to one
  decimal, PET(p0) to two decimals.
* IDDI-BE/PhIIdesign ``inst/tinytest/test-simon2stage.R`` known answer for p0 0.10, p1 0.30
  (EN 15.0141, PET 0.7361, alpha 0.0471, beta 0.1949), quoted in survival.md section 5.1.
* survival.md section 5.2: HR 0.67, alpha 0.05 two-sided, power 0.80: Schoenfeld 196 events
  (1:1) and 221 (2:1); Freedman 202 (1:1) and 198 (2:1).
* MRC CBU statistics wiki, FAQ/powsurv (imaging.mrc-cbu.cam.ac.uk/statswiki/FAQ/powsurv):
  Schoenfeld worked example, 4 (1.96 + 0.84)^2 / ln(ln 0.75 / ln 0.37)^2 = 20.39 events.
* lifelines ``sample_size_necessary_under_cph`` docstring example (Freedman): power 0.8,
  1:1, P(event) 0.25 and 0.35, HR 0.7 -> 421 patients per arm.
* tests/reference/design/design_reference.csv, written by design_reference.R with base R
  (pbinom, qnorm, integrate): exact binomial designs, events and event probabilities.
"""

from __future__ import annotations

import csv
import functools
import math
from pathlib import Path

import pytest

from hccrt.errors import InputError
from hccrt.stats import design

REF = Path(__file__).resolve().parents[2] / "reference" / "design" / "design_reference.csv"


def r_reference() -> dict[tuple[str, str], float]:
    with REF.open() as fh:
        return {(row["case"], row["key"]): float(row["value"]) for row in csv.DictReader(fh)}


# ------------------------------------------------------------------- Simon (1989) Table 1

# (p0, p1, beta, kind, r1, n1, r, n, EN(p0) 1 dp, PET(p0) 2 dp) -- Simon 1989 Table 1, alpha 0.05
SIMON_1989_TABLE_1 = [
    (0.05, 0.25, 0.20, "optimal", 0, 9, 2, 17, 12.0, 0.63),
    (0.05, 0.25, 0.20, "minimax", 0, 12, 2, 16, 13.8, 0.54),
    (0.05, 0.25, 0.10, "optimal", 0, 9, 3, 30, 16.8, 0.63),
    (0.05, 0.25, 0.10, "minimax", 0, 15, 3, 25, 20.4, 0.46),
    (0.10, 0.30, 0.20, "optimal", 1, 10, 5, 29, 15.0, 0.74),
    (0.10, 0.30, 0.20, "minimax", 1, 15, 5, 25, 19.5, 0.55),
    (0.10, 0.30, 0.10, "optimal", 2, 18, 6, 35, 22.5, 0.73),
    (0.10, 0.30, 0.10, "minimax", 2, 22, 6, 33, 26.2, 0.62),
    (0.20, 0.40, 0.20, "optimal", 3, 13, 12, 43, 20.6, 0.75),
    (0.20, 0.40, 0.20, "minimax", 4, 18, 10, 33, 22.3, 0.72),
    (0.20, 0.40, 0.10, "optimal", 4, 19, 15, 54, 30.4, 0.67),
    (0.20, 0.40, 0.10, "minimax", 5, 24, 13, 45, 31.2, 0.66),
    (0.30, 0.50, 0.20, "optimal", 5, 15, 18, 46, 23.6, 0.72),
    (0.30, 0.50, 0.20, "minimax", 6, 19, 16, 39, 25.7, 0.67),
    (0.30, 0.50, 0.10, "optimal", 8, 24, 24, 63, 34.7, 0.73),
    (0.30, 0.50, 0.10, "minimax", 7, 24, 21, 53, 36.6, 0.56),
]


@functools.cache
def simon(p0: float, p1: float, beta: float) -> design.SimonResult:
    """One enumeration per (p0, p1, beta), shared by the tests of this module."""
    return design.simon_two_stage(p0, p1, alpha=0.05, beta=beta)


@pytest.mark.parametrize(("p0", "p1", "beta", "kind", "r1", "n1", "r", "n", "en", "pet"),
                         SIMON_1989_TABLE_1)  # fmt: skip
def test_simon_matches_simon_1989_table_1(p0, p1, beta, kind, r1, n1, r, n, en, pet):
    d = getattr(simon(p0, p1, beta), kind)
    assert (d.r1, d.n1, d.r, d.n) == (r1, n1, r, n)
    assert round(d.en_p0, 1) == en  # Simon prints EN(p0) to one decimal
    assert round(d.pet_p0, 2) == pet  # and PET(p0) to two
    assert d.actual_alpha < 0.05
    assert d.actual_power > 1 - beta


def test_simon_optimal_matches_phiidesign_known_answer():
    # IDDI-BE/PhIIdesign inst/tinytest/test-simon2stage.R (survival.md 5.1): 1/10, 5/29,
    # EN 15.0141, PET 0.7361, alpha 0.0471, beta 0.1949
    d = simon(0.10, 0.30, 0.20).optimal
    assert (d.r1, d.n1, d.r, d.n) == (1, 10, 5, 29)
    assert d.en_p0 == pytest.approx(15.0141, abs=5e-5)
    assert d.pet_p0 == pytest.approx(0.7361, abs=5e-5)
    assert d.actual_alpha == pytest.approx(0.0471, abs=5e-5)
    assert 1 - d.actual_power == pytest.approx(0.1949, abs=5e-5)


def test_two_stage_characteristics_by_direct_enumeration():
    # independent check of the operating characteristics: enumerate all (x1, x2) outcomes of
    # Simon's 3/13, 12/43 design (Table 1) with math.comb
    def pmf(x: int, m: int, p: float) -> float:
        return math.comb(m, x) * p**x * (1 - p) ** (m - x)

    r1, n1, r, n = 3, 13, 12, 43
    for p in (0.2, 0.4):
        reject = sum(
            pmf(x1, n1, p) * pmf(x2, n - n1, p)
            for x1 in range(r1 + 1, n1 + 1)
            for x2 in range(n - n1 + 1)
            if x1 + x2 > r
        )
        got, pet, en = design.two_stage_characteristics(r1, n1, r, n, p)
        assert got == pytest.approx(reject, rel=1e-12)
        pet_direct = sum(pmf(x, n1, p) for x in range(r1 + 1))
        assert pet == pytest.approx(pet_direct, rel=1e-12)
        assert en == pytest.approx(n1 + (1 - pet_direct) * (n - n1), rel=1e-12)


def test_simon_best_by_n_starts_at_minimax_and_contains_optimal():
    res = simon(0.20, 0.40, 0.20)
    first = res.best_by_n[0]
    assert first[:4] == (4, 18, 10, 33)  # Simon 1989 Table 1 minimax
    assert min(row[4] for row in res.best_by_n) == pytest.approx(res.optimal.en_p0)


# ------------------------------------------------------------------ exact binomial designs


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta"),
    [(0.2, 0.4, 0.05, 0.2), (0.1, 0.3, 0.05, 0.2), (0.05, 0.2, 0.05, 0.2),
     (0.3, 0.5, 0.05, 0.1), (0.2, 0.35, 0.05, 0.2)],
)  # fmt: skip
def test_binomial_design_matches_base_r(p0, p1, alpha, beta):
    # design_reference.R: loop over n with pbinom (base R)
    ref = r_reference()
    case = f"binomial_p0={p0:g}_p1={p1:g}_alpha={alpha:g}_beta={beta:g}"
    d = design.binomial_design(p0, p1, alpha, beta)
    assert d.n == ref[(case, "n")]
    assert d.r == ref[(case, "r")]
    assert d.stable_n == ref[(case, "stable_n")]
    assert d.actual_alpha == pytest.approx(ref[(case, "alpha")], rel=1e-10)
    assert d.actual_power == pytest.approx(ref[(case, "power")], rel=1e-10)


def test_binomial_design_saw_tooth():
    # the smallest feasible n (35) is not stable: some n in 36..37 is infeasible (base R above
    # gives stable_n 38), which is why stable_n is reported
    d = design.binomial_design(0.2, 0.4, 0.05, 0.2)
    assert d.n < d.stable_n


# -------------------------------------------------------------------- events for log-rank


@pytest.mark.parametrize(
    ("k", "method", "events"),
    [(1, "schoenfeld", 196), (2, "schoenfeld", 221), (1, "freedman", 202), (2, "freedman", 198)],
)
def test_events_hr_067_survival_md(k, method, events):
    # survival.md 5.2 worked example: HR 0.67, alpha 0.05 two-sided, power 0.80
    res = design.logrank_events(0.67, alpha=0.05, power=0.8, allocation_ratio=k, method=method)
    assert res.events == events


@pytest.mark.parametrize(
    ("hr", "alpha", "power", "k"),
    [(0.67, 0.05, 0.8, 1), (0.67, 0.05, 0.8, 2), (0.75, 0.05, 0.9, 1), (0.5, 0.01, 0.9, 3),
     (1.5, 0.05, 0.8, 0.5)],
)  # fmt: skip
def test_events_match_base_r(hr, alpha, power, k):
    ref = r_reference()
    case = f"events_hr={hr:g}_alpha={alpha:g}_power={power:g}_k={k:g}"
    for method in ("schoenfeld", "freedman"):
        got = design.logrank_events(hr, alpha, power, k, method).events_exact
        assert got == pytest.approx(ref[(case, method)], rel=1e-12)


def test_schoenfeld_mrc_cbu_worked_example():
    # MRC CBU statswiki FAQ/powsurv: 4 (1.96 + 0.84)^2 / [ln(ln 0.75 / ln 0.37)]^2 = 20.39,
    # with z rounded to 1.96 and 0.84; rescale our exact-z value to the page's rounding
    hr = math.log(0.75) / math.log(0.37)
    res = design.logrank_events(hr, alpha=0.05, power=0.8)
    z_exact = design.z_alpha(0.05, 2) + 0.8416212335729143
    assert res.events_exact * (2.80 / z_exact) ** 2 == pytest.approx(20.39, abs=0.005)


def test_freedman_lifelines_docstring_example():
    # lifelines sample_size_necessary_under_cph docstring: power 0.8, 1:1, P(event) 0.25 in the
    # experimental arm and 0.35 in the control arm, HR 0.7 -> (421, 421) patients
    ev = design.logrank_events(0.7, 0.05, 0.8, 1.0, "freedman").events_exact
    assert math.ceil(ev * 1.0 / (1.0 * 0.25 + 0.35)) == 421


@pytest.mark.parametrize("method", ["schoenfeld", "freedman"])
@pytest.mark.parametrize("k", [0.5, 1.0, 2.0, 3.0])
def test_power_inverts_events(method, k):
    res = design.logrank_events(0.7, 0.05, 0.85, k, method)
    assert design.logrank_power(res.events_exact, 0.7, 0.05, k, method) == pytest.approx(0.85)


# --------------------------------------------------- event probability and sample size


@pytest.mark.parametrize(
    ("median", "hr", "accrual", "follow_up", "eta"),
    [(12, 1.0, 24, 24, 0.0), (12, 0.67, 24, 24, 0.0), (12, 1.0, 24, 12, 0.0),
     (15, 1.0, 18, 6, 0.01)],
)  # fmt: skip
def test_event_probability_matches_r_integrate(median, hr, accrual, follow_up, eta):
    # design_reference.R: integrate() of the cumulative incidence over uniform follow-up
    ref = r_reference()
    lam = hr * math.log(2) / median
    case = f"pevent_lam={lam:.6f}_A={accrual:g}_F={follow_up:g}_eta={eta:g}"
    got = design.event_probability(lam, accrual, follow_up, eta)
    assert got == pytest.approx(ref[(case, "exact")], rel=1e-9)
    got_s = design.event_probability(lam, accrual, follow_up, eta, variant="simpson")
    assert got_s == pytest.approx(ref[(case, "simpson")], rel=1e-12)


def test_sample_size_sbrt_bclcc_scenario():
    # 2:1, HR 0.67, control median 12 months, 24 + 24 months: events from survival.md 5.2
    # (221), P(event) per arm from base R integrate() (design_reference.csv)
    ref = r_reference()
    res = design.sample_size(0.67, 12, 24, 24, allocation_ratio=2)
    pe = ref[("pevent_lam=0.038701_A=24_F=24_eta=0", "exact")]
    pc = ref[("pevent_lam=0.057762_A=24_F=24_eta=0", "exact")]
    p = (2 * pe + pc) / 3
    assert res.events == 221
    assert res.event_probability == pytest.approx(p, rel=1e-9)
    assert res.n_experimental == math.ceil(221 / p * 2 / 3)
    assert res.n_control == math.ceil(221 / p / 3)


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: design.simon_two_stage(0.3, 0.3), "p1"),
        (lambda: design.simon_two_stage(0.3, 0.2), "p1"),
        (lambda: design.simon_two_stage(0.1, 0.3, alpha=0), "alpha"),
        (lambda: design.simon_two_stage(0.1, 0.3, alpha=1.2), "alpha"),
        (lambda: design.simon_two_stage(0.1, 0.3, beta=1), "beta"),
        (lambda: design.simon_two_stage(0.1, 0.3, nmax=10), "nmax"),
        (lambda: design.simon_two_stage(0.1, 0.3, nmax=5000), "nmax"),
        (lambda: design.binomial_design(-0.1, 0.3), "p0"),
        (lambda: design.binomial_design(0.1, "0.3"), "p1"),
        (lambda: design.logrank_events(0.7, allocation_ratio=0), "allocation_ratio"),
        (lambda: design.logrank_events(0.7, allocation_ratio=-2), "allocation_ratio"),
        (lambda: design.logrank_events(1.0), "hazard_ratio"),
        (lambda: design.logrank_events(0.7, alpha=float("nan")), "alpha"),
        (lambda: design.logrank_events(0.7, method="lakatos"), "method"),
        (lambda: design.logrank_events(0.7, sides=3), "sides"),
        (lambda: design.sample_size(0.7, -12, 24, 12), "median_control"),
        (lambda: design.event_probability(0.1, 0, 0), "follow_up"),
    ],
)
def test_bad_input_is_a_typed_error(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field
