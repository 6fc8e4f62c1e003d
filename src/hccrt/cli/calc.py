"""``hccrt calc``: clinical scores from the command line, one at a time or for a whole table.

Every command calls the pure core (:mod:`hccrt.clinical`); nothing is computed here. Lab
values are typed with their unit (``--bilirubin "1.2 mg/dL"``); a value without a unit, an
unknown unit or an implausible value is refused with a one-line message naming the field,
the value and what is allowed, and exit code 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hccrt.clinical import body, liver, staging
from hccrt.errors import HccrtError, InputError
from hccrt.units import ANALYTES, CANONICAL_UNIT, as_value, convert

calc_app = typer.Typer(
    help="Clinical scores: liver function (Child-Pugh, ALBI, MELD family), staging (BCLC, "
    "CNLC, Milan, up-to-seven, Couinaud), renal and body size (Cockcroft-Gault, BSA), "
    "CTCAE v5.0 lab grades and EORTC QLQ scores. Lab values take their unit, e.g. "
    "--bilirubin '1.2 mg/dL'. Add --json for machine-readable output. "
    "'calc table' adds every computable score to each row of a CSV file.",
    no_args_is_help=True,
)

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    for key, value in result.items():
        shown = "—" if value is None else (f"{value:.4g}" if isinstance(value, float) else value)
        _out.print(f"{key}: {shown}")


def _run(compute: Callable[[], dict[str, Any]], as_json: bool) -> None:
    """Run ``compute``; print its result, or a one-line error and exit 2 on bad input."""
    try:
        result = compute()
    except HccrtError as exc:
        _err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    _emit(result, as_json)


def _floats(text: str | None, field: str) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise InputError(field, text, "comma-separated numbers, e.g. '3.0,2.5,1.0'") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise InputError(field, text, "comma-separated finite numbers, e.g. '3.0,2.5,1.0'")
    return values


# --- liver function ----------------------------------------------------------------------

Bili = Annotated[
    str, typer.Option(help="Total bilirubin with unit, e.g. '1.2 mg/dL', '20 umol/L'.")
]
Alb = Annotated[str, typer.Option(help="Albumin with unit, e.g. '3.5 g/dL' or '35 g/L'.")]
Inr = Annotated[str, typer.Option(help="INR (no unit), e.g. '1.1'.")]
Creat = Annotated[str, typer.Option(help="Creatinine with unit, e.g. '1.0 mg/dL', '88 umol/L'.")]
Sodium = Annotated[str, typer.Option(help="Sodium with unit, e.g. '135 mmol/L' (= mEq/L).")]
Dialysis = Annotated[
    bool,
    typer.Option(help="Dialysis >= 2 times or CVVHD >= 24 h in the 7 days before the creatinine."),
]


@calc_app.command("child-pugh")
def child_pugh_cmd(
    bilirubin: Bili,
    albumin: Alb,
    inr: Inr,
    ascites: Annotated[str, typer.Option(help="none | slight | moderate-severe")],
    encephalopathy: Annotated[str, typer.Option(help="none | grade 1-2 | grade 3-4")],
    as_json: JsonOpt = False,
) -> None:
    """Child-Pugh points and class (Pugh 1973)."""
    _run(
        lambda: dataclasses.asdict(
            liver.child_pugh(bilirubin, albumin, inr, ascites, encephalopathy)
        ),
        as_json,
    )


@calc_app.command("albi")
def albi_cmd(
    bilirubin: Bili,
    albumin: Alb,
    coefficient: Annotated[
        float, typer.Option(help="Albumin coefficient: -0.085 (Johnson 2015) or -0.0852.")
    ] = -0.085,
    malbi_cut_in: Annotated[
        str, typer.Option(help="mALBI sub-grade of a score of exactly -2.270: 2a or 2b.")
    ] = "2b",
    as_json: JsonOpt = False,
) -> None:
    """ALBI score and grade (Johnson 2015) with mALBI grade (Hiraoka 2017)."""
    _run(
        lambda: dataclasses.asdict(
            liver.albi(bilirubin, albumin, coefficient=coefficient, malbi_cut_in=malbi_cut_in)  # type: ignore[arg-type]
        ),
        as_json,
    )


@calc_app.command("meld")
def meld_cmd(
    bilirubin: Bili,
    inr: Inr,
    creatinine: Creat,
    dialysis: Dialysis = False,
    as_json: JsonOpt = False,
) -> None:
    """MELD, UNOS/OPTN form (6-40)."""
    _run(lambda: {"meld": liver.meld(bilirubin, inr, creatinine, dialysis=dialysis)}, as_json)


@calc_app.command("meld-na")
def meld_na_cmd(
    bilirubin: Bili,
    inr: Inr,
    creatinine: Creat,
    sodium: Sodium,
    dialysis: Dialysis = False,
    variant: Annotated[
        str, typer.Option(help="optn2016 (default, OPTN policy) or kim2008 (original paper).")
    ] = "optn2016",
    as_json: JsonOpt = False,
) -> None:
    """MELD-Na (OPTN 2016 by default)."""
    _run(
        lambda: {
            "meld_na": liver.meld_na(
                bilirubin,
                inr,
                creatinine,
                sodium,
                dialysis=dialysis,
                variant=variant,  # type: ignore[arg-type]
            )
        },
        as_json,
    )


@calc_app.command("meld3")
def meld3_cmd(
    bilirubin: Bili,
    inr: Inr,
    creatinine: Creat,
    sodium: Sodium,
    albumin: Alb,
    sex: Annotated[str, typer.Option(help="female | male")],
    age: Annotated[float | None, typer.Option(help="Age in years (12-17: female term).")] = None,
    dialysis: Dialysis = False,
    no_cap: Annotated[
        bool, typer.Option("--no-cap", help="Do not cap at 40 (Kim 2021 paper; OPTN caps).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """MELD 3.0 (Kim 2021; OPTN since 2023)."""
    _run(
        lambda: {
            "meld3": liver.meld3(
                bilirubin,
                inr,
                creatinine,
                sodium,
                albumin,
                sex=sex,
                age=age,
                dialysis=dialysis,
                cap=None if no_cap else 40,
            )
        },
        as_json,
    )


# --- staging -------------------------------------------------------------------------------

Nodules = Annotated[
    str | None, typer.Option(help="Nodule diameters in cm, comma-separated, e.g. '3.0,2.5'.")
]
NNodules = Annotated[int | None, typer.Option(help="Number of nodules (with --largest-cm).")]
Largest = Annotated[float | None, typer.Option(help="Largest diameter in cm (with --n-nodules).")]
Mvi = Annotated[bool, typer.Option(help="Macrovascular (portal/hepatic vein) invasion.")]
Ehs = Annotated[bool, typer.Option(help="Extrahepatic spread.")]
Ecog = Annotated[int, typer.Option(help="ECOG performance status 0-4.")]


def _burden(nodules: str | None, n: int | None, largest: float | None) -> dict[str, Any]:
    return {"nodules": _floats(nodules, "nodules"), "n_nodules": n, "largest_cm": largest}


@calc_app.command("bclc")
def bclc_cmd(
    ecog: Ecog,
    nodules: Nodules = None,
    n_nodules: NNodules = None,
    largest_cm: Largest = None,
    child_pugh_class: Annotated[str | None, typer.Option(help="A | B | C")] = None,
    liver_function: Annotated[
        str | None,
        typer.Option(help="preserved | end-stage (required for Child-Pugh B: clinician's call)."),
    ] = None,
    macrovascular_invasion: Mvi = False,
    extrahepatic_spread: Ehs = False,
    as_json: JsonOpt = False,
) -> None:
    """BCLC 2022 stage (Reig 2022)."""
    _run(
        lambda: dataclasses.asdict(
            staging.bclc(
                **_burden(nodules, n_nodules, largest_cm),
                ecog=ecog,
                child_pugh_class=child_pugh_class,
                liver_function=liver_function,  # type: ignore[arg-type]
                macrovascular_invasion=macrovascular_invasion,
                extrahepatic_spread=extrahepatic_spread,
            )
        ),
        as_json,
    )


@calc_app.command("cnlc")
def cnlc_cmd(
    ecog: Ecog,
    child_pugh_class: Annotated[str, typer.Option(help="A | B | C")],
    nodules: Nodules = None,
    n_nodules: NNodules = None,
    largest_cm: Largest = None,
    macrovascular_invasion: Mvi = False,
    extrahepatic_spread: Ehs = False,
    as_json: JsonOpt = False,
) -> None:
    """China Liver Cancer Staging 2022 (Ia-IV)."""
    _run(
        lambda: dataclasses.asdict(
            staging.cnlc(
                **_burden(nodules, n_nodules, largest_cm),
                ecog=ecog,
                child_pugh_class=child_pugh_class,
                macrovascular_invasion=macrovascular_invasion,
                extrahepatic_spread=extrahepatic_spread,
            )
        ),
        as_json,
    )


@calc_app.command("milan")
def milan_cmd(
    nodules: Nodules = None,
    n_nodules: NNodules = None,
    largest_cm: Largest = None,
    macrovascular_invasion: Mvi = False,
    extrahepatic_spread: Ehs = False,
    as_json: JsonOpt = False,
) -> None:
    """Milan criteria (Mazzaferro 1996)."""
    _run(
        lambda: {
            "within_milan": staging.milan(
                **_burden(nodules, n_nodules, largest_cm),
                macrovascular_invasion=macrovascular_invasion,
                extrahepatic_spread=extrahepatic_spread,
            )
        },
        as_json,
    )


@calc_app.command("up-to-seven")
def up_to_seven_cmd(
    nodules: Nodules = None,
    n_nodules: NNodules = None,
    largest_cm: Largest = None,
    macrovascular_invasion: Mvi = False,
    extrahepatic_spread: Ehs = False,
    as_json: JsonOpt = False,
) -> None:
    """Up-to-seven criterion (Mazzaferro 2009)."""
    _run(
        lambda: dataclasses.asdict(
            staging.up_to_seven(
                **_burden(nodules, n_nodules, largest_cm),
                macrovascular_invasion=macrovascular_invasion,
                extrahepatic_spread=extrahepatic_spread,
            )
        ),
        as_json,
    )


@calc_app.command("couinaud")
def couinaud_cmd(
    segments: Annotated[str, typer.Option(help="Couinaud segments, e.g. '5,6,7,8' or 'IVa,V'.")],
    as_json: JsonOpt = False,
) -> None:
    """Whether a set of Couinaud segments is contiguous."""
    _run(
        lambda: {
            "segments": sorted(staging.parse_segments(segments)),
            "contiguous": staging.couinaud_contiguous(segments),
        },
        as_json,
    )


# --- renal / body size ---------------------------------------------------------------------


@calc_app.command("cockcroft-gault")
def cockcroft_gault_cmd(
    age: Annotated[float, typer.Option(help="Age in years.")],
    weight_kg: Annotated[float, typer.Option(help="Actual body weight in kg.")],
    creatinine: Creat,
    sex: Annotated[str, typer.Option(help="female | male")],
    as_json: JsonOpt = False,
) -> None:
    """Creatinine clearance, mL/min (Cockcroft & Gault 1976, actual body weight)."""
    _run(
        lambda: {
            "crcl_ml_min": body.cockcroft_gault(
                age=age, weight_kg=weight_kg, creatinine=creatinine, sex=sex
            )
        },
        as_json,
    )


@calc_app.command("bsa")
def bsa_cmd(
    height_cm: Annotated[float, typer.Option(help="Height in cm.")],
    weight_kg: Annotated[float, typer.Option(help="Weight in kg.")],
    method: Annotated[str, typer.Option(help="mosteller (default) | dubois")] = "mosteller",
    as_json: JsonOpt = False,
) -> None:
    """Body surface area, m2 (Mosteller 1987 default; DuBois 1916)."""
    _run(
        lambda: {
            "bsa_m2": body.bsa(height_cm=height_cm, weight_kg=weight_kg, method=method),  # type: ignore[arg-type]
            "method": method,
        },
        as_json,
    )


# --- CTCAE v5.0 and REILD (hccrt.clinical.ctcae / pneumonitis / reild) -------------------


@calc_app.command("ctcae")
def ctcae_cmd(
    test: Annotated[str, typer.Option(help="Lab test code or name, e.g. ALT, BILI, PLAT, sodium.")],
    value: Annotated[str, typer.Option(help="Result with unit, e.g. '250 U/L'.")],
    uln: Annotated[str | None, typer.Option(help="Upper limit of normal, e.g. '40 U/L'.")] = None,
    lln: Annotated[str | None, typer.Option(help="Lower limit of normal, with unit.")] = None,
    baseline: Annotated[
        str | None, typer.Option(help="Participant's baseline value, with unit.")
    ] = None,
    baseline_abnormal: Annotated[
        bool | None,
        typer.Option(
            "--baseline-abnormal/--baseline-normal",
            help="Baseline above ULN (liver enzymes, bilirubin); default: derived.",
        ),
    ] = None,
    anticoagulated: Annotated[
        bool, typer.Option(help="On anticoagulation (INR baseline multiples apply).")
    ] = False,
    symptomatic: Annotated[
        bool, typer.Option(help="Symptomatic (hyponatremia 125-129, hypokalemia).")
    ] = False,
    life_threatening: Annotated[
        bool, typer.Option(help="Life-threatening consequences (terms with such a grade 4).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """CTCAE v5.0 grade of one laboratory value (not gradable: grade empty, with the reason)."""
    from hccrt.clinical import ctcae

    def compute() -> dict[str, Any]:
        result = ctcae.grade_lab(
            test,
            value,
            uln=uln,
            lln=lln,
            baseline=baseline,
            baseline_abnormal=baseline_abnormal,
            anticoagulated=anticoagulated,
            symptomatic=symptomatic,
            life_threatening=life_threatening,
        )
        return dataclasses.asdict(result) | {"gradable": result.grade is not None}

    _run(compute, as_json)


@calc_app.command("pneumonitis")
def pneumonitis_cmd(
    present: Annotated[
        bool, typer.Option("--present/--absent", help="Pneumonitis found (clinical/imaging).")
    ],
    symptoms: Annotated[str, typer.Option(help="none | present | severe")] = "none",
    adl_limitation: Annotated[str, typer.Option(help="none | instrumental | self_care")] = "none",
    medical_intervention: Annotated[
        bool, typer.Option(help="Medical intervention (e.g. corticosteroids) indicated.")
    ] = False,
    oxygen: Annotated[bool, typer.Option(help="Oxygen indicated.")] = False,
    life_threatening: Annotated[
        bool, typer.Option(help="Life-threatening respiratory compromise.")
    ] = False,
    urgent_airway: Annotated[
        bool, typer.Option(help="Urgent airway intervention (intubation, tracheotomy).")
    ] = False,
    fatal: Annotated[bool, typer.Option(help="Death from pneumonitis.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """CTCAE v5.0 pneumonitis grade (radiation pneumonitis after Y-90 or SBRT)."""
    from hccrt.clinical import pneumonitis

    _run(
        lambda: dataclasses.asdict(
            pneumonitis.grade_pneumonitis(
                present=present,
                symptoms=symptoms,  # type: ignore[arg-type]
                adl_limitation=adl_limitation,  # type: ignore[arg-type]
                medical_intervention_indicated=medical_intervention,
                oxygen_indicated=oxygen,
                life_threatening_respiratory_compromise=life_threatening,
                urgent_airway_intervention_indicated=urgent_airway,
                fatal=fatal,
            )
        ),
        as_json,
    )


def _date_arg(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, text, "a date as YYYY-MM-DD") from None


def _dated(texts: list[str] | None, field: str) -> list[tuple[dt.date, str]]:
    out = []
    for text in texts or []:
        day, sep, val = text.partition("=")
        if not sep:
            raise InputError(field, text, "DATE=VALUE, e.g. '2026-03-01=3.4 mg/dL'")
        out.append((_date_arg(day, field), val.strip()))
    return out


@calc_app.command("reild")
def reild_cmd(
    treatment_date: Annotated[str, typer.Option(help="Radioembolization date, YYYY-MM-DD.")],
    bilirubin: Annotated[
        list[str] | None,
        typer.Option(help="Post-treatment bilirubin, DATE=VALUE with unit; repeat the option."),
    ] = None,
    ascites_date: Annotated[
        list[str] | None,
        typer.Option(help="Date of new or increased ascites, YYYY-MM-DD; repeatable."),
    ] = None,
    tumour_progression: Annotated[
        bool | None,
        typer.Option(
            "--tumour-progression/--no-tumour-progression",
            help="Adjudicated tumour progression in the window (omit if not adjudicated).",
        ),
    ] = None,
    biliary_obstruction: Annotated[
        bool | None,
        typer.Option(
            "--biliary-obstruction/--no-biliary-obstruction",
            help="Adjudicated biliary obstruction (omit if not adjudicated).",
        ),
    ] = None,
    albumin: Annotated[
        list[str] | None, typer.Option(help="Albumin DATE=VALUE with unit (Braat 2017).")
    ] = None,
    albumin_lln: Annotated[str | None, typer.Option(help="Albumin LLN, with unit.")] = None,
    definition: Annotated[str, typer.Option(help="sangro2008 | braat2017")] = "sangro2008",
    as_json: JsonOpt = False,
) -> None:
    """Radioembolization-induced liver disease: whether the criteria are met, and why."""
    from hccrt.clinical import reild

    def compute() -> dict[str, Any]:
        result = reild.classify_reild(
            treatment_date=_date_arg(treatment_date, "treatment_date"),
            bilirubin=_dated(bilirubin, "bilirubin"),
            ascites_dates=[_date_arg(d, "ascites_date") for d in ascites_date or []],
            tumour_progression=tumour_progression,
            biliary_obstruction=biliary_obstruction,
            albumin=_dated(albumin, "albumin") if albumin else None,
            albumin_lln=albumin_lln,
            definition=definition,
        )
        return dataclasses.asdict(result)

    _run(compute, as_json)


# --- quality of life (hccrt.clinical.qol) ------------------------------------------------------

_MISSING_ITEM = {"", "na", "nan", "none", "missing", "."}


def _items(text: str) -> list[int | None]:
    """'1,2,,4' -> [1, 2, None, 4]; an empty field (or NA) is a missing answer."""
    values: list[int | None] = []
    for position, part in enumerate(text.replace(";", ",").split(","), start=1):
        token = part.strip()
        if token.lower() in _MISSING_ITEM:
            values.append(None)
        elif token.isascii() and token.isdigit():
            values.append(int(token))
        else:
            raise InputError(
                "items",
                token,
                "whole numbers separated by commas; empty or NA for missing",
                f"position {position}",
            )
    return values


Items = Annotated[
    str,
    typer.Option(
        help="Answers in item order, comma-separated; leave a field empty (or NA) for a "
        "missing answer."
    ),
]


@calc_app.command("qlq-c30")
def qlq_c30_cmd(items: Items, as_json: JsonOpt = False) -> None:
    """EORTC QLQ-C30 v3.0: the 15 scale scores and the summary score (items 1-30)."""
    from hccrt.clinical import qol

    _run(lambda: qol.score_qlq_c30(_items(items)), as_json)


@calc_app.command("qlq-hcc18")
def qlq_hcc18_cmd(items: Items, as_json: JsonOpt = False) -> None:
    """EORTC QLQ-HCC18 scale scores (items 31-48, given in that order)."""
    from hccrt.clinical import qol

    _run(lambda: qol.score_qlq_hcc18(_items(items)), as_json)


# --- table -----------------------------------------------------------------------------------

TABLE_HELP = """Add every computable score to each row of a CSV table.

