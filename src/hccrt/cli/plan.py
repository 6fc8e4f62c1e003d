"""``hccrt plan``: Y-90, SBRT and HAIC treatment planning with the protocol's checks.

Each command calls the pure core (:mod:`hccrt.dosimetry`); nothing is computed here. The
readable output is a summary a physicist can sign: inputs, constants, results and protocol
checks with their sources. ``--json`` prints the full record (a Y-90 plan's JSON can be
recomputed exactly later). Bad input gives a one-line error naming the field, and exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hccrt.dosimetry import decay, from_protocol, haic, sbrt, y90
from hccrt.dosimetry.checks import CheckResult, check_y90
from hccrt.dosimetry.constants import Y90Constants
from hccrt.dosimetry.ledger import TreatmentLedger
from hccrt.dosimetry.plan import (
    Tumour,
    Y90Plan,
    Y90PlanInput,
    Y90Session,
    delivery_report,
    plan_y90,
)
from hccrt.errors import HccrtError, InputError
from hccrt.protocols.loader import load_builtin, load_protocol
from hccrt.protocols.schema import Protocol

plan_app = typer.Typer(
    help="Treatment planning: Y-90 radioembolization (MIRD, partition, resin BSA), SBRT "
    "(BED/EQD2, prescription and organ-at-risk checks) and HAIC FOLFOX dosing, each checked "
    "against a protocol's limits (--protocol CODE or --protocol-file PATH).",
    no_args_is_help=True,
)

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the full record as JSON.")]
ProtocolOpt = Annotated[str | None, typer.Option(
    "--protocol", help="Built-in protocol code, e.g. tare-ut7, rescue, sbrt-bclcc, sirt-haic.")]
ProtocolFileOpt = Annotated[Path | None, typer.Option(
    "--protocol-file", help="A protocol YAML file (instead of --protocol).")]


def _run(compute: Callable[[], tuple[dict[str, Any], Callable[[], None]]], as_json: bool) -> None:
    try:
        record, show = compute()
    except HccrtError as exc:
        _err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, default=str))
    else:
        show()


def _protocol(code: str | None, path: Path | None) -> Protocol | None:
    if code and path:
        raise InputError("--protocol", code, "either --protocol or --protocol-file, not both")
    if code:
        return load_builtin(code)
    if path:
        return load_protocol(path)
    return None


def _floats(text: str | None, field: str) -> list[float]:
    if not text:
        return []
    try:
        return [float(p) for p in text.replace(";", ",").split(",") if p.strip()]
    except ValueError:
        raise InputError(field, text, "comma-separated numbers, e.g. '200,35'") from None


def _kv_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    t = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold")
    t.add_column()
    for k, v in rows:
        if v is None:
            continue
        t.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
    return t


def _print_checks(checks: list[CheckResult]) -> None:
    _out.print("[bold]Protocol checks[/]")
    style = {"pass": "green", "fail": "bold red", "warning": "yellow", "not_evaluated": "dim"}
    for c in checks:
        value = "—" if c.value is None else f"{c.value:.4g} {c.unit}"
        _out.print(f"[{style[c.status]}]{c.status.upper():13}[/] {c.rule}: {value} "
                   f"(limit {c.limit} {c.unit})")
        _out.print(f"{'':14}{c.message}", markup=False)
        _out.print(f"{'':14}source: {c.source}", markup=False)


def _signature() -> None:
    _out.print("\nPrepared by (physicist): ____________________  Date: __________")
    _out.print("Approved by (physician):  ____________________  Date: __________")


@plan_app.command("y90")
def plan_y90_cmd(
    device: Annotated[str, typer.Option(help="glass or resin.")],
    model: Annotated[str, typer.Option(help="mird, partition or bsa (resin).")],
    perfused_ml: Annotated[float, typer.Option(help="Perfused volume (mL), tumours included.")],
    lsf: Annotated[float | None, typer.Option(help="Lung shunt fraction, 0-1.")] = None,
    lung_counts: Annotated[float | None, typer.Option(help="MAA lung counts (SPECT).")] = None,
    liver_counts: Annotated[float | None, typer.Option(help="MAA liver counts (SPECT).")] = None,
    planar: Annotated[str | None, typer.Option(
        help="Planar counts 'lung_ant,lung_post,liver_ant,liver_post' (geometric means).")] = None,
    driver: Annotated[str | None, typer.Option(
        help="perfused_dose, tumour_dose, normal_liver_dose or activity (default: "
        "perfused_dose for mird, tumour_dose for partition, bsa for bsa).")] = None,
    dose_gy: Annotated[float | None, typer.Option(help="Prescribed dose (Gy).")] = None,
    activity_gbq: Annotated[float | None, typer.Option(help="Prescribed activity (GBq).")] = None,
    tumour_ml: Annotated[str | None, typer.Option(help="Tumour volume(s), mL: 200,35")] = None,
    tnr: Annotated[str | None, typer.Option(help="Tumour-to-normal ratio(s): 3,2.1")] = None,
    target_tumour: Annotated[int, typer.Option(help="Index of the tumour driven.")] = 0,
    territory: Annotated[str, typer.Option(help="Name of the territory.")] = "perfused territory",
    lung_mass_kg: Annotated[float | None, typer.Option(help="Lung mass (kg), e.g. CT.")] = None,
    k: Annotated[float, typer.Option(help="Dose constant (Gy kg/GBq); label: 50.")] = 49.67,
    half_life_h: Annotated[float, typer.Option(help="Y-90 half-life (h).")] = 64.1,
    density: Annotated[float, typer.Option(help="Liver/tumour density (g/mL).")] = 1.03,
    residual: Annotated[float, typer.Option(help="Expected residual fraction.")] = 0.0,
    bsa_m2: Annotated[float | None, typer.Option(help="BSA (m2), resin BSA method.")] = None,
    height_cm: Annotated[float | None, typer.Option(help="Height (cm), BSA method.")] = None,
    weight_kg: Annotated[float | None, typer.Option(help="Weight (kg), BSA method.")] = None,
    liver_ml: Annotated[float | None, typer.Option(help="Whole liver volume (mL).")] = None,
    liver_tumour_ml: Annotated[float | None, typer.Option(help="All liver tumour (mL).")] = None,
    lobar_variant: Annotated[str, typer.Option(help="scale_all or scale_bsa_term.")] = "scale_all",
    nontumoral_liver_ml: Annotated[float | None, typer.Option(
        help="Whole non-tumoral liver volume (mL), for the untreated fraction.")] = None,
    administration: Annotated[str | None, typer.Option(
        help="Planned administration time with offset (vial choice / dispensing).")] = None,
    calibration: Annotated[str | None, typer.Option(
        help="Vial calibration time with offset.")] = None,
    shelf_life_h: Annotated[float | None, typer.Option(
        help="Hours after calibration the vial may be used (from the label).")] = None,
    dispense: Annotated[str | None, typer.Option(
        help="Resin: dispensing time (default: the administration time).")] = None,
    before_calibration_h: Annotated[float, typer.Option(
        help="Hours before calibration the vial may be used (from the label).")] = 0.0,
    resin_vial_gbq: Annotated[float, typer.Option(
        help="Resin: vial activity at calibration (GBq).")] = 3.0,
    protocol: ProtocolOpt = None,
    protocol_file: ProtocolFileOpt = None,
    arm: Annotated[str | None, typer.Option(help="Protocol arm.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan a Y-90 treatment of one territory and check it against the protocol.

    With --administration, --calibration and --shelf-life-h the glass vial is chosen (or the
    resin dose dispensed) for the vial activity the plan needs at administration.
    """

    def compute() -> tuple[dict[str, Any], Callable[[], None]]:
        if lsf is not None:
            f = lsf
        elif lung_counts is not None and liver_counts is not None:
            f = float(y90.lung_shunt_fraction(lung_counts, liver_counts))
        elif planar:
            counts = _floats(planar, "--planar")
            if len(counts) != 4:
                raise InputError("--planar", planar, "four counts: lung_ant,lung_post,"
                                 "liver_ant,liver_post")
            f = float(y90.lung_shunt_fraction_planar(*counts))
        else:
            raise InputError("--lsf", None, "--lsf, or --lung-counts and --liver-counts, or "
                             "--planar")
        vols, ratios = _floats(tumour_ml, "--tumour-ml"), _floats(tnr, "--tnr")
        if ratios and len(ratios) != len(vols):
            raise InputError("--tnr", tnr, f"one ratio per tumour ({len(vols)} volumes)")
        tumours = tuple(Tumour(name=f"tumour {i + 1}", volume_ml=v,
                               tnr=ratios[i] if ratios else None) for i, v in enumerate(vols))
        drv = driver or {"mird": "perfused_dose", "partition": "tumour_dose"}.get(model, "bsa")
        if dose_gy is not None and activity_gbq is not None:
            raise InputError("--dose-gy", dose_gy, "either --dose-gy or --activity-gbq")
        value = activity_gbq if drv == "activity" else dose_gy
        inp = Y90PlanInput(
            device=device, model=model, driver=drv, prescribed_value=value, territory=territory,  # type: ignore[arg-type]
            perfused_volume_ml=perfused_ml, tumours=tumours, target_tumour=target_tumour,
            lsf=f, lung_mass_kg=lung_mass_kg, bsa_m2=bsa_m2, height_cm=height_cm,
            weight_kg=weight_kg, liver_volume_ml=liver_ml, liver_tumour_volume_ml=liver_tumour_ml,
            bsa_lobar_variant=lobar_variant,  # type: ignore[arg-type]
        )
        consts = Y90Constants(dose_constant_gy_kg_per_gbq=k, half_life_h=half_life_h,
                              liver_density_g_per_ml=density, tumour_density_g_per_ml=density,
                              residual_fraction=residual)
        plan = plan_y90(inp, consts)
        prot = _protocol(protocol, protocol_file)
        checks = check_y90(plan, from_protocol.y90_limits(prot, arm),
                           nontumoral_liver_volume_ml=nontumoral_liver_ml) if prot else []
        vial: decay.VialChoice | decay.ResinDispense | None = None
        timing = (administration, calibration, shelf_life_h)
        if any(x is not None for x in timing) and plan.result.activity_gbq > 0:
            if any(x is None for x in timing):
                raise InputError("--administration", administration, "--administration, "
                                 "--calibration and --shelf-life-h together")
            admin = _when(administration, "--administration")
            cal = _when(calibration, "--calibration")
            need = plan.result.vial_activity_at_administration_gbq
            if device == "glass":
                stock = decay.GlassVialStock(
                    calibration_time=cal, shelf_life_h=shelf_life_h,
                    earliest_use_before_calibration_h=before_calibration_h)
                vial = decay.glass_vial_for_time(need, admin, stock, half_life_h)  # type: ignore[arg-type]
            else:
                rv = decay.ResinVial(activity_gbq=resin_vial_gbq, calibration_time=cal,
                                     shelf_life_h=shelf_life_h,
                                     earliest_use_before_calibration_h=before_calibration_h)
                disp = _when(dispense, "--dispense") or admin
                vial = decay.resin_dispense(need, rv, disp, admin, half_life_h)  # type: ignore[arg-type]
        record = {"plan": plan.model_dump(mode="json"),
                  "vial": vial.model_dump(mode="json") if vial else None,
                  "protocol": prot.code if prot else None,
                  "checks": [c.model_dump(mode="json") for c in checks]}

        def show() -> None:
            r = plan.result
            _out.print(f"[bold]Y-90 plan[/] — {territory} ({device}, {model}, driver {drv})"
                       + (f" — protocol {prot.code}" if prot else ""))
            _out.print(_kv_table("Inputs", [
                ("perfused volume (mL)", perfused_ml),
                ("tumours (mL / TNR)", ", ".join(f"{t.volume_ml:g}/{t.tnr}" for t in tumours)
                 or None),
                ("lung shunt fraction", f), ("prescribed", value), ("BSA (m2)", r.bsa_m2)]))
            _out.print(_kv_table("Constants", [
                ("dose constant (Gy kg/GBq)", consts.dose_constant_gy_kg_per_gbq),
                ("half-life (h)", consts.half_life_h),
                ("density (g/mL)", consts.liver_density_g_per_ml),
                ("lung mass (kg)", r.lung_mass_kg), ("residual fraction", residual)]))
            _out.print(_kv_table("Results", [
                ("treatable", "yes" if r.treatable else f"NO — {r.reason}"),
                ("activity to patient (GBq)", r.activity_gbq),
                ("vial activity at administration (GBq)", r.vial_activity_at_administration_gbq),
                ("shunt reduction factor", r.shunt_reduction_factor),
                ("perfused-volume dose (Gy)", r.perfused_dose_gy),
                ("tumour dose(s) (Gy)", ", ".join(f"{d:.1f}" for d in r.tumour_doses_gy) or None),
                ("normal liver dose (Gy)", r.normal_liver_dose_gy),
                ("lung dose (Gy)", r.lung_dose_gy), ("formula", r.formula),
                ("hccrt version", plan.hccrt_version)]))
            if isinstance(vial, decay.VialChoice):
                _out.print(_kv_table("Glass vial", [
                    ("vial size (GBq at calibration)", vial.vial_gbq),
                    ("calibration", vial.calibration_time.isoformat(timespec="minutes")),
                    ("administration", vial.administration_time.isoformat(timespec="minutes")),
                    ("activity at administration (GBq)", vial.activity_at_administration_gbq),
                    ("deviation from need", f"{vial.deviation_fraction:+.1%}"),
                    ("estimated spheres", f"{vial.estimated_spheres:.2e}")]))
            elif isinstance(vial, decay.ResinDispense):
                _out.print(_kv_table("Resin dispensing", [
                    ("dispense at", vial.dispense_time.isoformat(timespec="minutes")),
                    ("activity to draw (GBq)", vial.activity_to_draw_gbq),
                    ("volume to draw (mL)", vial.volume_to_draw_ml),
                    ("vial activity then (GBq)", vial.vial_activity_at_dispense_gbq)]))
            if checks:
                _print_checks(checks)
            _signature()

        return record, show

    _run(compute, as_json)


