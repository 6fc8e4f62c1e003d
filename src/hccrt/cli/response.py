"""``hccrt response``: tumour response from SDTM TU/TR (+ DM/DS or ADSL) to ADRS and ADTR.

Everything is computed by :mod:`hccrt.response`; this adapter reads the folder, calls
:func:`hccrt.response.pipeline.derive_response` and writes CSV files. Bad input ends with a
one-line message naming field, value and what is allowed, and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hccrt.errors import HccrtError
from hccrt.response.best import BestResponseParams
from hccrt.response.criteria import CRITERIA_NAMES
from hccrt.response.pipeline import compare_with_recorded, derive_response
from hccrt.response.review import CentralReviewRule
from hccrt.response.sdtm import (
    lesions_from_sdtm,
    overall_from_rs,
    read_domain,
    read_sdtm_dir,
    subjects_from_sdtm,
)

response_app = typer.Typer(
    help="Tumour response (RECIST 1.1, mRECIST, localized criteria): timepoint and best "
    "response, ADRS and ADTR from SDTM.",
    no_args_is_help=True,
)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


@response_app.command("derive")
def derive(
    sdtm: Annotated[Path, typer.Option(help="Folder with TU, TR (and RS, DM, DS or ADSL) as "
                                       "CSV or XPT; file names start with the domain code.")],
    out: Annotated[Path, typer.Option(help="Output folder (created if missing).")],
    criteria: Annotated[list[str] | None, typer.Option(
        help=f"Criteria set, repeatable: {', '.join(CRITERIA_NAMES)}. Default recist11.")] = None,
    evaluator: Annotated[list[str] | None, typer.Option(
        help="Evaluator(s) to derive (e.g. INVESTIGATOR, 'RADIOLOGIST 1'). Default: all.")] = None,
    confirmation_days: Annotated[int, typer.Option(
        help="Minimum days between a response and its confirmation.")] = 28,
    sd_min_days: Annotated[int, typer.Option(
        help="Minimum days after the reference date for SD.")] = 42,
    max_ne: Annotated[int, typer.Option(
        help="NE assessments tolerated between response and confirmation.")] = 1,
    reference: Annotated[str, typer.Option(
        help="Reference date: randomization_date or treatment_date.")] = "randomization_date",
    central_review: Annotated[bool, typer.Option(
        help="Add the accepted central-review result (RADIOLOGIST 1/2, ADJUDICATOR).")] = False,
    adsl: Annotated[Path | None, typer.Option(
        help="ADSL (CSV or XPT) to use for subject dates when the SDTM folder has none.")] = None,
    strict: Annotated[bool, typer.Option(
        help="Stop at the first input breach instead of reporting it as NE.")] = False,
) -> None:
    """Derive timepoints.csv, adrs.csv, adtr.csv and unevaluable.csv from SDTM (and, when RS
    is present, rs_check_<criteria>.csv comparing derived with recorded overall responses)."""
    try:
        params = BestResponseParams(reference=reference, sd_min_days=sd_min_days,
                                    confirmation_days=confirmation_days, max_ne_between=max_ne)
        data = read_sdtm_dir(sdtm)
        if adsl is not None:
            data.adsl = read_domain(adsl)
        if data.tr is None:
            raise HccrtError(f"no TR file in {sdtm}")
        lesions = lesions_from_sdtm(data.tr, data.tu, data.supptu)
        subjects = subjects_from_sdtm(data)
        result = derive_response(
            lesions, subjects, criteria=criteria, evaluators=evaluator, params=params,
            central_review=CentralReviewRule() if central_review else None,
            errors="raise" if strict else "flag",
        )
    except HccrtError as exc:
        _err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    out.mkdir(parents=True, exist_ok=True)
    files = {"timepoints.csv": result.timepoints, "adrs.csv": result.adrs,
             "adtr.csv": result.adtr, "unevaluable.csv": result.unevaluable}
    for name, frame in files.items():
        frame.to_csv(out / name, index=False, date_format="%Y-%m-%d")
    if data.rs is not None:
        recorded = overall_from_rs(data.rs)
        tps = result.timepoints
        for crit in tps["criteria"].dropna().unique():
            check = compare_with_recorded(tps.loc[tps["criteria"] == crit], recorded)
            slug = str(crit).lower().replace(" ", "-").replace(".", "")
            check.to_csv(out / f"rs_check_{slug}.csv", index=False)
            _out.print(f"{crit}: derived equals recorded RS for {int(check['match'].sum())} of "
                       f"{len(check)} recorded overall responses", markup=False)
    bor = result.adrs.loc[result.adrs["PARAMCD"] == "BOR"]
    summary = bor.groupby(["PARCAT3", "PARCAT2"])["AVALC"].value_counts().unstack(fill_value=0)
    _out.print(summary.to_string(), markup=False)
    _out.print(f"{len(result.timepoints)} timepoints, {len(result.unevaluable)} unevaluable "
               f"entries; written to {out}", markup=False)