Input columns (any subset; names are case-insensitive). Lab columns hold either a value with
its unit ("1.2 mg/dL") or a number with the unit in a column named <column>_unit
(bilirubin_unit, ...): bilirubin, albumin, inr, creatinine, sodium; clinical: ascites
(none/slight/moderate-severe), encephalopathy (none/grade 1-2/grade 3-4), dialysis (true/false),
sex (female/male), age (years), weight_kg, height_cm, ecog (0-4), child_pugh_class (A/B/C,
used for staging when it cannot be computed), liver_function (preserved/end-stage),
nodules ("3.0;2.5" cm) or n_nodules with largest_cm, macrovascular_invasion,
extrahepatic_spread (true/false), segments ("5;6;7").

Output columns added: child_pugh_points, child_pugh_class, albi_score, albi_grade,
malbi_grade, meld, meld_na, meld3, crcl_cockcroft_gault, bsa_mosteller, bsa_dubois, bclc,
cnlc, milan, up_to_seven_total, up_to_seven, couinaud_contiguous, and calc_errors (why a
score could not be computed for that row). A score whose inputs are absent is left empty.

CTCAE v5.0: for each analyte column present (bilirubin, albumin, creatinine, hemoglobin,
platelets, neutrophils, wbc, lymphocytes, ast, alt, alp, ggt, inr, sodium, potassium), with
optional <analyte>_uln, <analyte>_lln and <analyte>_baseline columns (with unit, or in
<analyte>_unit) and optional anticoagulated / symptomatic columns (true/false), the columns
ctcae_<analyte>_grade and ctcae_<analyte>_reason (why not gradable) are added.