@plan_app.command("sbrt")
def plan_sbrt_cmd(
    dose_gy: Annotated[float, typer.Option(help="Total prescribed dose (Gy).")],
    fractions: Annotated[int, typer.Option(help="Number of fractions.")],
    alpha_beta: Annotated[float, typer.Option(help="Tumour alpha/beta (Gy).")] = 10.0,
    oar_alpha_beta: Annotated[float, typer.Option(help="Late-organ alpha/beta (Gy).")] = 3.0,
    previous: Annotated[str | None, typer.Option(
        help="Earlier courses to the same target 'dose/fractions,...', e.g. '25/5'.")] = None,
    dvh: Annotated[Path | None, typer.Option(
        help="JSON file {structure: {DVH key: value}} evaluated against AAPM TG-101 (5 fx).")]
    = None,
    liver_mean_max_gy: Annotated[float | None, typer.Option(
        help="Protocol limit on the mean dose to liver minus GTV (Gy), checked with --dvh.")]
    = None,
    protocol: ProtocolOpt = None,
    protocol_file: ProtocolFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """BED/EQD2 of an SBRT prescription, protocol checks and organ-at-risk constraints."""

    def compute() -> tuple[dict[str, Any], Callable[[], None]]:
        bed = float(sbrt.bed_gy(dose_gy, fractions, alpha_beta))
        eqd2 = float(sbrt.eqd2_gy(dose_gy, fractions, alpha_beta))
        courses: list[tuple[float, int]] = []
        for part in (previous or "").split(","):
            if part.strip():
                try:
                    d, n = part.split("/")
                    courses.append((float(d), int(n)))
                except ValueError:
                    raise InputError("--previous", previous, "'dose/fractions,...'") from None
        cum = sbrt.cumulative_eqd2_gy([*courses, (dose_gy, fractions)], alpha_beta)
        prot = _protocol(protocol, protocol_file)
        checks = sbrt.check_sbrt_prescription(dose_gy, fractions, from_protocol.sbrt_limits(
            prot)) if prot else []
        if dvh is not None:
            try:
                points = json.loads(dvh.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise InputError("--dvh", str(dvh), "a readable JSON file", str(exc)) from None
            table = list(sbrt.TG101_5FX.constraints)
            if liver_mean_max_gy is not None:
                table.append(sbrt.OarConstraint(
                    structure="liver_minus_gtv", key="Dmean", limit=liver_mean_max_gy,
                    fractions=fractions, source="protocol limit given on the command line"))
            if fractions != 5:
                raise InputError("--fractions", fractions, "5 (the TG-101 table used with "
                                 "--dvh is for 5 fractions)")
            checks += sbrt.evaluate_oar_constraints(points, table, fractions)
        record = {"total_dose_gy": dose_gy, "fractions": fractions, "alpha_beta_gy": alpha_beta,
                  "bed_gy": bed, "eqd2_gy": eqd2, "cumulative_eqd2_gy": cum,
                  "oar_alpha_beta_gy": oar_alpha_beta,
                  "protocol": prot.code if prot else None,
                  "checks": [c.model_dump(mode="json") for c in checks]}

        def show() -> None:
            _out.print(f"[bold]SBRT plan[/] — {dose_gy:g} Gy in {fractions} fractions")
            _out.print(_kv_table("Results", [
                ("dose per fraction (Gy)", dose_gy / fractions),
                (f"BED (alpha/beta {alpha_beta:g})", bed), ("EQD2 (Gy)", eqd2),
                ("cumulative EQD2 incl. earlier courses (Gy)", cum if courses else None)]))
            if checks:
                _print_checks(checks)
            _signature()

        return record, show

    _run(compute, as_json)


@plan_app.command("haic")
def plan_haic_cmd(
    height_cm: Annotated[float | None, typer.Option(help="Height (cm).")] = None,
    weight_kg: Annotated[float | None, typer.Option(help="Weight (kg).")] = None,
    bsa_m2: Annotated[float | None, typer.Option(help="BSA (m2) instead of height/weight.")]
    = None,
    bsa_method: Annotated[str, typer.Option(help="mosteller or dubois.")] = "mosteller",
    cycle: Annotated[int, typer.Option(help="Cycle number.")] = 1,
    reduce: Annotated[list[str] | None, typer.Option(
        help="Documented reduction 'drug label:percent:reason' (repeatable).")] = None,
    cycle_dates: Annotated[str | None, typer.Option(
        help="Cycle start dates so far, 'YYYY-MM-DD,...', to check the intervals.")] = None,
    round_mg: Annotated[list[str] | None, typer.Option(
        help="Rounding increment 'drug label=mg' (repeatable), e.g. 'oxaliplatin=5'.")] = None,
    tolerance_pct: Annotated[float | None, typer.Option(
        help="Accepted rounding deviation (%); default: the regimen's (10 %, HOPA).")] = None,
    protocol: ProtocolOpt = None,
    protocol_file: ProtocolFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """HAIC FOLFOX doses for one cycle by BSA (default regimen: sirt-haic registration)."""

    def compute() -> tuple[dict[str, Any], Callable[[], None]]:
        prot = _protocol(protocol, protocol_file)
        regimen = from_protocol.haic_regimen(prot) if prot else haic.FOLFOX_HAIC_SIRT_HAIC
        increments: dict[str, float] = {}
        for text in round_mg or []:
            label, sep, value = text.rpartition("=")
            try:
                increments[label] = float(value) if sep else float("nan")
            except ValueError:
                increments[label] = float("nan")
            labels = [d.label for d in regimen.drugs]
            if label not in labels or not increments[label] > 0:
                raise InputError("--round-mg", text, f"'label=mg' with a label among {labels} "
                                 "and a positive increment")
        if increments or tolerance_pct is not None:
            regimen = regimen.model_copy(update={
                "drugs": tuple(d.model_copy(update={"rounding_increment_mg": increments.get(
                    d.label, d.rounding_increment_mg)}) for d in regimen.drugs),
                **({"rounding_tolerance_pct": tolerance_pct} if tolerance_pct is not None
                   else {}),
            })
            regimen = haic.HaicRegimen.model_validate(regimen.model_dump())
        mods = []
        for text in reduce or []:
            parts = text.split(":", 2)
            if len(parts) != 3:
                raise InputError("--reduce", text, "'drug label:percent:reason'")
            try:
                pct = float(parts[1])
            except ValueError:
                raise InputError("--reduce", text, "a number as percent") from None
            mods.append(haic.DoseModification(cycle=cycle, label=parts[0], reduction_pct=pct,
                                              reason=parts[2]))
        doses = haic.haic_doses(regimen, cycle=cycle, bsa_m2=bsa_m2, height_cm=height_cm,
                                weight_kg=weight_kg, bsa_method=bsa_method, modifications=mods)  # type: ignore[arg-type]
        checks: list[CheckResult] = []
        if cycle_dates:
            try:
                dates = [date.fromisoformat(x.strip()) for x in cycle_dates.split(",")]
            except ValueError:
                raise InputError("--cycle-dates", cycle_dates, "dates 'YYYY-MM-DD,...'") from None
            checks = haic.check_haic_schedule(dates, regimen, complete=False)
        record = {"regimen": regimen.model_dump(mode="json"),
                  "doses": doses.model_dump(mode="json"),
                  "checks": [c.model_dump(mode="json") for c in checks]}

        def show() -> None:
            _out.print(f"[bold]HAIC cycle {cycle}[/] — {regimen.name}")
            _out.print(_kv_table("Body size", [
                ("BSA used (m2)", doses.bsa_m2), ("BSA uncapped (m2)", doses.bsa_uncapped_m2),
                ("method", doses.bsa_method), ("height (cm)", height_cm),
                ("weight (kg)", weight_kg)]))
            t = Table(title="Doses", title_justify="left")
            for col in ("drug", "red. %", "calc. mg", "order mg", "hours", "mg/h"):
                t.add_column(col, no_wrap=col != "drug")
            for o in doses.orders:
                t.add_row(o.label, f"{o.reduction_pct:g}", f"{o.calculated_mg:.1f}",
                          f"{o.rounded_mg:.1f}", f"{o.infusion_h:g}", f"{o.rate_mg_per_h:.1f}")
            _out.print(t)
            for o in doses.orders:
                if o.reduction_reason:
                    _out.print(f"reduction of {o.label}: {o.reduction_reason}", markup=False)
                if not o.within_rounding_tolerance:
                    _out.print(f"[bold red]rounding of {o.label} deviates "
                               f"{o.rounding_deviation_pct:+.1f} %, beyond "
                               f"{regimen.rounding_tolerance_pct:g} %[/]")
            _out.print(f"route: {', '.join(sorted({o.route for o in doses.orders}))}")
            _out.print(f"source: {regimen.source}", markup=False)
            if checks:
                _print_checks(checks)
            _signature()

        return record, show

    _run(compute, as_json)


def _when(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InputError(field, text, "an ISO date-time with offset, e.g. "
                         "2026-03-01T12:00-05:00") from None


@plan_app.command("vial")
def plan_vial_cmd(
    required_gbq: Annotated[float, typer.Option(
        help="Activity the vial must hold at administration (GBq): prescribed / (1 - residual).")],
    calibration: Annotated[str, typer.Option(
        help="Vial calibration time with offset, e.g. 2026-03-01T12:00-05:00.")],
    shelf_life_h: Annotated[float, typer.Option(
        help="Hours after calibration the vial may be used (from the label in force).")],
    administration: Annotated[str | None, typer.Option(
        help="Fixed administration time: choose the vial size.")] = None,
    vial_gbq: Annotated[float | None, typer.Option(
        help="Fixed vial size: find the administration time.")] = None,
    sizes: Annotated[str, typer.Option(help="Stock sizes (GBq).")] = "3,5,7,10,15,20",
    before_calibration_h: Annotated[float, typer.Option(
        help="Hours before calibration the vial may be used.")] = 0.0,
    max_deviation: Annotated[float, typer.Option(help="Accepted deviation (fraction).")] = 0.10,
    half_life_h: Annotated[float, typer.Option(help="Y-90 half-life (h).")] = 64.1,
    as_json: JsonOpt = False,
) -> None:
    """Glass dose vial: the size for a fixed administration time, or the time for a size."""

    def compute() -> tuple[dict[str, Any], Callable[[], None]]:
        stock = decay.GlassVialStock(
            calibration_time=_when(calibration, "--calibration"), shelf_life_h=shelf_life_h,
            earliest_use_before_calibration_h=before_calibration_h,
            sizes_gbq=tuple(_floats(sizes, "--sizes")))
        admin = _when(administration, "--administration")
        if admin is not None and vial_gbq is not None:
            raise InputError("--administration", administration,
                             "either --administration or --vial-gbq")
        if admin is not None:
            choices = [decay.glass_vial_for_time(required_gbq, admin, stock, half_life_h,
                                                 max_deviation)]
        elif vial_gbq is not None:
            choices = [decay.glass_time_for_vial(required_gbq, vial_gbq, stock, half_life_h)]
        else:
            choices = []
            for s in stock.sizes_gbq:
                try:
                    choices.append(decay.glass_time_for_vial(required_gbq, s, stock,
                                                             half_life_h))
                except InputError:
                    continue
            if not choices:
                raise InputError("--required-gbq", required_gbq,
                                 "an activity some stock vial reaches inside its usable window")
        record = {"stock": stock.model_dump(mode="json"),
                  "choices": [c.model_dump(mode="json") for c in choices]}

        def show() -> None:
            _out.print(f"[bold]Glass vial[/] — {required_gbq:g} GBq needed at administration; "
                       f"calibration {stock.calibration_time.isoformat()}")
            t = Table()
            for col in ("vial GBq", "administration", "h", "GBq at adm.", "dev.", "spheres"):
                t.add_column(col, no_wrap=True)
            for c in choices:
                t.add_row(f"{c.vial_gbq:g}", c.administration_time.isoformat(timespec="minutes"),
                          f"{c.hours_after_calibration:.1f}",
                          f"{c.activity_at_administration_gbq:.3f}",
                          f"{c.deviation_fraction:+.1%}", f"{c.estimated_spheres:.2e}")
            _out.print(t)

        return record, show

    _run(compute, as_json)


@plan_app.command("session")
def plan_session_cmd(
    file: Annotated[Path, typer.Argument(
        help="JSON: {territories: [plan inputs...], constants?: {...}, treatment_date?: "
        "'YYYY-MM-DD', ledger?: {participant_id, entries}, nontumoral_liver_volume_ml?}.")],
    protocol: ProtocolOpt = None,
    protocol_file: ProtocolFileOpt = None,
    arm: Annotated[str | None, typer.Option(help="Protocol arm.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan several territories treated in one session; check them with the ledger."""

    def compute() -> tuple[dict[str, Any], Callable[[], None]]:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError("file", str(file), "a readable JSON file", str(exc)) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("territories"), list):
            raise InputError("territories", None, "a list of plan inputs in the JSON object")
        unknown = set(doc) - {"territories", "constants", "treatment_date", "ledger",
                              "nontumoral_liver_volume_ml"}
        if unknown:
            raise InputError("file", sorted(unknown), "only territories, constants, "
                             "treatment_date, ledger, nontumoral_liver_volume_ml")
        consts = Y90Constants.model_validate(doc.get("constants") or {})
        plans = tuple(plan_y90(Y90PlanInput.model_validate(t), consts)
                      for t in doc["territories"])
        session = Y90Session(plans=plans)
        ledger = TreatmentLedger.model_validate(doc["ledger"]) if doc.get("ledger") else None
        when = None
        if doc.get("treatment_date"):
            try:
                when = date.fromisoformat(str(doc["treatment_date"]))
            except ValueError:
                raise InputError("treatment_date", doc["treatment_date"],
                                 "a date YYYY-MM-DD") from None
        prot = _protocol(protocol, protocol_file)
        checks = check_y90(session, from_protocol.y90_limits(prot, arm), treatment_date=when,
                           ledger=ledger,
                           nontumoral_liver_volume_ml=doc.get("nontumoral_liver_volume_ml")
                           ) if prot else []
        record = {"plans": [p.model_dump(mode="json") for p in plans],
                  "session_lung_dose_gy": session.lung_dose_gy,
                  "session_activity_gbq": session.activity_gbq,
                  "cumulative_lung_dose_gy": session.lung_dose_gy + (
                      ledger.cumulative_lung_dose_gy if ledger else 0.0),
                  "protocol": prot.code if prot else None,
                  "checks": [c.model_dump(mode="json") for c in checks]}

        def show() -> None:
            _out.print(f"[bold]Y-90 session[/] — {len(plans)} territory(ies)"
                       + (f" — protocol {prot.code}" if prot else ""))
            t = Table()
            for col in ("territory", "model", "GBq", "perfused Gy", "tumour Gy", "normal Gy",
                        "lung Gy"):
                t.add_column(col)
            for p in plans:
                r = p.result
                t.add_row(p.inputs.territory, p.inputs.model, f"{r.activity_gbq:.3f}",
                          f"{r.perfused_dose_gy:.1f}",
                          ", ".join(f"{d:.0f}" for d in r.tumour_doses_gy) or "—",
                          "—" if r.normal_liver_dose_gy is None else
                          f"{r.normal_liver_dose_gy:.1f}", f"{r.lung_dose_gy:.2f}")
            _out.print(t)
            _out.print(_kv_table("Session", [
                ("session lung dose (Gy)", session.lung_dose_gy),
                ("cumulative lung dose (Gy)", record["cumulative_lung_dose_gy"]),
                ("dose constant (Gy kg/GBq)", consts.dose_constant_gy_kg_per_gbq),
                ("half-life (h)", consts.half_life_h), ("lung mass (kg)", consts.lung_mass_kg)]))
            if checks:
                _print_checks(checks)
            _signature()

        return record, show

    _run(compute, as_json)


@plan_app.command("delivered")
def plan_delivered_cmd(
    plan_file: Annotated[Path, typer.Argument(
        help="A plan record: the 'plan' object of 'hccrt plan y90 --json' (or the whole output).")],
    pre_gbq: Annotated[float, typer.Option(help="Vial assay before administration (GBq).")],
    pre_time: Annotated[str, typer.Option(help="Time of that assay, with offset.")],
    residual_gbq: Annotated[float, typer.Option(help="Residual assay after (GBq).")],
    residual_time: Annotated[str, typer.Option(help="Time of the residual assay, with offset.")],
    administration: Annotated[str, typer.Option(help="Administration time, with offset.")],
    as_json: JsonOpt = False,
) -> None:
    """Delivered activity from the assays, doses recomputed, prescribed-vs-delivered check."""

    def compute() -> tuple[dict[str, Any], Callable[[], None]]:
        try:
            doc = json.loads(plan_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError("plan_file", str(plan_file), "a readable JSON file",
                             str(exc)) from None
        plan = Y90Plan.model_validate(doc.get("plan", doc) if isinstance(doc, dict) else doc)
        if not plan.is_reproducible():
            raise InputError("plan_file", str(plan_file), "a plan whose recorded results "
                             "recompute exactly from its inputs and constants")
        d = decay.delivered_activity(
            pre_gbq, _when(pre_time, "--pre-time"), residual_gbq,  # type: ignore[arg-type]
            _when(residual_time, "--residual-time"), _when(administration, "--administration"),  # type: ignore[arg-type]
            plan.constants.half_life_h)
        rep = delivery_report(plan, d.delivered_activity_gbq)
        record = {"assays": d.model_dump(mode="json"), "report": rep.model_dump(mode="json")}

        def show() -> None:
            r = rep.delivered
            _out.print(f"[bold]Y-90 delivery[/] — {plan.inputs.territory}")
            _out.print(_kv_table("Activity", [
                ("vial at administration (GBq)", d.vial_activity_at_administration_gbq),
                ("residual at administration (GBq)", d.residual_activity_at_administration_gbq),
                ("residual fraction", d.residual_fraction),
                ("delivered (GBq)", rep.delivered_activity_gbq),
                ("prescribed (GBq)", rep.prescribed_activity_gbq),
                ("difference", f"{rep.difference_pct:+.1f} %"),
                ("within 10 % (EANM)", "yes" if rep.within_10_percent else "NO"),
                ("medical event (>= 20 %)", "YES" if rep.medical_event else "no")]))
            _out.print(_kv_table("Delivered doses", [
                ("perfused-volume dose (Gy)", r.perfused_dose_gy),
                ("tumour dose(s) (Gy)", ", ".join(f"{x:.1f}" for x in r.tumour_doses_gy) or None),
                ("normal liver dose (Gy)", r.normal_liver_dose_gy),
                ("lung dose (Gy)", r.lung_dose_gy)]))
            _signature()

        return record, show

    _run(compute, as_json)
