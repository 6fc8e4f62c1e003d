"""Report figures: each a function from tidy frames to a matplotlib :class:`Figure`.

The figures draw what they are given and compute nothing clinical or statistical: survival
curves and numbers at risk come from :func:`hccrt.stats.kaplan_meier` (its ``table`` and
``at(times, extend=True)``), percent changes from ADTR, ROC and its threshold from
:func:`hccrt.stats.roc`, hazard ratios from :func:`hccrt.stats.cox_ph`, and so on.

Conventions (Pocock et al., Lancet 2002, "Survival plots of time-to-event outcomes in
clinical trials"; CONSORT 2010 flow diagram):

* Kaplan-Meier: step curves from (0, 1), censorings as "+" ticks on the curve, pointwise CIs
  as light bands, the y axis 0-100 %, the x axis stopping where the curves are still
  informative, and the numbers at risk under the x axis at each tick, one row per group in
  the group's colour, aligned with the ticks.
* Waterfall: one bar per participant, sorted from the largest increase to the largest
  decrease, coloured by best overall response, dashed lines at the criteria's PD and PR
  thresholds.
* CONSORT: enrolment (assessed for eligibility, excluded with reasons), allocation,
  follow-up and analysis boxes per arm.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import FixedLocator, MaxNLocator, NullFormatter, PercentFormatter

from hccrt.errors import InputError
from hccrt.reports.style import FULL_WIDTH, PALETTE, colours, new_figure, style

__all__ = [
    "ArmFlow",
    "ConsortCounts",
    "consort_diagram",
    "distribution_plot",
    "forest_plot",
    "km_plot",
    "km_ticks",
    "qol_plot",
    "roc_plot",
    "spider_plot",
    "swimmer_plot",
    "waterfall_plot",
]

#: Colours of best overall responses (waterfall, spider, swimmer).
RESPONSE_COLOURS: dict[str, str] = {
    "CR": "#009E73", "PR": "#56B4E9", "SD": "#E69F00", "NON-CR/NON-PD": "#F0E442",
    "PD": "#D55E00", "NE": "#999999", "MISSING": "#CCCCCC",
}


def _require(df: pd.DataFrame, name: str, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(name, sorted(df.columns), f"a frame with the columns {list(cols)}")


def _groups(values: pd.Series) -> list[object]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [g for g in values.cat.categories if (values == g).any()]
    return list(dict.fromkeys(values.tolist()))


# ----------------------------------------------------------------------------- Kaplan-Meier


def km_ticks(max_time: float, step: float | None = None) -> np.ndarray:
    """Tick times from 0 to ``max_time`` (a step of 1, 2, 3, 6, 12 ... units, ~5-9 ticks)."""
    if not np.isfinite(max_time) or max_time <= 0:
        return np.array([0.0])
    if step is None:
        for step in (1, 2, 3, 6, 12, 24, 48, 96, 192, 365):
            if max_time / step <= 8:
                break
    n = int(np.floor(max_time / step + 1e-9))
    return np.arange(n + 1) * float(step)


def km_plot(
    curve: pd.DataFrame,
    at_risk: pd.DataFrame,
    *,
    xlabel: str = "Months",
    ylabel: str = "Survival probability",
    title: str | None = None,
    annotation: str | None = None,
    show_ci: bool = True,
    group_labels: Mapping[object, str] | None = None,
) -> Figure:
    """Kaplan-Meier curves with censoring marks and the numbers at risk under the x axis.

    Args:
        curve: the KM table of :func:`hccrt.stats.kaplan_meier` (``result.table``): group,
            time, n_censor, surv, lower, upper (one row per group and distinct time).
        at_risk: numbers at risk at the tick times (``result.at(ticks, extend=True)``):
            group, time, n_risk. Its times become the x ticks; they are printed as given.
        annotation: text for the upper right corner (e.g. HR and log-rank p from the core).
        group_labels: display names of the groups (default: the group values).
    """
    _require(curve, "curve", ["group", "time", "n_censor", "surv", "lower", "upper"])
    _require(at_risk, "at_risk", ["group", "time", "n_risk"])
    groups = _groups(curve["group"]) if curve["group"].notna().any() else [None]
    col = colours(groups) if len(groups) > 1 else {None: "#000000", groups[0]: "#000000"}
    labels = {g: (group_labels or {}).get(g, "All" if g is None else str(g)) for g in groups}
    ticks = np.unique(at_risk["time"].to_numpy(dtype=float))
    with style():
        n_rows = len(groups)
        fig = new_figure(FULL_WIDTH, 3.2 + 0.18 * n_rows)
        bottom = 0.11 + 0.055 * n_rows
        ax = fig.add_axes((0.2, bottom + 0.12, 0.76, 0.86 - bottom - 0.12 + 0.02))
        for g in groups:
            sub = curve if g is None else curve.loc[curve["group"] == g]
            t = np.r_[0.0, sub["time"].to_numpy(dtype=float)]
            s = np.r_[1.0, sub["surv"].to_numpy(dtype=float)]
            ax.step(t, s, where="post", color=col[g], label=labels[g], lw=1.4)
            if show_ci:
                lo = np.r_[1.0, sub["lower"].to_numpy(dtype=float)]
                up = np.r_[1.0, sub["upper"].to_numpy(dtype=float)]
                ax.fill_between(t, lo, up, step="post", color=col[g], alpha=0.12, lw=0)
            cens = sub["n_censor"].to_numpy(dtype=float) > 0
            ax.plot(sub["time"].to_numpy(dtype=float)[cens],
                    sub["surv"].to_numpy(dtype=float)[cens],
                    ls="none", marker="|", ms=5, mew=1.0, color=col[g])
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, ticks[-1] if ticks.size and ticks[-1] > 0 else None)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", lw=0.4, alpha=0.4)
        if title:
            ax.set_title(title, loc="left")
        if len(groups) > 1:
            ax.legend(loc="lower left")
        if annotation:
            ax.text(0.99, 0.98, annotation, transform=ax.transAxes, ha="right", va="top",
                    fontsize=7.5)
        # numbers at risk: an axes sharing x, below the x label, one text row per group
        risk = fig.add_axes((0.2, 0.02, 0.76, bottom - 0.02), sharex=ax)
        risk.set_gid("at-risk")
        risk.axis("off")
        risk.set_ylim(n_rows - 0.5, -1.3)
        risk.text(-0.04, -1.0, "Number at risk", transform=risk.get_yaxis_transform(),
                  ha="right", va="center", fontsize=7.5, fontweight="bold")
        for i, g in enumerate(groups):
            sub = at_risk if g is None else at_risk.loc[at_risk["group"] == g]
            risk.text(-0.04, i, labels[g], transform=risk.get_yaxis_transform(), ha="right",
                      va="center", fontsize=7.5, color=col[g])
            for t, n in zip(sub["time"].to_numpy(dtype=float), sub["n_risk"].to_numpy(),
                            strict=True):
                shown = "–" if pd.isna(n) else f"{n:g}"
                risk.text(t, i, shown, ha="center", va="center", fontsize=7.5, color=col[g],
                          gid="n-risk")
    return fig


# ----------------------------------------------------------------------------- tumour change


def waterfall_plot(
    best: pd.DataFrame,
    *,
    reference_lines: Mapping[str, tuple[float, float]] | None = None,
    ylabel: str = "Best change in target sum from baseline (%)",
    title: str | None = None,
) -> Figure:
    """Waterfall of the best percent change in the target-lesion sum, one panel per criteria.

    Args:
        best: one row per participant and criteria set: criteria (label), subject, pchg, and
            optionally response (best overall response, for the colour).
        reference_lines: per criteria label, (PD increase %, PR decrease %) from the criteria
            rules, drawn as +x and -y dashed lines.
    """
    _require(best, "best", ["criteria", "subject", "pchg"])
    crits = _groups(best["criteria"])
    if not crits:
        raise InputError("best", "empty", "at least one participant with a best change")
    with style():
        fig = new_figure(FULL_WIDTH, 2.3 * len(crits) + 0.3)
        axes = fig.subplots(len(crits), 1, squeeze=False)[:, 0]
        for ax, c in zip(axes, crits, strict=True):
            sub = best.loc[(best["criteria"] == c) & best["pchg"].notna()]
            sub = sub.sort_values("pchg", ascending=False, kind="stable")
            y = sub["pchg"].to_numpy(dtype=float)
            resp = (sub["response"].fillna("MISSING").astype(str) if "response" in sub
                    else pd.Series(["MISSING"] * len(sub)))
            cols = [RESPONSE_COLOURS.get(r, "#999999") for r in resp]
            ax.bar(np.arange(y.size), y, width=0.85, color=cols, gid="waterfall-bars")
            ax.axhline(0, color="black", lw=0.6)
            if reference_lines and c in reference_lines:
                up, down = reference_lines[c]
                ax.axhline(up, color="#555555", lw=0.7, ls="--")
                ax.axhline(-down, color="#555555", lw=0.7, ls="--")
            ax.set_xticks([])
            ax.set_xlim(-0.7, max(y.size, 1) - 0.3)
            ax.set_ylabel("Change (%)" if len(crits) > 1 else ylabel)
            ax.set_title(f"{c} (n = {y.size})", loc="left")
            ax.set_xlabel("Participants, ordered by best change")
            present = list(dict.fromkeys(resp))
            handles = [ax.bar([0], [0], color=RESPONSE_COLOURS.get(r, "#999999"), label=r)
                       for r in RESPONSE_COLOURS if r in present]
            if handles:
                ax.legend(handles=handles, loc="upper right", ncols=min(len(handles), 6))
        if title:
            fig.suptitle(title, x=0.01, ha="left")
        fig.tight_layout()
    return fig


def spider_plot(
    changes: pd.DataFrame,
    *,
    reference_lines: tuple[float, float] | None = None,
    xlabel: str = "Months from first treatment",
    ylabel: str = "Change in target sum from baseline (%)",
    title: str | None = None,
) -> Figure:
    """Spider plot: percent change in the target sum over time, one line per participant.

    Args:
        changes: subject, time, pchg (baseline rows with time 0 and pchg 0 included or not),
            optionally group (colour per group).
        reference_lines: (PD increase %, PR decrease %).
    """
    _require(changes, "changes", ["subject", "time", "pchg"])
    groups = _groups(changes["group"]) if "group" in changes else [None]
    col = colours(groups)
    with style():
        fig = new_figure(FULL_WIDTH, 3.4)
        ax = fig.add_subplot()
        for (g, _s), sub in changes.sort_values("time").groupby(
                [changes["group"] if "group" in changes else pd.Series(0, index=changes.index),
                 "subject"], sort=False, observed=True):
            t = sub["time"].to_numpy(dtype=float)
            y = sub["pchg"].to_numpy(dtype=float)
            if t.size == 0 or t[0] > 0:
                t, y = np.r_[0.0, t], np.r_[0.0, y]
            ax.plot(t, y, color=col.get(g if "group" in changes else None, PALETTE[0]), lw=0.7,
                    alpha=0.75)
        ax.axhline(0, color="black", lw=0.6)
        if reference_lines:
            ax.axhline(reference_lines[0], color="#555555", lw=0.7, ls="--")
            ax.axhline(-reference_lines[1], color="#555555", lw=0.7, ls="--")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if groups != [None]:
            for g in groups:
                ax.plot([], [], color=col[g], label=str(g))
            ax.legend(loc="upper right")
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- swimmer


#: Markers of swimmer-plot events.
SWIMMER_MARKERS: dict[str, tuple[str, str]] = {
    "CR": ("o", RESPONSE_COLOURS["CR"]), "PR": ("o", RESPONSE_COLOURS["PR"]),
    "PD": ("X", RESPONSE_COLOURS["PD"]), "Death": ("s", "#000000"),
    "Treatment": ("v", "#555555"), "Surgery": ("D", "#CC79A7"),
    "Subsequent therapy": ("^", "#E69F00"),
}


def swimmer_plot(
    lanes: pd.DataFrame,
    events: pd.DataFrame,
    *,
    xlabel: str = "Months from first treatment",
    title: str | None = None,
    max_lanes: int = 60,
) -> Figure:
    """Swimmer plot: one bar per participant (time on study), with treatment, response and
    other events as markers; an arrow marks a participant still followed.

    Args:
        lanes: subject, end (time on study), optionally group and ongoing (bool).
        events: subject, time, event (``CR``, ``PR``, ``PD``, ``Death``, ``Treatment``,
            ``Surgery``, ``Subsequent therapy`` or any other label).
        max_lanes: above this many participants the longest ``max_lanes`` are shown (stated
            in the axis label).
    """
    _require(lanes, "lanes", ["subject", "end"])
    _require(events, "events", ["subject", "time", "event"])
    ln = lanes.sort_values("end", ascending=True, kind="stable")
    shown_all = len(ln) <= max_lanes
    ln = ln.tail(max_lanes)
    pos = {s: i for i, s in enumerate(ln["subject"])}
    groups = _groups(ln["group"]) if "group" in ln else [None]
    col = colours(groups) if groups != [None] else {None: "#7f9fbf"}
    with style():
        fig = new_figure(FULL_WIDTH, min(9.0, 1.2 + 0.11 * len(ln)))
        ax = fig.add_subplot()
        gcol = [col[g] for g in (ln["group"] if "group" in ln else [None] * len(ln))]
        ax.barh(np.arange(len(ln)), ln["end"].to_numpy(dtype=float), height=0.7, color=gcol,
                alpha=0.55, gid="swimmer-lanes")
        if "ongoing" in ln:
            for i, (e, on) in enumerate(zip(ln["end"], ln["ongoing"], strict=True)):
                if bool(on):
                    ax.annotate("", xy=(e + 0.9, i), xytext=(e, i),
                                arrowprops={"arrowstyle": "->", "lw": 0.8})
        ev = events.loc[events["subject"].isin(pos)]
        for label, sub in ev.groupby("event", sort=False):
            marker, c = SWIMMER_MARKERS.get(str(label), ("*", "#444444"))
            ax.plot(sub["time"].to_numpy(dtype=float), sub["subject"].map(pos).to_numpy(),
                    ls="none", marker=marker, color=c, ms=3.2, label=str(label))
        ax.set_yticks([])
        ax.set_ylim(-0.8, len(ln) - 0.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Participants" + ("" if shown_all else f" (longest {max_lanes} shown)"))
        ax.set_xlim(left=0)
        handles, labels = ax.get_legend_handles_labels()
        if groups != [None]:
            for g in groups:
                handles.append(ax.barh([0], [0], color=col[g], alpha=0.55))
                labels.append(str(g))
        if handles:
            ax.legend(handles, labels, loc="lower right", fontsize=7)
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- forest


def forest_plot(
    estimates: pd.DataFrame,
    *,
    xlabel: str = "Hazard ratio (95% CI)",
    favours: tuple[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Forest plot of hazard ratios with CIs on a log axis, one row per subgroup level.

    Args:
        estimates: label (subgroup, e.g. "Sex"), level ("Male"; "" for an overall row), n,
            hr, lower, upper; rows drawn top to bottom in the given order. Rows with a
            missing HR are listed as "not estimable".
        favours: texts under the axis left and right of 1 ("Favours SBRT", "Favours control").
    """
    _require(estimates, "estimates", ["label", "level", "n", "hr", "lower", "upper"])
    k = len(estimates)
    with style():
        fig = new_figure(FULL_WIDTH, 0.9 + 0.24 * max(k, 2))
        bottom = 0.62 / (0.9 + 0.24 * max(k, 2))
        ax = fig.add_axes((0.36, bottom, 0.38, 0.94 - bottom))
        y = np.arange(k)[::-1]
        hr = estimates["hr"].to_numpy(dtype=float)
        lo = estimates["lower"].to_numpy(dtype=float)
        up = estimates["upper"].to_numpy(dtype=float)
        ok = np.isfinite(hr) & np.isfinite(lo) & np.isfinite(up) & (hr > 0) & (lo > 0)
        ax.hlines(y[ok], lo[ok], up[ok], color="black", lw=0.9)
        overall = (estimates["level"].fillna("") == "").to_numpy()
        ax.plot(hr[ok & ~overall], y[ok & ~overall], ls="none", marker="s", color=PALETTE[0],
                ms=4.5, gid="forest-points")
        ax.plot(hr[ok & overall], y[ok & overall], ls="none", marker="D", color="black", ms=5.5)
        ax.axvline(1.0, color="#555555", lw=0.7, ls="--")
        ax.set_xscale("log")
        finite = np.r_[lo[ok], up[ok], 1.0]
        ax.set_xlim(max(finite.min() / 1.3, 1e-3), min(finite.max() * 1.3, 1e3))
        ax.set_ylim(-0.7, k - 0.3)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(xlabel)
        lo_x, hi_x = ax.get_xlim()
        cand = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20, 50, 100]
        cand = [c for c in cand if lo_x <= c <= hi_x]
        if len(cand) > 6:
            cand = [c for c in cand if c in (0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100)]
        ax.xaxis.set_major_locator(FixedLocator(cand))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(matplotlib_log_formatter())
        trans = ax.get_yaxis_transform()
        ax.text(-0.98, k - 0.1, "Subgroup", transform=trans, ha="left", fontweight="bold",
                va="bottom")
        ax.text(-0.14, k - 0.1, "n", transform=trans, ha="right", fontweight="bold",
                va="bottom")
        ax.text(1.04, k - 0.1, "HR (95% CI)", transform=trans, ha="left", fontweight="bold",
                va="bottom")
        for i, row in enumerate(estimates.itertuples(index=False)):
            name = row.label if not row.level else f"   {row.level}"
            if row.level and (i == 0 or estimates.iloc[i - 1]["label"] != row.label):
                ax.text(-0.98, y[i] + 0.5, row.label, transform=trans, ha="left", va="center",
                        fontweight="bold", fontsize=7.5)
            ax.text(-0.98, y[i], name, transform=trans, ha="left", va="center", fontsize=7.5)
            ax.text(-0.14, y[i], f"{row.n:g}", transform=trans, ha="right", va="center",
                    fontsize=7.5)
            txt = (f"{row.hr:.2f} ({row.lower:.2f}-{row.upper:.2f})" if ok[i]
                   else "not estimable")
            ax.text(1.04, y[i], txt, transform=trans, ha="left", va="center", fontsize=7.5,
                    gid="forest-text")
        if favours:
            for x, text, ha in ((0.0, "← " + "\n".join(textwrap.wrap(favours[0], 22)), "left"),
                                (1.0, "\n".join(textwrap.wrap(favours[1], 22)) + " →",
                                 "right")):
                ax.annotate(text, xy=(x, 0), xycoords="axes fraction", xytext=(0, -34),
                            textcoords="offset points", ha=ha, va="top", fontsize=7)
        if title:
            fig.suptitle(title, x=0.01, ha="left")
    return fig


