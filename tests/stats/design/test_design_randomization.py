"""Randomization lists, minimization and the balance/predictability report.

References:

* Blackwell D, Hodges JL. Design for the control of selection bias. Ann Math Stat
  1957;28:449-460: with 1:1 blocks of fixed size 2m and the convergence strategy, the expected
  number of correct guesses per block is m + (2^(2m) / C(2m, m) - 1) / 2 (0.75 of allocations
  for blocks of 2, 0.7083 for blocks of 4); with complete randomization 1:1 it is 1/2.
* Pocock SJ, Simon R. Biometrics 1975;31:103-115: the range imbalance and the deterministic
  choice when p = 1, worked by hand below.
* Properties that follow from the definition of permuted blocks (Matts & Lachin 1988): every
  complete block holds the arms in the exact ratio, so the imbalance of a 1:1 list never
  exceeds half the largest block.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hccrt.errors import InputError
from hccrt.stats import randomization as rz

ARMS = ("SBRT + systemic", "systemic")
STRATA = {"site": ("A", "B", "C"), "pvtt": ("yes", "no")}


@pytest.fixture(scope="module")
def sbrt_list() -> rz.RandomizationList:
    return rz.permuted_block_list(ARMS, (2, 1), 60, strata=STRATA, block_multipliers=(1, 2, 3),
                                  seed=123456789)  # fmt: skip


def test_blocks_respect_the_ratio_and_allowed_sizes(sbrt_list):
    assert sbrt_list.block_sizes == (3, 6, 9)
    sizes_seen = set()
    for s in sbrt_list.strata:
        assert len(s.entries) >= 60
        blocks: dict[int, list[str]] = {}
        for e in s.entries:
            blocks.setdefault(e.block, []).append(e.arm)
            assert e.block_size in (3, 6, 9)
        for arms in blocks.values():
            assert len(arms) in (3, 6, 9)
            sizes_seen.add(len(arms))
            assert arms.count(ARMS[0]) == 2 * arms.count(ARMS[1])  # exactly 2:1
    assert sizes_seen == {3, 6, 9}  # sizes do vary


def test_one_list_per_stratum_with_unique_numbers(sbrt_list):
    keys = [s.key for s in sbrt_list.strata]
    assert len(keys) == 6 and len(set(keys)) == 6
    numbers = [e.number for s in sbrt_list.strata for e in s.entries]
    assert len(numbers) == len(set(numbers))


def test_reproducible_from_the_stored_seed(sbrt_list):
    again = rz.permuted_block_list(ARMS, (2, 1), 60, strata=STRATA, block_multipliers=(1, 2, 3),
                                   seed=sbrt_list.seed)  # fmt: skip
    assert again == sbrt_list
    assert again.fingerprint() == sbrt_list.fingerprint()
    other = rz.permuted_block_list(ARMS, (2, 1), 60, strata=STRATA, block_multipliers=(1, 2, 3),
                                   seed=sbrt_list.seed + 1)  # fmt: skip
    assert other.fingerprint() != sbrt_list.fingerprint()


def test_fresh_seed_is_128_bit_and_stored():
    a = rz.permuted_block_list(ARMS, (2, 1), 12)
    b = rz.permuted_block_list(ARMS, (2, 1), 12)
    assert a.seed != b.seed
    assert 0 <= a.seed < 2**128
    assert rz.permuted_block_list(ARMS, (2, 1), 12, seed=a.seed) == a


def test_round_trip_through_json_keeps_the_fingerprint(sbrt_list):
    restored = rz.RandomizationList.model_validate_json(sbrt_list.model_dump_json())
    assert restored.fingerprint() == sbrt_list.fingerprint()


def test_concealed_views_do_not_reveal_assignments_or_seed(sbrt_list):
    text = repr(sbrt_list) + str(sbrt_list) + str(sbrt_list.concealed())
    assert str(sbrt_list.seed) not in text
    assert "entries" not in text
    first = sbrt_list.strata[0].entries[0]
    assert first.number not in text
    assert sbrt_list.concealed()["slots_per_stratum"]["site=A|pvtt=yes"] >= 60


def test_next_assignment_walks_the_stratum_list(sbrt_list):
    levels = {"site": "B", "pvtt": "no"}
    s = sbrt_list.stratum(levels)
    got = [rz.next_assignment(sbrt_list, levels, i) for i in range(5)]
    assert [g.arm for g in got] == [e.arm for e in s.entries[:5]]
    assert [g.number for g in got] == [e.number for e in s.entries[:5]]
    with pytest.raises(InputError) as err:
        rz.next_assignment(sbrt_list, levels, len(s.entries))
    assert err.value.field == "already_assigned"
    with pytest.raises(InputError) as err:
        rz.next_assignment(sbrt_list, {"site": "Z", "pvtt": "no"}, 0)
    assert err.value.field == "site"


def test_permuted_blocks_bound_the_imbalance():
    # 1:1 with blocks of 4 and 6: |n_A - n/2| never exceeds 3 at any time (Matts & Lachin)
    rep = rz.balance_report(("A", "B"), (1, 1), 50, block_multipliers=(2, 3), n_sims=500, seed=1)
    assert rep.max_abs_imbalance_any_time <= 3
    simple = rz.balance_report(("A", "B"), (1, 1), 50, method="simple", n_sims=500, seed=1)
    assert simple.max_abs_imbalance_any_time > 3


def test_convergence_strategy_blocks_of_two_blackwell_hodges():
    # blocks of 2 (m = 1): 1 + (4/2 - 1)/2 = 1.5 correct per block -> exactly 0.75
    rep = rz.balance_report(("A", "B"), (1, 1), 40, block_multipliers=(1,), n_sims=50, seed=2)
    assert rep.correct_guess_share == pytest.approx(0.75, abs=1e-12)


def test_convergence_strategy_blocks_of_four_blackwell_hodges():
    # blocks of 4 (m = 2): (2 + (16/6 - 1)/2) / 4 = 0.70833
    expected = (2 + (2**4 / math.comb(4, 2) - 1) / 2) / 4
    rep = rz.balance_report(("A", "B"), (1, 1), 40, block_multipliers=(2,), n_sims=1000, seed=3)
    assert abs(rep.correct_guess_share - expected) < 4 * rep.correct_guess_se


def test_convergence_strategy_complete_randomization_is_a_coin_flip():
    # Blackwell & Hodges: under complete 1:1 randomization no strategy beats 1/2
    rep = rz.balance_report(("A", "B"), (1, 1), 40, method="simple", n_sims=2000, seed=4)
    assert abs(rep.correct_guess_share - 0.5) < 4 * rep.correct_guess_se


def test_guess_credit_by_hand_for_two_to_one():
    # 2:1 block E E C (E = 0): guesses before each allocation: j=0 shortfall (0, 0) tie ->
    # the larger share E (right); j=1 shortfall (2/3-1, 1/3) -> C (wrong); j=2 (4/3-2, 2/3) -> C
    # (right): 2 of 3
    credit = rz.guess_credit(np.array([[0, 0, 1]]), np.array([2.0, 1.0]))
    assert credit[0] == pytest.approx(2.0)


def test_minimization_deterministic_sequence_worked_by_hand():
    # p_best = 1, two factors, equal weights, 1:1. Range imbalance per Pocock & Simon:
    # 1st (A, F): all zero -> tie between arms, random.  Say it went to X.
    # 2nd (A, M): site A has X=1: G(X) = 2 + 1 = 3, G(other) = 0 + 1 = 1 -> other arm.
    # 3rd (B, F): sex F has X=1: G(X) = 1 + 2 = 3, G(other) = 1 + 0 = 1 -> other arm.
    mz = rz.Minimizer.create(("E", "C"), (1, 1), {"site": ("A", "B"), "sex": ("F", "M")},
                             p_best=1.0, seed=5)  # fmt: skip
    first = mz.assign({"site": "A", "sex": "F"})
    other = "C" if first == "E" else "E"
    assert mz.assign({"site": "A", "sex": "M"}) == other
    assert mz.assign({"site": "B", "sex": "F"}) == other
    g = mz.imbalance({"site": "A", "sex": "F"})  # site A: 1-1, sex F: 1-1 -> both arms 2
    np.testing.assert_allclose(g, [2.0, 2.0])


def test_minimization_random_element_has_probability_p_best():
    # one factor, single level, 1:1: after a tie, the next participant's preferred arm is the
    # other one; it is chosen with probability p_best = 0.7
    hits = 0
    n = 1000
    for seed in range(n):
        mz = rz.Minimizer.create(("E", "C"), (1, 1), {"all": ("x",)}, p_best=0.7, seed=seed)
        a = mz.assign({"all": "x"})
        hits += mz.assign({"all": "x"}) != a
    assert abs(hits / n - 0.7) < 4 * math.sqrt(0.7 * 0.3 / n)


def test_minimization_is_reproducible_from_the_seed():
    people = [{"site": s, "sex": x} for s, x in zip("ABABBA" * 5, "FFMMFM" * 5, strict=True)]
    runs = []
    for _ in range(2):
        mz = rz.Minimizer.create(("E", "C"), (2, 1), {"site": ("A", "B"), "sex": ("F", "M")},
                                 seed=99)  # fmt: skip
        runs.append([mz.assign(p) for p in people])
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: rz.permuted_block_list(ARMS, (2, 0), 10), "ratio"),
        (lambda: rz.permuted_block_list(ARMS, (2, -1), 10), "ratio"),
        (lambda: rz.permuted_block_list(ARMS, (2.5, 1), 10), "ratio"),
        (lambda: rz.permuted_block_list(ARMS, (2, 1), 10, seed=1.5), "seed"),
        (lambda: rz.permuted_block_list(ARMS, (2, 1), 10, seed="42"), "seed"),
        (lambda: rz.permuted_block_list(ARMS, (2, 1), 10, seed=-3), "seed"),
        (lambda: rz.permuted_block_list(("A", "A"), (1, 1), 10), "arms"),
        (lambda: rz.permuted_block_list(ARMS, (2, 1), 0), "size_per_stratum"),
        (lambda: rz.permuted_block_list(ARMS, (2, 1), 10, block_multipliers=(0,)),
         "block_multipliers"),
        (lambda: rz.Minimizer.create(ARMS, (1, 1), {"s": ("a",)}, p_best=0.3), "p_best"),
        (lambda: rz.Minimizer.create(ARMS, (1, 1), {}), "factors"),
        (lambda: rz.balance_report(ARMS, (1, 1), 10, method="urn"), "method"),
    ],
)  # fmt: skip
def test_bad_input_is_a_typed_error(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field


SBRT_DESIGN = {  # shaped like a protocol file's design block (sbrt-bclcc, 2:1)
    "allocation_ratio": {"sbrt-systemic": 2, "systemic": 1},
    "stratification_factors": [{"id": "pvtt", "name": "PVTT", "levels": ["yes", "no"]}],
    "block_sizes": [3, 6],
}


def test_allocator_from_protocol_design_permuted_blocks():
    rl = rz.allocator_from_design(SBRT_DESIGN, size_per_stratum=30, seed=7)
    assert isinstance(rl, rz.RandomizationList)
    assert rl.arms == ("sbrt-systemic", "systemic") and rl.ratio == (2, 1)
    assert rl.block_sizes == (3, 6)
    assert [s.key for s in rl.strata] == ["pvtt=yes", "pvtt=no"]


def test_allocator_from_protocol_design_minimization():
    mz = rz.allocator_from_design({**SBRT_DESIGN, "randomization_method": "minimization",
                                   "minimization_p_best": 0.9}, seed=7)  # fmt: skip
    assert isinstance(mz, rz.Minimizer) and mz.p_best == 0.9
    assert mz.assign({"pvtt": "yes"}) in ("sbrt-systemic", "systemic")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"block_sizes": [4, 6]}, "block_sizes"),  # 4 is not a multiple of 3 (2:1)
        ({"allocation_ratio": {}}, "allocation_ratio"),
        ({"allocation_ratio": {"a": 2, "b": 0}}, "ratio"),
        ({"randomization_method": "urn"}, "randomization_method"),
    ],
)
def test_allocator_from_design_bad_input(change, field):
    with pytest.raises(InputError) as err:
        rz.allocator_from_design({**SBRT_DESIGN, **change}, size_per_stratum=9)
    assert err.value.field == field
