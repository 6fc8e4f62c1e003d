"""Timepoint (overall) response from lesion assessments, vectorised over a long table.

Sources:

* RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-247), tables 1-2: target response
  (CR: all non-nodal targets gone and every nodal target < 10 mm short axis; PR: sum >= 30 % below
  baseline; PD: sum >= 20 % and >= 5 mm above the smallest sum on study, the baseline included;
  SD otherwise); non-target response (CR: all gone, nodes < 10 mm; PD: unequivocal progression;
  NON-CR/NON-PD otherwise); new lesion -> PD; overall table. A target or non-target lesion not
  assessed makes its response NE, except that target PD is declared from the assessed lesions when
  their sum alone already reaches PD (missing lesions can only add to the sum: pharmaverse
  01-701-1028 week 6). An equivocal new lesion is not PD; when a later scan confirms it, PD is
  dated at the first scan that showed it (RECIST 1.1 section 4.3.2).
* mRECIST (Lencioni & Llovet, Semin Liver Dis 2010;30:52-60), table 3: the same overall table
  on viable diameters, with the HCC rules of :mod:`hccrt.response.criteria`.

Nadir: the smallest sum of a *complete* earlier assessment (baseline included), as in
admiralonco's ADTR ``NADIR``. Comparisons are inclusive and use a tolerance of 1e-6 mm, so that
-30.000 % is PR and +5.000 mm is PD (pharmaverse 01-701-1133 weeks 3 and 9).

Localized criteria (only lesions inside the treated area count), applied consistently:

* target and non-target lesions outside the treated area are ignored; one whose position is
  unknown is an input error (the position of baseline disease must be recorded);
* a subject with no target and no non-target lesion inside the area has no evaluable local disease:
  every assessment is NE with that reason;
* a new lesion inside the treated area is local progression (PD); a new lesion outside the area
  does not count (it is reported in ``new_lesion_out_of_field`` and stays visible to the
  whole-liver/whole-body criteria); a counted new lesion whose position is unknown makes the local
  assessment NE ("new lesion, position relative to the treated area unknown") unless progression
  is established otherwise.

With every lesion inside the area the localized criteria give exactly the non-localized result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.response.criteria import (
    CRITERIA_LABELS,
    Criteria,
    CriteriaRules,
    lesion_measurement,
    rules_for,
)
from hccrt.response.lesions import Role, Status, text_array, validate_lesions

EPS = 1e-6
#: Timepoint response values.
CR, PR, SD, PD, NE, NONCRPD = "CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD"

TIMEPOINT_COLUMNS: list[str] = [
    "subject", "evaluator", "criteria", "visit", "visitnum", "date", "target_sum",
    "target_assessed", "target_expected", "baseline_sum", "nadir", "pchg_baseline", "chg_nadir",
    "pchg_nadir", "target_response", "nontarget_response", "new_lesion",
    "new_lesion_out_of_field", "overall", "reason",
]


@dataclass(frozen=True)
class PreparedLesions:
    """A lesion table validated once (:func:`prepare_lesions`), reusable for several criteria."""

    raw: pd.DataFrame
    table: pd.DataFrame
    issues: pd.DataFrame
    errors: Literal["raise", "flag"]


def prepare_lesions(
    lesions: pd.DataFrame, errors: Literal["raise", "flag"] = "raise"
) -> PreparedLesions:
    """Validate a lesion table once (see :func:`hccrt.response.lesions.validate_lesions`)."""
    table, issues = validate_lesions(lesions, errors)
    return PreparedLesions(lesions, table, issues, errors)


def derive_timepoint_response(
    lesions: pd.DataFrame | PreparedLesions,
    criteria: str | Criteria = Criteria.RECIST11,
    *,
    rules: CriteriaRules | None = None,
    errors: Literal["raise", "flag"] = "raise",
) -> pd.DataFrame:
    """Overall response of every post-baseline assessment of every subject and reader.

    ``lesions`` is the lesion table of :mod:`hccrt.response.lesions` (or the result of
    :func:`prepare_lesions`, whose ``errors`` mode then applies). ``criteria`` names the
    criteria set (``rules`` overrides its numeric rules). Returns one row per (subject,
    evaluator, post-baseline visit) with the columns of :data:`TIMEPOINT_COLUMNS`; ``reason``
    explains every NE and PD. With ``errors="flag"``, (subject, evaluator) pairs with bad input are
    kept as NE rows whose reason names the breach; with ``"raise"`` the breach raises InputError.
    """
    rules = rules if rules is not None else rules_for(criteria)
    prep = lesions if isinstance(lesions, PreparedLesions) else prepare_lesions(lesions, errors)
    table, issues, errors, lesions = prep.table, prep.issues, prep.errors, prep.raw
    table, more = _localized_checks(table, rules, errors)
    issues = pd.concat([issues, more], ignore_index=True) if len(more) else issues
    result = _timepoints(table, rules)
    if len(issues):
        result = pd.concat([result, _flagged_rows(lesions, issues, rules)], ignore_index=True)
        result = result.sort_values(["subject", "evaluator", "date"], kind="mergesort")
    return result.reset_index(drop=True)


def _localized_checks(
    table: pd.DataFrame, rules: CriteriaRules, errors: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["subject", "evaluator", "field", "value", "allowed", "detail"]
    if not rules.localized:
        return table, pd.DataFrame(columns=cols)
    tnt = table["role"].isin([Role.TARGET.value, Role.NON_TARGET.value])
    unknown = tnt & table["in_treated_area"].isna()
    if not unknown.any():
        return table, pd.DataFrame(columns=cols)
    bad = table.loc[unknown, ["subject", "evaluator", "lesion_id"]]
    if errors == "raise":
        first = bad.iloc[0]
        raise InputError(
            "in_treated_area", None, "true or false for every target and non-target lesion",
            f"subject {first['subject']}, evaluator {first['evaluator']}, lesion "
            f"{first['lesion_id']}: localized criteria need the lesion's position",
        )
    issues = bad.drop_duplicates(["subject", "evaluator"]).assign(
        field="in_treated_area", value=None,
        allowed="true or false for every target and non-target lesion",
        detail="localized criteria need the position of every baseline lesion",
    )[cols]
    keep = ~pd.MultiIndex.from_frame(table[["subject", "evaluator"]]).isin(
        pd.MultiIndex.from_frame(issues[["subject", "evaluator"]]))
    return table.loc[keep].reset_index(drop=True), issues.reset_index(drop=True)


def _flagged_rows(raw: pd.DataFrame, issues: pd.DataFrame, rules: CriteriaRules) -> pd.DataFrame:
    """NE rows (one per post-baseline assessment date) for pairs excluded by a breach."""
    iss = issues.drop_duplicates(["subject", "evaluator"])
    r = raw[["subject", "evaluator", "date"]].copy()
    if "visit" in raw.columns:
        r["visit"] = raw["visit"]
    r["visitnum"] = raw["visitnum"] if "visitnum" in raw.columns else np.nan
    r["subject"] = r["subject"].astype("string").str.strip()
    r["evaluator"] = r["evaluator"].astype("string").str.strip()
    r["date"] = pd.to_datetime(r["date"], errors="coerce", format="ISO8601")
    r = r.dropna(subset=["date"]).drop_duplicates(["subject", "evaluator", "date"])
    r = r.merge(iss, on=["subject", "evaluator"], how="inner")
    first = r.groupby(["subject", "evaluator"])["date"].transform("min")
    r = r.loc[r["date"] > first].copy()
    if "visit" not in r.columns:
        r["visit"] = r["date"].dt.strftime("%Y-%m-%d")
    r["criteria"] = CRITERIA_LABELS[rules.criteria.value]
    r["overall"] = NE
    r["reason"] = ("not evaluated, bad input: " + r["field"].astype(str) + " "
                   + r["detail"].astype(str))
    return r.reindex(columns=TIMEPOINT_COLUMNS)


def _bincount(codes: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=n)[:n]


def _timepoints(t: pd.DataFrame, rules: CriteriaRules) -> pd.DataFrame:
    if len(t) == 0:
        return pd.DataFrame(columns=TIMEPOINT_COLUMNS)
    rpair = t["pair"].to_numpy()
    rtpi = t["tp_index"].to_numpy()
    first = np.r_[True, (rpair[1:] != rpair[:-1]) | (rtpi[1:] != rtpi[:-1])]
    tp_code = np.cumsum(first) - 1
    tp = t.loc[first, ["subject", "evaluator", "visit", "visitnum", "tp_date", "tp_index"]]
    tp = tp.reset_index(drop=True)
    n = len(tp)
    pair_first = np.r_[True, rpair[first][1:] != rpair[first][:-1]]
    pair = np.cumsum(pair_first) - 1
    is_base = tp["tp_index"].to_numpy() == 0

    role = text_array(t["role"])
    status = text_array(t["status"])
    nodal = t["nodal"].to_numpy(dtype=bool)
    in_field = t["in_treated_area"]
    meas = lesion_measurement(t, rules)

    keep = np.ones(len(t), dtype=bool)
    if rules.localized:
        out = (in_field == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        keep &= ~(out & (role != Role.NEW.value))

    # ---- targets ------------------------------------------------------------------------
    tm = keep & (role == Role.TARGET.value)
    tc = tp_code[tm]
    tmeas = meas[tm]
    measured = ~np.isnan(tmeas)
    s = _bincount(tc, n, np.where(measured, tmeas, 0.0))
    n_ass = _bincount(tc, n, measured.astype(float))
    n_rows = _bincount(tc, n)
    if rules.node_normal_mm is not None:
        cr_row = measured & np.where(nodal[tm], tmeas < rules.node_normal_mm - EPS, tmeas <= EPS)
    else:
        cr_row = measured & (tmeas <= EPS)
    n_cr = _bincount(tc, n, cr_row.astype(float))
    n_pairs = pair.max() + 1
    base_expected = np.zeros(n_pairs)
    base_expected[pair[is_base]] = n_rows[is_base]
    base_sum = np.full(n_pairs, np.nan)
    base_ok = np.zeros(n_pairs, dtype=bool)
    base_ok[pair[is_base]] = (n_ass[is_base] == n_rows[is_base]) & (s[is_base] > 0)
    base_sum[pair[is_base]] = np.where(base_ok[pair[is_base]], s[is_base], np.nan)
    expected = base_expected[pair]
    has_t = expected > 0
    complete = has_t & (n_ass == expected) & base_ok[pair]
    val = pd.Series(np.where(complete, s, np.inf))
    nadir = val.groupby(pair).cummin().groupby(pair).shift(1).to_numpy(dtype=float)
    nadir = np.where(np.isinf(nadir), np.nan, nadir)
    bsum = base_sum[pair]
    inc = s - nadir
    t_pd = has_t & base_ok[pair] & (inc > EPS) & (
        s >= nadir * (1 + rules.pd_increase_pct / 100) - EPS)
    if rules.pd_min_increase_mm is not None:
        t_pd &= inc >= rules.pd_min_increase_mm - EPS
    t_cr = complete & (n_cr == expected)
    t_pr = complete & (s <= bsum * (1 - rules.pr_decrease_pct / 100) + EPS)
    t_resp = np.select(
        [~has_t, t_pd, ~complete, t_cr, t_pr], [None, PD, NE, CR, PR], SD).astype(object)

    # ---- non-targets ---------------------------------------------------------------------
    nm = keep & (role == Role.NON_TARGET.value)
    nc = tp_code[nm]
    nst = status[nm]
    nmeas = meas[nm]
    eff_unproven = np.zeros(nm.sum(), dtype=bool)
    if rules.effusion_requires_cytology:
        eff = t["effusion"].fillna(False).to_numpy(dtype=bool)[nm]
        cyt = t["cytology_positive"].fillna(False).to_numpy(dtype=bool)[nm]
        eff_unproven = eff & ~cyt
    n_pd_row = (nst == Status.UNEQUIVOCAL.value) & ~eff_unproven
    blank = nst == ""
    n_ne_row = (nst == Status.NOT_EVALUABLE.value) | (blank & np.isnan(nmeas))
    n_abs_row = (nst == Status.ABSENT.value) | (blank & (nmeas <= EPS))
    if rules.node_normal_mm is not None:
        n_abs_row |= nodal[nm] & (nmeas < rules.node_normal_mm - EPS) & (
            nst != Status.UNEQUIVOCAL.value)
    nt_rows = _bincount(nc, n)
    nt_pd = _bincount(nc, n, n_pd_row.astype(float)) > 0
    nt_ne = _bincount(nc, n, n_ne_row.astype(float)) > 0
    nt_abs = _bincount(nc, n, n_abs_row.astype(float))
    nt_base = np.zeros(n_pairs)
    nt_base[pair[is_base]] = nt_rows[is_base]
    nt_exp = nt_base[pair]
    has_nt = nt_exp > 0
    nt_resp = np.select(
        [~has_nt, nt_pd, nt_ne | (nt_rows < nt_exp), nt_abs == nt_exp],
        [None, PD, NE, CR], NONCRPD).astype(object)

    # ---- new lesions ---------------------------------------------------------------------
    new_y, new_eq, new_out, new_unknown = _new_lesions(t, tp_code, n, keep, meas, rules)

    # ---- overall -------------------------------------------------------------------------
    no_disease = ~has_t & ~has_nt
    pd_any = (t_resp == PD) | (nt_resp == PD) | new_y
    overall = np.select(
        [
            no_disease,
            pd_any,
            new_unknown,
            has_t & (t_resp == NE),
            has_t & (t_resp == CR) & ((nt_resp == CR) | ~has_nt),
            has_t & (t_resp == CR),
            has_t & (t_resp == PR),
            has_t & (t_resp == SD),
            ~has_t & (nt_resp == CR),
            ~has_t & (nt_resp == NONCRPD),
        ],
        [NE, PD, NE, NE, CR, PR, PR, SD, CR, NONCRPD],
        NE,
    ).astype(object)

    reason = np.full(n, "", dtype=object)
    if rules.reappearance_after_cr_is_pd:
        overall, reason = _reappearance_after_cr(
            t, tp_code, pair, n, keep, meas, rules, overall, reason)

    res = pd.DataFrame({
        "subject": tp["subject"].array,
        "evaluator": tp["evaluator"].array,
        "criteria": CRITERIA_LABELS[rules.criteria.value],
        "visit": tp["visit"].array,
        "visitnum": tp["visitnum"].to_numpy(),
        "date": tp["tp_date"].to_numpy(),
        "target_sum": np.where(has_t, s, np.nan),
        "target_assessed": n_ass.astype(int),
        "target_expected": expected.astype(int),
        "baseline_sum": bsum,
        "nadir": nadir,
        "pchg_baseline": (s - bsum) / bsum * 100,
        "chg_nadir": inc,
        "pchg_nadir": np.where(nadir > 0, inc / np.where(nadir > 0, nadir, 1) * 100, np.nan),
        "target_response": t_resp,
        "nontarget_response": nt_resp,
        "new_lesion": np.select([new_y, new_unknown, new_eq], ["Y", "UNKNOWN", "EQUIVOCAL"],
                                "N").astype(object),
        "new_lesion_out_of_field": np.where(new_out, "Y", "N") if rules.localized else None,
        "overall": overall,
    })
    partial = ~complete & ~t_pd  # a partial sum says nothing; a partial PD sum is kept
    for c in ("target_sum", "pchg_baseline", "chg_nadir", "pchg_nadir"):
        res.loc[partial, c] = np.nan
    base_bad = has_t & ~base_ok[pair]
    res["reason"] = _reasons(res, reason, no_disease, new_unknown, rules, base_bad)
    return res.loc[~is_base].reset_index(drop=True)


def _new_lesions(
    t: pd.DataFrame, tp_code: np.ndarray, n: int, keep: np.ndarray, meas: np.ndarray,
    rules: CriteriaRules,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per timepoint: counted new lesion, equivocal only, counted outside field, unknown field."""
    role = text_array(t["role"])
    m = role == Role.NEW.value
    zeros = np.zeros(n, dtype=bool)
    if not m.any():
        return zeros, zeros.copy(), zeros.copy(), zeros.copy()
    nw = t.loc[m]
    code = tp_code[m]
    st = text_array(nw["status"])
    ld = nw["longest_diameter"].to_numpy(dtype=float)
    any_size = ~np.isnan(meas[m]) & (meas[m] > EPS)
    counted = (st == Status.UNEQUIVOCAL.value) | (st == Status.PRESENT.value) | (
        (st == "") & any_size)
    equivocal = st == Status.EQUIVOCAL.value
    lcode = nw["lesion_id"].cat.codes.to_numpy().astype(np.int64)
    lesion_key = nw["pair"].to_numpy() * (int(lcode.max()) + 2) + lcode
    order = nw["tp_index"].to_numpy()
    if rules.hcc_new_lesion_rule:
        liver = (nw["site"] == "LIVER").fillna(False).to_numpy(dtype=bool)
        special = nw["pvt"].fillna(False).to_numpy(dtype=bool) | nw["effusion"].fillna(
            False).to_numpy(dtype=bool)
        hcc = liver & ~special
        typical = nw["typical_hcc"].fillna(False).to_numpy(dtype=bool)
        gone = (st == Status.ABSENT.value) | (st == Status.NOT_EVALUABLE.value)
        first_ld = pd.Series(ld).groupby(lesion_key, sort=False).transform("first").to_numpy()
        grown = ld - first_ld >= rules.new_growth_mm - EPS
        hcc_counted = ~gone & ((typical & (ld >= rules.new_hcc_min_mm - EPS)) | grown)
        counted = np.where(hcc, hcc_counted, counted)
        equivocal = np.where(hcc, ~gone & ~hcc_counted, equivocal)
    else:
        # RECIST 1.1 4.3.2: an equivocal new lesion confirmed later is PD from its first scan.
        c_order = np.where(counted, order, np.iinfo(np.int64).max)
        first_counted = pd.Series(c_order).groupby(lesion_key, sort=False).transform(
            "min").to_numpy()
        confirmed = equivocal & (order < first_counted) & (
            first_counted < np.iinfo(np.int64).max)
        counted = counted | confirmed
        equivocal = equivocal & ~confirmed
    if rules.porta_hepatis_node_mm is not None:
        # mRECIST: a porta hepatis node is malignant only from 20 mm short axis
        ph = nw["nodal"].to_numpy(dtype=bool) & (text_array(nw["site"]) == "PORTA HEPATIS")
        small = ph & ~(nw["short_axis"].to_numpy(dtype=float)
                       >= rules.porta_hepatis_node_mm - EPS)
        equivocal = equivocal | (counted & small)
        counted = counted & ~small
    if rules.effusion_requires_cytology:
        eff = nw["effusion"].fillna(False).to_numpy(dtype=bool)
        cyt = nw["cytology_positive"].fillna(False).to_numpy(dtype=bool)
        equivocal = equivocal | (eff & ~cyt & counted)
        counted = counted & ~(eff & ~cyt)
    out = np.zeros(len(nw), dtype=bool)
    unknown = np.zeros(len(nw), dtype=bool)
    if rules.localized:
        infield = nw["in_treated_area"]
        out = counted & (infield == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        unknown = counted & infield.isna().to_numpy()
        counted = counted & (infield == True).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        equivocal = equivocal & ~(infield == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    return (
        _bincount(code, n, counted.astype(float)) > 0,
        _bincount(code, n, equivocal.astype(float)) > 0,
        _bincount(code, n, out.astype(float)) > 0,
        _bincount(code, n, unknown.astype(float)) > 0,
    )


def _reappearance_after_cr(
    t: pd.DataFrame, tp_code: np.ndarray, pair: np.ndarray, n: int, keep: np.ndarray,
    meas: np.ndarray, rules: CriteriaRules, overall: np.ndarray, reason: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """EORTC RECIST FAQ: after an overall CR, a lesion that reappears is PD.

    Reappearance: a non-nodal target > 0 mm, a nodal target >= the normal size, a non-target not
    ABSENT. One pass is exact: the rule only turns non-CR assessments into PD, so it never
    creates the CR that it depends on.
    """
    prev = pd.Series(overall).groupby(pair).shift(1).to_numpy(dtype=object)
    role = text_array(t["role"])
    status = text_array(t["status"])
    nodal = t["nodal"].to_numpy(dtype=bool)
    limit = rules.node_normal_mm if rules.node_normal_mm is not None else 0.0
    tgt = keep & (role == Role.TARGET.value) & ~np.isnan(meas) & np.where(
        nodal, meas >= limit - EPS if limit else meas > EPS, meas > EPS)
    ntg = keep & (role == Role.NON_TARGET.value) & np.isin(
        status, [Status.PRESENT.value, Status.UNEQUIVOCAL.value, Status.TOO_SMALL.value])
    back = _bincount(tp_code[tgt | ntg], n) > 0
    flip = back & (prev == CR) & (overall != PD)
    overall = np.where(flip, PD, overall).astype(object)
    reason = np.where(flip, "lesion reappeared after complete response", reason).astype(object)
    return overall, reason


def _reasons(
    res: pd.DataFrame, reason: np.ndarray, no_disease: np.ndarray, new_unknown: np.ndarray,
    rules: CriteriaRules, base_bad: np.ndarray,
) -> np.ndarray:
    """Reason of each NE and PD (empty otherwise); the numbers behind it are in the target
    columns (target_sum, nadir, chg_nadir, pchg_nadir, target_assessed, target_expected)."""
    tr = res["target_response"].to_numpy(dtype=object)
    nt = res["nontarget_response"].to_numpy(dtype=object)
    ov = res["overall"].to_numpy(dtype=object)
    new = res["new_lesion"].to_numpy(dtype=object)
    label = "inside the treated area" if rules.localized else "at baseline"
    texts = [
        "lesion reappeared after complete response",
        f"target sum >= {rules.pd_increase_pct:g} % over the nadir"
        + (f" and >= {rules.pd_min_increase_mm:g} mm" if rules.pd_min_increase_mm else ""),
        "unequivocal progression of non-target disease",
        "new lesion",
        "target lesions not all assessed",
        "non-target lesions not all assessed",
        "new lesion, position relative to the treated area unknown",
        f"no target or non-target lesion {label}",
        "baseline target measurements incomplete or zero",
    ]
    is_ne = ov == NE
    bits = [reason != "", tr == PD, nt == PD, new == "Y", is_ne & (tr == NE),
            is_ne & (nt == NE), is_ne & new_unknown, no_disease, is_ne & base_bad]
    combo = np.zeros(len(res), dtype=np.int64)
    for i, b in enumerate(bits):
        combo |= np.asarray(b, dtype=np.int64) << i
    uniq, inv = np.unique(combo, return_inverse=True)
    lookup = np.array(["; ".join(t for i, t in enumerate(texts) if u >> i & 1) for u in uniq]
                      + [""], dtype=object)
    out = lookup[inv] if len(uniq) else np.full(len(res), "", dtype=object)
    keep = (ov == PD) | is_ne | (reason != "")
    return np.where(keep, out, "").astype(object)