def matplotlib_log_formatter() -> object:
    """Plain-number labels on a log axis (0.5, 1, 2 rather than 10^-0.3)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _p: f"{v:g}")


# ----------------------------------------------------------------------------- ROC


def roc_plot(
    curve: pd.DataFrame,
    chosen: Mapping[str, float],
    *,
    auc: tuple[float, float, float] | None = None,
    predictor: str = "Tumour absorbed dose (Gy)",
    outcome: str = "response",
    title: str | None = None,
) -> Figure:
    """ROC curve with the chosen threshold marked.

    Args:
        curve: threshold, sensitivity, specificity (``hccrt.stats.roc(...).curve``).
        chosen: threshold, sensitivity, specificity of the chosen cut-off (e.g. ``.youden``).
        auc: (AUC, lower, upper) to print, from the core.
    """
    _require(curve, "curve", ["sensitivity", "specificity"])
    c = curve.sort_values(["specificity", "sensitivity"], ascending=[False, True])
    fpr = np.r_[0.0, 1 - c["specificity"].to_numpy(dtype=float), 1.0]
    tpr = np.r_[0.0, c["sensitivity"].to_numpy(dtype=float), 1.0]
    with style():
        fig = new_figure(4.2, 4.0)
        ax = fig.add_subplot()
        ax.plot(fpr, tpr, color=PALETTE[0], drawstyle="default", gid="roc-curve")
        ax.plot([0, 1], [0, 1], color="#999999", lw=0.7, ls="--")
        x, y = 1 - float(chosen["specificity"]), float(chosen["sensitivity"])
        ax.plot([x], [y], marker="o", color=PALETTE[1], ms=6, ls="none", gid="roc-threshold")
        ax.annotate(f"{predictor.split(' (')[0]} ≥ {float(chosen['threshold']):.4g}\n"
                    f"sens {y:.2f}, spec {1 - x:.2f}", xy=(x, y), xytext=(x + 0.08, y - 0.16),
                    fontsize=7.5, arrowprops={"arrowstyle": "-", "lw": 0.6})
        if auc is not None:
            ax.text(0.98, 0.03, f"AUC {auc[0]:.2f} (95% CI {auc[1]:.2f}-{auc[2]:.2f})",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=7.5)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.01)
        ax.set_aspect("equal")
        ax.set_xlabel("1 - specificity")
        ax.set_ylabel("Sensitivity")
        ax.set_title(title or f"ROC: {predictor} for {outcome}", loc="left")
        fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- QoL


def qol_plot(
    means: pd.DataFrame,
    *,
    xlabel: str = "Months",
    ylabel: str = "Mean score (95% CI)",
    title: str | None = None,
    ncols: int = 3,
    reference: float | None = None,
) -> Figure:
    """QoL means (or mean changes from baseline) with CIs over time, one panel per scale.

    Args:
        means: scale, time, mean, lower, upper, optionally group (one line per group).
        reference: a horizontal reference (0 for changes from baseline).
    """
    _require(means, "means", ["scale", "time", "mean", "lower", "upper"])
    scales = _groups(means["scale"])
    groups = _groups(means["group"]) if "group" in means else [None]
    col = colours(groups)
    ncols = max(1, min(ncols, len(scales)))
    nrows = int(np.ceil(len(scales) / ncols))
    with style():
        fig = new_figure(FULL_WIDTH, 0.4 + 1.9 * nrows)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        k = len(groups)
        for ax, sc in zip(axes, scales, strict=False):
            sub = means.loc[means["scale"] == sc]
            for j, g in enumerate(groups):
                s = sub if g is None else sub.loc[sub["group"] == g]
                s = s.sort_values("time")
                dx = (j - (k - 1) / 2) * 0.12  # dodge
                t = s["time"].to_numpy(dtype=float) + dx
                m = s["mean"].to_numpy(dtype=float)
                ax.errorbar(t, m, yerr=[m - s["lower"].to_numpy(dtype=float),
                                        s["upper"].to_numpy(dtype=float) - m],
                            color=col[g], lw=1.0, marker="o", ms=2.5, capsize=1.5,
                            label=None if g is None else str(g))
            if reference is not None:
                ax.axhline(reference, color="#777777", lw=0.6, ls="--")
            ax.set_title(str(sc), loc="left", fontsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        for ax in axes[len(scales):]:
            ax.set_visible(False)
        for ax in axes[: len(scales)]:
            if ax.get_subplotspec().is_last_row() or ax.get_subplotspec().rowspan.stop == nrows:
                ax.set_xlabel(xlabel)
            if ax.get_subplotspec().is_first_col():
                ax.set_ylabel(ylabel)
        if groups != [None]:
            axes[0].legend(loc="best", fontsize=6.5)
        if title:
            fig.suptitle(title, x=0.01, ha="left")
        fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- distribution


def distribution_plot(
    values: pd.DataFrame,
    *,
    xlabel: str,
    limits: Sequence[float] = (),
    title: str | None = None,
    bins: int = 20,
) -> Figure:
    """Histogram of a measured quantity (e.g. lung absorbed dose per session), one colour per
    group, with dashed vertical lines at given limits (e.g. the protocol's lung-dose limits).

    Args:
        values: value, optionally group.
    """
    _require(values, "values", ["value"])
    v = pd.to_numeric(values["value"], errors="coerce")
    groups = _groups(values["group"]) if "group" in values else [None]
    col = colours(groups)
    edges = np.histogram_bin_edges(v.dropna(), bins=bins) if v.notna().any() else bins
    with style():
        fig = new_figure(FULL_WIDTH, 2.8)
        ax = fig.add_subplot()
        for g in groups:
            x = v if g is None else v[values["group"] == g]
            ax.hist(x.dropna(), bins=edges, color=col[g], alpha=0.6 if len(groups) > 1 else 0.9,
                    label=None if g is None else str(g), gid="histogram")
        for lim in limits:
            ax.axvline(lim, color="#D55E00", lw=0.9, ls="--")
            ax.text(lim, 1.0, f" {lim:g}", transform=ax.get_xaxis_transform(), ha="left",
                    va="top", fontsize=7, color="#D55E00")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Sessions")
        if groups != [None]:
            ax.legend()
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- CONSORT


@dataclass
class ArmFlow:
    """Counts of one arm in a CONSORT flow diagram; reasons map text -> number."""

    name: str
    allocated: int
    treated: int
    not_treated: dict[str, int] = field(default_factory=dict)
    discontinued: dict[str, int] = field(default_factory=dict)
    followed: int = 0
    analysed: int = 0
    excluded_from_analysis: dict[str, int] = field(default_factory=dict)


@dataclass
class ConsortCounts:
    """Counts of a CONSORT flow diagram (enrolment, allocation, follow-up, analysis)."""

    screened: int
    ineligible: dict[str, int]
    arms: list[ArmFlow]
    allocation_label: str = "Allocated"
    not_eligible: int | None = None  # participants failing >= 1 criterion (reasons may overlap)

    @property
    def excluded(self) -> int:
        return self.screened - sum(a.allocated for a in self.arms)


def _reasons(counts: Mapping[str, int], limit: int = 6) -> list[str]:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = [f"  {k} (n = {v})" for k, v in items[:limit]]
    if len(items) > limit:
        lines.append(f"  other reasons (n = {sum(v for _, v in items[limit:])})")
    return lines


def consort_diagram(counts: ConsortCounts, *, title: str | None = None) -> Figure:
    """CONSORT 2010 flow diagram drawn from counts (every number printed is an input)."""
    arms = counts.arms
    k = max(len(arms), 1)
    with style():
        fig = new_figure(FULL_WIDTH, 6.6)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")

        def box(x: float, y: float, w: float, lines: list[str], gid: str, *,
                bold_first: bool = False, fs: float = 7.2) -> tuple[float, float, float, float]:
            h = 0.022 + 0.021 * len(lines)
            ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                        boxstyle="square,pad=0", fc="white", ec="black", lw=0.8))
            ax.text(x - w / 2 + 0.01, y + h / 2 - 0.011, "\n".join(lines), ha="left", va="top",
                    fontsize=fs, gid=gid, linespacing=1.25,
                    fontweight="normal")
            return x, y, w, h

        def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops={"arrowstyle": "-|>", "lw": 0.7, "color": "black"})

        def stage(y: float, text: str) -> None:
            ax.text(0.5, y, text, ha="center", va="center", fontsize=7.5, fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.25", "fc": "#DCE9F5", "ec": "none"})

        # enrolment
        sx, sy, _, sh = box(0.32, 0.93, 0.34,
                            [f"Assessed for eligibility (n = {counts.screened})"],
                            "consort-screened")
        n_inel = (counts.not_eligible if counts.not_eligible is not None
                  else sum(counts.ineligible.values()))
        excl = [f"Excluded (n = {counts.excluded})",
                f"  Not meeting eligibility criteria (n = {n_inel})",
                *["  " + s for s in _reasons(counts.ineligible)]]
        other = counts.excluded - n_inel
        if other:
            excl.append(f"  Other reasons (n = {other})")
        ex = box(0.74, 0.84, 0.46, excl, "consort-excluded")
        ax.plot([sx, sx], [sy - sh / 2, 0.72], color="black", lw=0.7)
        arrow(sx, ex[1], ex[0] - ex[2] / 2, ex[1])
        stage(0.70, counts.allocation_label if k > 1 else "Enrolment")
        w = min(0.9 / k, 0.44)
        xs = [(i + 0.5) / k for i in range(k)]
        if k > 1:
            ax.plot([xs[0], xs[-1]], [0.68, 0.68], color="black", lw=0.7)
        ax.plot([sx, sx], [0.72, 0.68], color="black", lw=0.7)
        for x, a in zip(xs, arms, strict=True):
            arrow(x, 0.68, x, 0.645)
            lines = [f"{counts.allocation_label} to {a.name} (n = {a.allocated})",
                     f"  Received allocated intervention (n = {a.treated})"]
            if a.allocated - a.treated:
                lines.append(f"  Did not receive it (n = {a.allocated - a.treated})")
                lines += ["  " + s for s in _reasons(a.not_treated, 3)]
            b = box(x, 0.645 - (0.022 + 0.021 * len(lines)) / 2, w, lines,
                    f"consort-alloc-{a.name}")
            bottom = b[1] - b[3] / 2
            arrow(x, bottom, x, 0.435)
        stage(0.455, "Follow-up")
        for x, a in zip(xs, arms, strict=True):
            lines = [f"Followed (n = {a.followed})",
                     f"Discontinued follow-up (n = {sum(a.discontinued.values())})",
                     *_reasons(a.discontinued, 4)]
            b = box(x, 0.425 - (0.022 + 0.021 * len(lines)) / 2, w, lines,
                    f"consort-follow-{a.name}")
            arrow(x, b[1] - b[3] / 2, x, 0.19)
        stage(0.21, "Analysis")
        for x, a in zip(xs, arms, strict=True):
            lines = [f"Analysed (n = {a.analysed})",
                     f"  Excluded from analysis (n = {sum(a.excluded_from_analysis.values())})",
                     *["  " + s for s in _reasons(a.excluded_from_analysis, 3)]]
            box(x, 0.18 - (0.022 + 0.021 * len(lines)) / 2, w, lines, f"consort-analysed-{a.name}")
        if title:
            ax.text(0.01, 0.995, title, ha="left", va="top", fontsize=9)
    return fig