EORTC: with all of q1..q30, the QLQ-C30 scores qlq_c30_QL2 ... qlq_c30_FI and qlq_c30_SUMSC;
with all of q31..q48, the QLQ-HCC18 scores qlq_hcc18_HCC_FATIGUE ... (empty answer = missing).
"""


_LIVER_LABS = ("bilirubin", "albumin", "inr", "creatinine", "sodium")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


class _Table:
    """Column access and per-row error collection for ``calc table``."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.n = len(df)
        self.cols = {c.strip().lower(): c for c in df.columns}
        self.errors: list[list[str]] = [[] for _ in range(self.n)]
        self._raw: dict[str, pd.Series] = {}

    def raw(self, name: str) -> pd.Series | None:
        """Column as stripped strings, <NA> where empty; None when the table has no such column."""
        if name in self._raw:
            return self._raw[name]
        col = self.cols.get(name)
        if col is None:
            return None
        s = self.df[col].astype("string").str.strip()
        self._raw[name] = s.mask(s == "")
        return self._raw[name]

    def _map_unique(self, name: str, series: pd.Series, parse: Callable[[str], Any]) -> pd.Series:
        """Parse each distinct cell once with the core's scalar validator; errors per row.

        Returns an object Series of parsed values, None where the cell is empty or invalid.
        """
        ok: dict[str, Any] = {}
        bad: dict[str, str] = {}
        for cell in series.dropna().unique():
            try:
                ok[cell] = parse(cell)
            except HccrtError as exc:
                bad[cell] = str(exc)
        if bad:
            cells = series.to_numpy(dtype=object)
            for idx in np.flatnonzero(series.isin(list(bad)).to_numpy(dtype=bool)):
                self.errors[idx].append(bad[cells[idx]])
        mapped = series.astype(object).map(ok)
        return mapped.astype(object).where(mapped.notna(), None)

    def lab(
        self, name: str, unit: str, *, analyte: str | None = None, unit_from: str | None = None
    ) -> np.ndarray:
        """Lab column as floats in ``unit`` (NaN when absent or invalid).

        The unit of a bare number comes from the column ``<unit_from or name>_unit``. The five
        liver-score analytes are validated by :func:`hccrt.clinical.liver.lab_value`
        (plausibility bounds); other analytes must be >= 0.
        """
        s = self.raw(name)
        if s is None:
            return np.full(self.n, np.nan)
        unit_col = self.raw(f"{unit_from or name}_unit")
        if unit_col is not None:
            s = (s + " " + unit_col.fillna("")).str.strip().mask(s.isna())
        analyte = analyte or name
        if analyte in _LIVER_LABS:
            parse = lambda cell: liver.lab_value(cell, analyte, unit, field=name)  # noqa: E731
        else:

            def parse(cell: str) -> float:
                x = as_value(cell, unit, analyte=analyte, field=name)
                if x < 0:
                    raise InputError(name, cell, f">= 0 {unit}")
                return x

        return self._map_unique(name, s, parse).astype(float).to_numpy()

    def number(self, name: str, check: Callable[[float], float]) -> np.ndarray:
        s = self.raw(name)
        if s is None:
            return np.full(self.n, np.nan)

        def parse(cell: str) -> float:
            try:
                value = float(cell)
            except ValueError:
                raise InputError(name, cell, "a number") from None
            return check(value)

        return self._map_unique(name, s, parse).astype(float).to_numpy()

    def choice(self, name: str, parse: Callable[[str], Any]) -> pd.Series:
        s = self.raw(name)
        if s is None:
            return pd.Series([None] * self.n, dtype=object)
        return self._map_unique(name, s, parse).astype(object).reset_index(drop=True)

    def flag(self, name: str) -> pd.Series:
        def parse(cell: str) -> bool:
            key = cell.lower()
            if key in _TRUE:
                return True
            if key in _FALSE:
                return False
            raise InputError(name, cell, "true or false")

        return self.choice(name, parse)


