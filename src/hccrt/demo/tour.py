"""The guided tour behind ``hccrt demo``: every capability, shown as the command that runs it.

Each step prints the ``hccrt`` command line a user would type and then runs that very command
in-process, so the tour is also a list of working examples. The steps use the five reference
trials and their synthetic cohorts (seeded, so every run shows the same numbers), and write
their files under the data directory:

    <data>/cohorts/<code>/     SDTM-shaped record tables of the synthetic cohort (CSV)
    <data>/response/<code>/    ADRS/ADTR and timepoint responses
    <data>/analysis/<code>/    every catalogue endpoint's dataset and result table
    <data>/reports/<code>/     the analysis report (HTML)
"""

from __future__ import annotations

import shlex
import time
from importlib import resources
from pathlib import Path

from rich.console import Console

from hccrt.protocols import BUILTIN_CODES

SEED = 2026

# The trials whose cohort goes through response derivation, analysis and report in the tour
# (one single-arm Y-90 trial and one randomized trial); `hccrt analyze` / `hccrt report` run
# the same way on the other three.
SHOWCASE = ("rescue", "sbrt-bclcc")


def demo_candidates_file() -> Path:
    """Five screening candidates shipped with hccrt (eligible, boundary, missing lab)."""
    return Path(str(resources.files("hccrt.demo").joinpath("candidates.json")))


class Tour:
    """Runs hccrt commands in-process, printing each as the user would type it."""

    def __init__(self, console: Console, data_dir: Path) -> None:
        self.console = console
        self.data = data_dir

    def section(self, title: str, why: str) -> None:
        self.console.rule(f"[bold]{title}")
        self.console.print(why, style="dim")

    def run(self, *args: str) -> None:
        from typer.main import get_command

        from hccrt.cli.main import app

        self.console.print(f"\n[bold cyan]$ hccrt {shlex.join(args)}[/bold cyan]")
        command = get_command(app)
        # Standalone mode: the command reports its own errors as a user would see them and
        # ends with SystemExit; only a non-zero code stops the tour.
        started = time.perf_counter()
        try:
            command.main(args=list(args), prog_name="hccrt", standalone_mode=True)
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise RuntimeError(f"`hccrt {shlex.join(args)}` exited {exc.code}") from exc
        self.console.print(f"[dim]({time.perf_counter() - started:.1f} s)[/dim]")

    def path(self, *parts: str) -> str:
        return str(self.data.joinpath(*parts))


def run_tour(console: Console, data_dir: Path, cohort_size: int = 40) -> None:
    """All steps of the tour; ``cohort_size`` participants per trial go into the web app."""
    tour = Tour(console, data_dir)

    tour.section(
        "1. The five reference trials",
        "Protocols are validated data files: arms, schedule, planning limits, eligibility "
        "rules and the endpoint catalogue.",
    )
    tour.run("protocols", "list")
    tour.run("protocols", "show", "rescue", "--section", "planning")

    tour.section(
        "2. Screening",
        "Every criterion is an executable rule with its boundary as written; a candidate is "
        "eligible only when nothing is missing.",
    )
    candidates = str(demo_candidates_file())
    tour.run("screen", "--all-protocols", "--input", candidates)
    tour.run("screen", "--protocol", "io-rt-mvi", "--input", candidates, "--explain")

    tour.section(
        "3. Clinical scores and CTCAE grading",
        "Units are explicit; every score cites its published definition.",
    )
    tour.run("calc", "albi", "--bilirubin", "1.2 mg/dL", "--albumin", "3.5 g/dL")
    tour.run("calc", "child-pugh", "--bilirubin", "34.2 umol/L", "--albumin", "3.0 g/dL",
             "--inr", "1.8", "--ascites", "slight", "--encephalopathy", "none")
    tour.run("calc", "ctcae", "--test", "ALT", "--value", "250 U/L", "--uln", "40 U/L")

    tour.section(
        "4. Treatment planning against the protocol",
        "Y-90 partition model (RESCUE: lung dose at 150 Gy to the tumour, untreated liver), "
        "SBRT BED/EQD2 (sbrt-bclcc: 25-40 Gy in 5 fractions), HAIC FOLFOX by BSA (sirt-haic).",
    )
    tour.run("plan", "y90", "--protocol", "rescue", "--device", "resin", "--model", "partition",
             "--perfused-ml", "1400", "--tumour-ml", "600", "--tnr", "3.5", "--lsf", "0.07",
             "--dose-gy", "150", "--nontumoral-liver-ml", "1600")
    tour.run("plan", "sbrt", "--protocol", "sbrt-bclcc", "--dose-gy", "35", "--fractions", "5")
    tour.run("plan", "haic", "--protocol", "sirt-haic", "--height-cm", "170", "--weight-kg", "68")

    tour.section(
        "5. Trial design",
        "Simon two-stage for a single-arm ORR trial; events for the 2:1 survival comparison.",
    )
    tour.run("design", "simon", "0.2", "0.4")
    tour.run("design", "events", "--hr", "0.67", "--ratio", "2:1")

    tour.section(
        "6. Synthetic cohorts of the five trials",
        "Seeded, reproducible participant-level records (SDTM-shaped) drawn from published "
        "figures cited in each trial's parameter file.",
    )
    for code in BUILTIN_CODES:
        tour.run("simulate", "--protocol", code, "--seed", str(SEED),
                 "--out", tour.path("cohorts", code))

    tour.section(
        "7. Tumour response",
        "RECIST 1.1, mRECIST and localized mRECIST from lesion measurements, with "
        "confirmation, per reader and by central review.",
    )
    tour.run("response", "derive", "--sdtm", tour.path("cohorts", "rescue"),
             "--out", tour.path("response", "rescue"),
             "--criteria", "localized-mrecist", "--criteria", "mrecist",
             "--reference", "treatment_date")

    tour.section(
        "8. Endpoints and their analysis",
        "Every outcome measure of the catalogue derived into ADaM-shaped datasets and analysed "
        "(rates with exact CIs, Kaplan-Meier, RMST, hazard ratios).",
    )
    for code in SHOWCASE:
        tour.run("analyze", "--protocol", code, "--data", tour.path("cohorts", code),
                 "--out", tour.path("analysis", code), "--format", "csv")

    tour.section(
        "9. Reports",
        "The analysis report with every outcome measure, figures and tables, as HTML.",
    )
    for code in SHOWCASE:
        tour.run("report", "--protocol", code, "--data", tour.path("cohorts", code),
                 "--out", tour.path("reports", code), "--format", "html")

    tour.section(
        "10. Into the data capture service",
        "Record tables load through the same validation, CTCAE grading, edit checks and audit "
        "trail as the API (`hccrt db load-records DIR` does it for a folder of CSV files): "
        "a synthetic cohort of every trial and one demo user per role, for the web app.",
    )
    tour.run("db", "seed-demo", "--size", str(cohort_size), "--seed", str(SEED))
