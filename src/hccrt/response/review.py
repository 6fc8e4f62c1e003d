"""Central review: accepted result per timepoint from two readers and an adjudicator, and
agreement statistics between readers.

Accepted result (blinded independent central review with two readers and adjudication on
disagreement, as in FDA "Clinical Trial Imaging Endpoint Process Standards", 2018, section
III.D): for each subject, criteria set and visit,

* both readers agree -> their response (source ``AGREE``);
* they disagree and the adjudicator read that visit -> the adjudicator's response
  (``ADJUDICATED``);
* they disagree and no adjudication is recorded -> NE (``UNRESOLVED``), never a guess;
* only one reader read the visit -> that read when ``single_reader_accepted`` is set
  (``SINGLE READER``), else NE (``INCOMPLETE``).

Alternatively (:func:`accepted_by_reader_choice`) the adjudicator chooses, per subject, the
reader whose whole assessment is accepted.

Agreement: percent agreement and Cohen's kappa, kappa = (p_o - p_e) / (1 - p_e) with p_e from
the two readers' marginal frequencies (Cohen J., Educ Psychol Meas 1960;20:37-46). Kappa is
undefined (NaN) when p_e = 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccrt.errors import InputError


@dataclass(frozen=True)
class CentralReviewRule:
    """Evaluator names of the two central readers and the adjudicator; see module docstring."""

    reader1: str = "RADIOLOGIST 1"
    reader2: str = "RADIOLOGIST 2"
    adjudicator: str = "ADJUDICATOR"
    single_reader_accepted: bool = False
    accepted_evaluator: str = "CENTRAL REVIEW"


def accepted_response(
    timepoints: pd.DataFrame, rule: CentralReviewRule | None = None
) -> pd.DataFrame:
    """Accepted central-review timepoint responses (one per subject, criteria and visit).

    Returns subject, criteria, visit, date, overall, evaluator (= ``accepted_evaluator``),
    source, reader1, reader2, adjudicator, reason.
    """
    rule = rule or CentralReviewRule()
    need = ["subject", "evaluator", "visit", "date", "overall"]
    missing = [c for c in need if c not in timepoints.columns]
    if missing:
        raise InputError("timepoints.columns", list(timepoints.columns), f"must include {need}",
                         f"missing {missing}")
    tp = timepoints.copy()
    if "criteria" not in tp.columns:
        tp["criteria"] = "RECIST 1.1"
    key = ["subject", "criteria", "visit"]
    dup = tp.duplicated([*key, "evaluator"], keep=False)
    if dup.any():
        row = tp.loc[dup].iloc[0]
        raise InputError("timepoints", f"{row['subject']} {row['visit']} {row['evaluator']}",
                         "one response per subject, criteria, visit and evaluator")

    def reader(name: str, label: str) -> pd.DataFrame:
        r = tp.loc[tp["evaluator"] == name, [*key, "overall", "date"]]
        return r.rename(columns={"overall": label, "date": f"{label}_date"})

    grid = tp.loc[tp["evaluator"].isin([rule.reader1, rule.reader2]), key].drop_duplicates()
    m = grid.merge(reader(rule.reader1, "reader1"), on=key, how="left")
    m = m.merge(reader(rule.reader2, "reader2"), on=key, how="left")
    m = m.merge(reader(rule.adjudicator, "adjudicator"), on=key, how="left")
    r1, r2, adj = m["reader1"], m["reader2"], m["adjudicator"]
    both = r1.notna() & r2.notna()
    agree = both & (r1 == r2)
    adjudicated = both & ~agree & adj.notna()
    unresolved = both & ~agree & adj.isna()
    single = ~both
    one = r1.fillna(r2)
    src = np.select([agree, adjudicated, unresolved, single & rule.single_reader_accepted],
                    ["AGREE", "ADJUDICATED", "UNRESOLVED", "SINGLE READER"], "INCOMPLETE")
    overall = np.select([agree, adjudicated, single & rule.single_reader_accepted],
                        [r1, adj, one], "NE")
    reason = np.select(
        [unresolved, (src == "INCOMPLETE")],
        ["readers disagree and no adjudication is recorded", "read by one reader only"], "")
    date = m["reader1_date"].fillna(m["reader2_date"])
    out = m[key].assign(date=date, overall=overall, evaluator=rule.accepted_evaluator,
                        source=src, reader1=r1, reader2=r2, adjudicator=adj, reason=reason)
    return out.reset_index(drop=True)


def accepted_by_reader_choice(
    timepoints: pd.DataFrame, choices: pd.DataFrame, rule: CentralReviewRule | None = None
) -> pd.DataFrame:
    """Subject-level adjudication: the adjudicator chose, per subject (and criteria), the reader
    whose whole assessment is accepted (the usual BICR paradigm when readers disagree).

    ``choices``: subject, accepted_reader (one of the two reader names), optionally criteria.
    Subjects whose readers agree at every paired timepoint need no choice (reader 1's reads
    are taken, ``source`` AGREE); a subject with a disagreement and no choice gets NE at every
    timepoint (``UNRESOLVED``). Returns the columns of :func:`accepted_response`.
    """
    rule = rule or CentralReviewRule()
    need = {"subject", "accepted_reader"}
    if not need <= set(choices.columns):
        raise InputError("choices.columns", list(choices.columns), f"must include {sorted(need)}")
    bad = ~choices["accepted_reader"].isin([rule.reader1, rule.reader2])
    if bad.any():
        raise InputError("accepted_reader", choices.loc[bad, "accepted_reader"].iloc[0],
                         f"{rule.reader1!r} or {rule.reader2!r}")
    per_tp = accepted_response(timepoints, rule)
    ch = choices.copy()
    if "criteria" not in ch.columns:
        ch = ch.merge(per_tp[["criteria"]].drop_duplicates(), how="cross")
    disagree = per_tp.loc[per_tp["source"] != "AGREE", ["subject", "criteria"]].drop_duplicates()
    m = per_tp.merge(ch[["subject", "criteria", "accepted_reader"]], on=["subject", "criteria"],
                     how="left")
    m = m.merge(disagree.assign(_dis=True), on=["subject", "criteria"], how="left")
    dis = m["_dis"].fillna(False).astype(bool).to_numpy()
    chosen = m["accepted_reader"].to_numpy(dtype=object)
    pick1 = chosen == rule.reader1
    pick2 = chosen == rule.reader2
    val = np.where(pick1, m["reader1"], np.where(pick2, m["reader2"], None))
    agree_all = ~dis
    m["overall"] = np.select([agree_all, pick1 | pick2], [m["reader1"], val], "NE")
    m["overall"] = m["overall"].where(m["overall"].notna(), "NE")
    m["source"] = np.select([agree_all, pick1 | pick2],
                            ["AGREE", "ADJUDICATED (reader chosen)"], "UNRESOLVED")
    m["reason"] = np.where(m["source"] == "UNRESOLVED",
                           "readers disagree and no reader was chosen by adjudication",
                           np.where(m["overall"] == "NE", m["reason"], ""))
    return m.drop(columns=["accepted_reader", "_dis"])


def agreement(a: pd.Series | list[str], b: pd.Series | list[str]) -> dict[str, float]:
    """Percent agreement and Cohen's kappa of two paired ratings (missing pairs dropped).

    Returns n, percent_agreement (0-100), expected_agreement (p_e, 0-1) and kappa.
    """
    x = pd.Series(list(a), dtype="string")
    y = pd.Series(list(b), dtype="string")
    if len(x) != len(y):
        raise InputError("ratings", f"{len(x)} and {len(y)} values",
                         "two rating lists of the same length")
    ok = x.notna() & y.notna()
    x, y = x[ok], y[ok]
    n = len(x)
    if n == 0:
        raise InputError("ratings", 0, "at least one pair rated by both readers")
    po = float((x == y).mean())
    cats = sorted(set(x) | set(y))
    px = x.value_counts(normalize=True).reindex(cats, fill_value=0.0).to_numpy()
    py = y.value_counts(normalize=True).reindex(cats, fill_value=0.0).to_numpy()
    pe = float((px * py).sum())
    kappa = (po - pe) / (1 - pe) if pe < 1 else float("nan")
    return {"n": float(n), "percent_agreement": 100 * po, "expected_agreement": pe,
            "kappa": kappa}


def reader_agreement(
    table: pd.DataFrame,
    reader1: str = "RADIOLOGIST 1",
    reader2: str = "RADIOLOGIST 2",
    *,
    value: str = "overall",
    on: tuple[str, ...] = ("subject", "criteria", "visit"),
) -> dict[str, float]:
    """Agreement of two evaluators on paired rows of ``table`` (timepoints: ``value="overall"``,
    ``on`` subject/criteria/visit; best response: ``value="BOR"``, ``on`` subject/criteria)."""
    keys = [c for c in on if c in table.columns]
    a = table.loc[table["evaluator"] == reader1, [*keys, value]]
    b = table.loc[table["evaluator"] == reader2, [*keys, value]]
    m = a.merge(b, on=keys, suffixes=("_1", "_2"))
    return agreement(m[f"{value}_1"], m[f"{value}_2"])
