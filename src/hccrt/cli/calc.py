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
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hccrt.clinical import body, liver, staging
from hccrt.clinical.table import TABLE_COLUMNS_DOC as TABLE_HELP
from hccrt.clinical.table import parse_number_list, score_table
from hccrt.errors import HccrtError, InputError

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
    return {"nodules": parse_number_list(nodules, "nodules"), "n_nodules": n, "largest_cm": largest}


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
