"""Tumour staging of a batch (up-to-seven, BCLC, CNLC) through the clinical core, memoised."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hccrt.clinical.staging import bclc, cnlc, up_to_seven
from hccrt.errors import HccrtError

if TYPE_CHECKING:
    from hccrt.protocols.eligibility.candidate.frame import Facts


def _staging(f: Facts) -> None:
    """Up-to-seven, BCLC and CNLC through the clinical core, memoised.

    The core functions are scalar. Calling them once per candidate would dominate a large
    batch, so they are called once per distinct tumour (number, largest diameter, vascular
    invasion, extrahepatic spread), and the stages are then computed once per distinct
    (tumour class, ECOG, Child-Pugh class, liver-function call), where the tumour class is
    the pair of stages the core gives that tumour at ECOG 0 and Child-Pugh A, represented
    by its first tumour. Both staging systems decide on performance status and liver
    function independently of the tumour (Reig 2022; CNLC 2022), so every tumour of a class
    gets the stage of its representative; the tests compare this with direct calls.
    """
    v = f.values
    n_les, largest = v["n_lesions"], v["largest_cm"]
    mvi, ehs = v["macrovascular_invasion"], v["extrahepatic_spread"]
    ecog, cp, lf = v["ecog"], v["child_pugh_class"], v["liver_function"]
    ut7 = np.full(f.n, np.nan)
    bclc_st = np.full(f.n, None, dtype=object)
    cnlc_st = np.full(f.n, None, dtype=object)
    why_bclc = np.full(f.n, None, dtype=object)
    rows = np.flatnonzero(np.isfinite(n_les) & np.isfinite(largest) & (largest > 0)
                          & np.isfinite(mvi) & np.isfinite(ehs))
    if rows.size:
        t_codes, t_uniques = _factorize_rows([n_les[rows], largest[rows], mvi[rows],
                                              ehs[rows]])
        classes: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        t_ut7 = np.empty(len(t_uniques))
        t_class = np.empty(len(t_uniques), dtype=object)
        for k, (n, d, m, e) in enumerate(t_uniques):
            kw = {"n_nodules": int(n), "largest_cm": float(d),
                  "macrovascular_invasion": bool(m), "extrahepatic_spread": bool(e)}
            t_ut7[k] = float(up_to_seven(**kw).within)
            key = (cnlc(**kw, ecog=0, child_pugh_class="A").stage,
                   bclc(**kw, ecog=0, child_pugh_class="A").stage, bool(m), bool(e))
            classes.setdefault(key, (int(n), float(d), bool(m), bool(e)))
            t_class[k] = key
        ut7[rows] = t_ut7[t_codes]
        class_id = {key: i for i, key in enumerate(classes)}
        t_class_id = np.array([class_id[c] for c in t_class], dtype=np.int64)
        c_codes, c_uniques = _factorize_rows([
            t_class_id[t_codes], np.nan_to_num(ecog[rows], nan=-1),
            pd.Series(cp[rows], dtype=object).fillna("").to_numpy(dtype=object),
            pd.Series(lf[rows], dtype=object).fillna("").to_numpy(dtype=object)])
        reps = list(classes.values())
        out = [_stage_one(reps[t], e, c or None, l_ or None) for t, e, c, l_ in c_uniques]
        staged = np.array(out, dtype=object).reshape(len(out), 3)[c_codes]
        cnlc_st[rows], bclc_st[rows], why_bclc[rows] = staged[:, 0], staged[:, 1], staged[:, 2]
    v["within_up_to_seven"] = ut7
    v["bclc_stage"] = bclc_st
    v["cnlc_stage"] = cnlc_st
    f.inputs["bclc_missing"] = why_bclc


def _factorize_rows(columns: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Codes of the distinct rows of several columns, and those rows (in order of codes)."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    parts = []
    for col in columns:
        codes, uniques = pd.factorize(pd.Series(col, dtype=object if col.dtype == object
                                                else col.dtype))
        parts.append(np.asarray(uniques, dtype=object))
        combined = combined * (len(uniques) + 1) + (codes + 1)
    row_codes, _ = pd.factorize(combined)
    where = pd.Series(np.arange(len(combined))).groupby(row_codes).first().to_numpy()
    rows = [tuple(col[i] for col in columns) for i in where]
    return row_codes, rows


def _stage_one(tumour: tuple[int, float, bool, bool], ecog: float, cp: Any,
               lf: Any) -> tuple[str | None, str | None, str | None]:
    """(CNLC stage, BCLC stage, the input BCLC lacked) for one tumour and context."""
    if ecog < 0 or cp is None:
        return None, None, None
    n, d, m, e = tumour
    kw = {"n_nodules": n, "largest_cm": d, "macrovascular_invasion": m,
          "extrahepatic_spread": e, "ecog": int(ecog), "child_pugh_class": cp}
    cn = cnlc(**kw).stage
    try:
        return cn, bclc(**kw, liver_function=lf).stage, None
    except HccrtError:
        return cn, None, "liver_function"