def _is_nan(value: Any) -> bool:
    return value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _check_range(field: str, lo: float, hi: float, unit: str) -> Callable[[float], float]:
    def check(value: float) -> float:
        if not (math.isfinite(value) and lo <= value <= hi):
            raise InputError(field, value, f"{lo:g} to {hi:g} {unit}")
        return value

    return check


def _ints(values: np.ndarray) -> pd.Series:
    """Whole-number scores as a nullable integer column (empty where NaN)."""
    return pd.Series(np.asarray(values, dtype=float)).astype("Int64")


def _decimals(values: np.ndarray, decimals: int) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float), decimals)


def score_table(df: pd.DataFrame, *, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Return ``df`` with every computable score added (see ``hccrt calc table --help``)."""
    t = _Table(df.reset_index(drop=True))
    out = t.df.copy()
    n = t.n

    bili_mg = t.lab("bilirubin", "mg/dL")
    alb_gdl = t.lab("albumin", "g/dL")
    inr = t.lab("inr", "1")
    cr_mg = t.lab("creatinine", "mg/dL")
    na = t.lab("sodium", "mmol/L")
    asc = t.choice("ascites", liver.ascites_points)
    enc = t.choice("encephalopathy", liver.encephalopathy_points)
    dialysis = t.flag("dialysis").fillna(False).astype(bool).to_numpy()
    female = t.choice("sex", liver.sex_is_female)
    age = t.number("age", _check_range("age", 0, 120, "years"))
    weight = t.number("weight_kg", _check_range("weight_kg", *body.WEIGHT_RANGE_KG, "kg"))
    height = t.number("height_cm", _check_range("height_cm", *body.HEIGHT_RANGE_CM, "cm"))
    if progress:
        progress(0)

    # Child-Pugh
    asc_p = asc.astype(float).to_numpy()
    enc_p = enc.astype(float).to_numpy()
    cp_points = liver.child_pugh_points_array(bili_mg, alb_gdl, inr, asc_p, enc_p)
    cp_points = np.where(np.isnan(asc_p) | np.isnan(enc_p), np.nan, cp_points)
    cp_class = liver.child_pugh_class_array(cp_points)
    given_class = t.choice("child_pugh_class", staging.parse_child_pugh_class)
    out["child_pugh_points"] = _ints(cp_points)
    staging_class = pd.Series(cp_class).where(pd.Series(cp_class).notna(), given_class)
    out["child_pugh_class"] = staging_class.to_numpy()

    # ALBI (SI units: 17.1 umol/L per mg/dL, 10 g/L per g/dL, as hccrt.units)
    bili_si = convert(bili_mg, "mg/dL", "umol/L", analyte="bilirubin")
    alb_si = convert(alb_gdl, "g/dL", "g/L", analyte="albumin")
    albi_score = liver.albi_array(bili_si, alb_si)
    out["albi_score"] = _decimals(albi_score, 4)
    out["albi_grade"] = _ints(liver.albi_grade_array(albi_score))
    out["malbi_grade"] = liver.malbi_grade_array(albi_score)

    # MELD family
    out["meld"] = _ints(liver.meld_array(bili_mg, inr, cr_mg, dialysis))
    out["meld_na"] = _ints(liver.meld_na_array(bili_mg, inr, cr_mg, na, dialysis))
    fem = female.to_numpy()
    fem_known = np.array([v is not None for v in fem])
    fem_f = np.array([bool(v) if v is not None else False for v in fem])
    teen = (age >= 12) & (age < 18)
    too_young = age < 12
    for idx in np.flatnonzero(too_young):
        t.errors[idx].append(
            str(InputError("age", age[idx], "12 to 120 years", "MELD applies from age 12"))
        )
    m3 = liver.meld3_array(bili_mg, inr, cr_mg, na, alb_gdl, fem_f | teen, dialysis)
    m3 = np.where(fem_known & ~too_young, m3, np.nan)
    out["meld3"] = _ints(m3)

    # renal / body size (Cockcroft-Gault needs an adult)
    adult = (age >= body.ADULT_AGE_RANGE[0]) & (age <= body.ADULT_AGE_RANGE[1])
    crcl = body.cockcroft_gault_array(age, weight, cr_mg, fem_f)
    out["crcl_cockcroft_gault"] = _decimals(np.where(adult & fem_known, crcl, np.nan), 2)
    out["bsa_mosteller"] = _decimals(body.bsa_array(height, weight, "mosteller"), 4)
    out["bsa_dubois"] = _decimals(body.bsa_array(height, weight, "dubois"), 4)

    # staging: row by row with the core functions (cheap, and one definition)
    nod = _as_list(t.raw("nodules"), n)
    n_nod = _as_list(t.raw("n_nodules"), n)
    largest = _as_list(t.raw("largest_cm"), n)
    ecog = _as_list(t.raw("ecog"), n)
    mvi = t.flag("macrovascular_invasion").fillna(False).astype(bool).tolist()
    ehs = t.flag("extrahepatic_spread").fillna(False).astype(bool).tolist()
    lf = _as_list(t.raw("liver_function"), n)
    segs = _as_list(t.raw("segments"), n)
    cp_list = [None if _is_nan(c) else c for c in staging_class.tolist()]
    cols: dict[str, list[Any]] = {
        k: [None] * n
        for k in (
            "bclc",
            "cnlc",
            "milan",
            "up_to_seven_total",
            "up_to_seven",
            "couinaud_contiguous",
        )
    }
    # each distinct input is evaluated once: tumour burden per distinct nodule text, stages per
    # distinct (burden, ECOG, class, liver function, flags); the rules use only count + largest
    burden_cache: dict[tuple[Any, ...], tuple[tuple[int, float] | None, str | None]] = {}
    stage_cache: dict[tuple[Any, ...], tuple[dict[str, Any], tuple[str, ...]]] = {}
    segment_cache: dict[str, tuple[bool | None, tuple[str, ...]]] = {}
    step = max(1, n // 100)
    for i in range(n):
        if progress and i % step == 0:
            progress(i)
        errs = t.errors[i]
        if segs[i] is not None:
            if segs[i] not in segment_cache:
                segment_errors: list[str] = []
                segment_cache[segs[i]] = (
                    _attempt(segment_errors, staging.couinaud_contiguous, segs[i]),
                    tuple(segment_errors),
                )
            cols["couinaud_contiguous"][i], segment_error = segment_cache[segs[i]]
            errs.extend(segment_error)
        raw_key = (nod[i], None, None) if nod[i] is not None else (None, n_nod[i], largest[i])
        if raw_key == (None, None, None):
            continue
        if raw_key not in burden_cache:
            burden_cache[raw_key] = _burden_of(*raw_key)
        burden, error = burden_cache[raw_key]
        if burden is None:
            errs.append(str(error))
            continue
        key = (burden, ecog[i], cp_list[i], lf[i], mvi[i], ehs[i])
        if key not in stage_cache:
            stage_cache[key] = _stage(*key)
        values, stage_errors = stage_cache[key]
        for column, value in values.items():
            cols[column][i] = value
        errs.extend(stage_errors)
    for key, values in cols.items():
        out[key] = values
    _ctcae_columns(t, out)
    _qlq_columns(t, out)
    out["calc_errors"] = ["; ".join(dict.fromkeys(e)) if e else None for e in t.errors]
    if progress:
        progress(n)
    return out


def _ctcae_columns(t: _Table, out: pd.DataFrame) -> None:
    """CTCAE v5.0 grade of each analyte column present (hccrt.clinical.ctcae, vectorized)."""
    from hccrt.clinical import ctcae

    anticoagulated = t.flag("anticoagulated").fillna(False).astype(bool).to_numpy()
    symptomatic = t.flag("symptomatic").fillna(False).astype(bool).to_numpy()
    for analyte in ANALYTES:
        if analyte not in t.cols:
            continue
        unit = CANONICAL_UNIT[analyte]
        value = t.lab(analyte, unit)
        limits = {
            role: t.lab(f"{analyte}_{role}", unit, analyte=analyte, unit_from=analyte)
            for role in ("uln", "lln", "baseline")
        }
        long = pd.DataFrame(
            {
                "test": analyte,
                "value": value,
                "unit": unit,
                **limits,
                "anticoagulated": anticoagulated,
                "symptomatic": symptomatic,
            }
        )
        try:
            graded = ctcae.grade_lab_table(long)
        except HccrtError as exc:  # e.g. LLN above ULN in some row: grade row by row
            graded = _ctcae_rows(t, long, str(exc))
        grade = graded["ctcae_grade"].astype("Int64").reset_index(drop=True)
        reason = graded["ctcae_reason"].astype(object).reset_index(drop=True)
        out[f"ctcae_{analyte}_grade"] = grade.to_numpy()
        out[f"ctcae_{analyte}_reason"] = reason.where(grade.isna(), None).to_numpy()


def _qlq_columns(t: _Table, out: pd.DataFrame) -> None:
    """QLQ-C30 (q1..q30) and QLQ-HCC18 (q31..q48) scores when all their item columns exist."""
    from hccrt.clinical import qol

    for prefix, numbers, table_fn, row_fn in (
        ("qlq_c30_", range(1, 31), qol.score_qlq_c30_table, qol.score_qlq_c30),
        ("qlq_hcc18_", range(31, 49), qol.score_qlq_hcc18_table, qol.score_qlq_hcc18),
    ):
        names = [f"q{n}" for n in numbers]
        if not all(name in t.cols for name in names):
            continue
        items = pd.DataFrame({name: t.raw(name) for name in names})
        try:
            scores = table_fn(items).reset_index(drop=True)
        except HccrtError:  # an invalid answer somewhere: score row by row, errors per row
            rows = []
            numeric = items.apply(pd.to_numeric, errors="coerce")
            for i in range(t.n):
                answers = [
                    None if pd.isna(raw) else (raw if pd.isna(num) else _plain_number(num))
                    for raw, num in zip(items.iloc[i], numeric.iloc[i], strict=True)
                ]
                rows.append(_attempt(t.errors[i], row_fn, answers) or {})
            scores = pd.DataFrame(rows, index=range(t.n), dtype=float)
        for code in scores.columns:
            out[f"{prefix}{code}"] = np.round(scores[code].to_numpy(dtype=float), 2)


def _plain_number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _ctcae_rows(t: _Table, long: pd.DataFrame, first_error: str) -> pd.DataFrame:
    from hccrt.clinical import ctcae

    grades: list[Any] = []
    reasons: list[Any] = []
    for i, row in enumerate(long.itertuples(index=False)):

        def nan_none(x: float) -> float | None:
            return None if math.isnan(x) else x

        result = _attempt(
            t.errors[i],
            ctcae.grade_lab,
            row.test,
            nan_none(row.value),
            row.unit,
            uln=nan_none(row.uln),
            lln=nan_none(row.lln),
            baseline=nan_none(row.baseline),
            anticoagulated=bool(row.anticoagulated),
            symptomatic=bool(row.symptomatic),
        )
        grades.append(None if result is None else result.grade)
        reasons.append("invalid input (see calc_errors)" if result is None else result.reason)
    return pd.DataFrame({"ctcae_grade": pd.array(grades, dtype="Int64"), "ctcae_reason": reasons})


def _burden_of(
    nodules: str | None, n_nodules: str | None, largest_cm: str | None
) -> tuple[tuple[int, float] | None, str | None]:
    """(count, largest) from the nodule text or count/largest cells, or (None, error)."""
    try:
        if nodules is not None:
            return staging.tumour_burden(_floats(nodules, "nodules")), None
        return staging.tumour_burden(
            n_nodules=_int(n_nodules, "n_nodules"), largest_cm=_float(largest_cm, "largest_cm")
        ), None
    except HccrtError as exc:
        return None, str(exc)


def _stage(
    burden: tuple[int, float],
    ecog: str | None,
    cls: str | None,
    liver_function: str | None,
    mvi: bool,
    ehs: bool,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Milan, up-to-seven, BCLC and CNLC for one distinct set of staging inputs."""
    errors: list[str] = []
    tumour = {"n_nodules": burden[0], "largest_cm": burden[1]}
    flags = {"macrovascular_invasion": mvi, "extrahepatic_spread": ehs}
    values: dict[str, Any] = {"milan": _attempt(errors, staging.milan, **tumour, **flags)}
    u7 = _attempt(errors, staging.up_to_seven, **tumour, **flags)
    if u7 is not None:
        values["up_to_seven_total"] = u7.total
        values["up_to_seven"] = u7.within
    ps = None if ecog is None else _attempt(errors, _int, ecog, "ecog")
    if ps is not None and (cls is not None or liver_function is not None):
        result = _attempt(
            errors,
            staging.bclc,
            **tumour,
            ecog=ps,
            child_pugh_class=cls,
            liver_function=liver_function,
            **flags,
        )
        values["bclc"] = None if result is None else result.stage
    if ps is not None and cls is not None:
        result = _attempt(errors, staging.cnlc, **tumour, ecog=ps, child_pugh_class=cls, **flags)
        values["cnlc"] = None if result is None else result.stage
    return values, tuple(errors)


def _attempt(errors: list[str], compute: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``compute``; on bad input record the message for the row and return None."""
    try:
        return compute(*args, **kwargs)
    except HccrtError as exc:
        message = str(exc)
        if message not in errors:
            errors.append(message)
        return None


def _as_list(series: pd.Series | None, n: int) -> list[Any]:
    """Column as a plain list of str or None (fast row access); all None when absent."""
    if series is None:
        return [None] * n
    return [None if _is_nan(v) else str(v) for v in series.tolist()]


def _int(value: Any, field: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, "an integer") from None
    if not number.is_integer():
        raise InputError(field, value, "an integer")
    return int(number)


def _float(value: Any, field: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, "a number") from None


@calc_app.command("table", help=TABLE_HELP)
def table_cmd(
    input: Annotated[Path, typer.Option("--input", "-i", help="Input CSV file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output CSV file.")],
    progress: Annotated[
        bool, typer.Option(help="Show a progress bar (for files over 10,000 rows).")
    ] = True,
) -> None:
    if not input.is_file():
        _err.print(f"error: input: got {str(input)!r}; allowed: an existing CSV file", markup=False)
        raise typer.Exit(2)
    try:
        df = pd.read_csv(input, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        _err.print(f"error: input: got {str(input)!r}; allowed: a CSV file ({exc})", markup=False)
        raise typer.Exit(2) from None
    show = progress and len(df) > 10_000
    if show:
        with Progress(
            TextColumn("scoring"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_err,
            transient=True,
        ) as bar:
            task = bar.add_task("rows", total=len(df))
            result = score_table(df, progress=lambda i: bar.update(task, completed=i))
    else:
        result = score_table(df)
    result.to_csv(output, index=False)
    n_err = int(result["calc_errors"].notna().sum())
    _err.print(
        f"{len(result)} rows scored -> {output}"
        + (f" ({n_err} rows with errors: see calc_errors)" if n_err else ""),
        markup=False,
    )
