"""ADSL: one record per screened subject, with the dates every other derivation reads.

Composed, as admiral's ``ad_adsl.R`` template is, of small named derivations, each adding a
group of variables; :func:`derive_adsl` runs them in order. Variable names follow ADaMIG v1.3 /
admiral where the variable exists there (RANDDT, TRTSDT, TRTEDT, DTHDT, LSTALVDT, EOSSTT,
DCSREAS, SAFFL, ITTFL); hccrt adds the dates its endpoint catalogue names:

=========  ==============================================================================
ENRLDT     enrolment / allocation (DS ``ENROLLED``, or ``RANDOMIZED`` in randomized trials)
RANDDT     randomization (DS ``RANDOMIZED``)
RFICDT     informed consent (DM RFICDTC)
TRTSDT     first study treatment (first EX start); TRTEDT last EX end (or start)
NSESS      number of intra-arterial treatment sessions (distinct Y-90/HAIC EX dates)
LRTDT      last radiotherapy (EX category SBRT / RADIOTHERAPY / Y-90; AE windows)
SURGDT     protocol surgery (PR category PROTOCOL SURGERY), or the first resection or
           transplant when it is a subsequent treatment
NACTDT     first subsequent anti-cancer therapy (CM/PR category SUBSEQUENT ANTI-CANCER THERAPY)
NACTRSN    its reason (SUPPCM/SUPPPR SUBTXRSN)
NHCCDT     first subsequent HCC treatment (indication hepatocellular carcinoma)
CURCONFL   curative conversion: resection, transplant or percutaneous ablation after
           treatment start (tare-ut7 "curative conversion rate")
WDRLDT     withdrawal of consent (DS WITHDRAWAL BY SUBJECT); LTFUDT loss to follow-up
STUDYEDT   end of study: last enrolment + the protocol's offset ("24 months after the last
           patient is enrolled"), or the data cut-off when earlier
LSTALVDT   last date known alive: latest of any dated record (SV, LB, RS, TR, EX, AE, QS,
           DS), not after death (admiral ``derive_vars_extreme_event`` for LSTALVDT)
STRATAR    randomization stratum "FACTOR=level; ..." from SUPPDM, one column per factor of
           ``design.stratification_factors`` (none of the five reference designs has any)
ITTFL      allocated (enrolled or randomized); SAFFL treated; SCRNFFL screen failure
=========  ==============================================================================

Baseline characteristics (last value on or before the first treatment, or the allocation
date for untreated subjects): ECOG (RS ECOG101), bilirubin, albumin, INR, creatinine, AFP,
ALBI score and grade, Child-Pugh points and class, MELD, all through :mod:`hccrt.clinical`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.clinical.liver import (
    albi_array,
    albi_grade_array,
    child_pugh_class_array,
    child_pugh_points_array,
    meld_array,
)
from hccrt.endpoints._common import (
    add_duration,
    check_records,
    first_per_subject,
    study_end_offset,
    table,
    to_date,
)
from hccrt.errors import InputError
from hccrt.protocols.schema import DesignType, Protocol
from hccrt.records import RecordSet
from hccrt.records.schema import SUBSEQUENT_CAT
from hccrt.units import convert

RADIOTHERAPY_CATEGORIES = ("SBRT", "RADIOTHERAPY", "Y-90 RADIOEMBOLIZATION")
CURATIVE_PROCEDURES = ("HEPATECTOMY", "RESECTION", "LIVER TRANSPLANTATION", "TRANSPLANT",
                       "RADIOFREQUENCY ABLATION", "MICROWAVE ABLATION", "PERCUTANEOUS ABLATION",
                       "ABLATION")
SURGICAL_PROCEDURES = ("HEPATECTOMY", "RESECTION", "LIVER TRANSPLANTATION", "TRANSPLANT")
ASCITES_POINTS = {"NONE": 1, "SLIGHT": 2, "MODERATE-SEVERE": 3}
ENCEPHALOPATHY_POINTS = {"NONE": 1, "GRADE 1-2": 2, "GRADE 3-4": 3}


def _merge(adsl: pd.DataFrame, values: pd.Series, name: str) -> pd.DataFrame:
    """``values`` (indexed by USUBJID) as ADSL column ``name`` (dates stay dates)."""
    if not len(values):
        adsl[name] = pd.Series(pd.NaT, index=adsl.index, dtype="datetime64[ns]")
        return adsl
    out = values.reindex(adsl["USUBJID"].to_numpy()).to_numpy()
    adsl[name] = pd.to_datetime(out) if values.dtype.kind == "M" else out
    return adsl


def derive_vars_dm(records: RecordSet, protocol: Protocol) -> pd.DataFrame:
    """Demographics and arms from DM: one row per screened subject.

    TRT01P/TRT01A are the protocol's arm ids (DM ARMCD/ACTARMCD matched case-insensitively);
    a code that matches no protocol arm is an InputError naming it.
    """
    dm = records["DM"]
    keep = [c for c in ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE",
                        "COUNTRY", "ARMCD", "ARM", "ACTARMCD", "ACTARM", "ARMNRS")
            if c in dm.columns]
    adsl = dm[keep].copy().reset_index(drop=True)
    adsl["USUBJID"] = adsl["USUBJID"].astype(str)
    arm_ids = {a.id.lower(): a.id for a in protocol.arms}
    for src, dst in (("ARMCD", "TRT01P"), ("ACTARMCD", "TRT01A")):
        codes = adsl[src] if src in adsl.columns else pd.Series(None, index=adsl.index)
        low = codes.astype("string").str.lower()
        bad = low.notna() & ~low.isin(list(arm_ids))
        if bad.any():
            raise InputError(f"DM.{src}", codes[bad].iloc[0],
                             "an arm id of protocol " + protocol.code + ": " + ", ".join(arm_ids))
        adsl[dst] = low.map(arm_ids).astype(object)
    adsl["RFICDT"] = to_date(dm["RFICDTC"]) if "RFICDTC" in dm.columns else pd.NaT
    adsl["DTHDT"] = to_date(dm["DTHDTC"]) if "DTHDTC" in dm.columns else pd.NaT
    return adsl


def derive_vars_allocation(adsl: pd.DataFrame, records: RecordSet,
                           protocol: Protocol) -> pd.DataFrame:
    """ENRLDT and RANDDT from DS protocol milestones (ENROLLED / RANDOMIZED)."""
    ds = table(records, "DS")
    enr = rnd = pd.Series(dtype="datetime64[ns]")
    if ds is not None:
        d = to_date(ds["DSSTDTC"] if "DSSTDTC" in ds.columns else ds["DSDTC"])
        dec = ds["DSDECOD"].astype(str)
        rnd = first_per_subject(ds[dec == "RANDOMIZED"], d[dec == "RANDOMIZED"])
        enr = first_per_subject(ds[dec.isin(["ENROLLED", "RANDOMIZED"])],
                                d[dec.isin(["ENROLLED", "RANDOMIZED"])])
    adsl = _merge(adsl, rnd, "RANDDT")
    adsl = _merge(adsl, enr, "ENRLDT")
    if protocol.design.type is not DesignType.RANDOMIZED:
        adsl["RANDDT"] = pd.NaT
        adsl["RANDDT"] = pd.to_datetime(adsl["RANDDT"])
    return adsl


def derive_vars_treatment(adsl: pd.DataFrame, records: RecordSet) -> pd.DataFrame:
    """TRTSDT, TRTEDT (first/last exposure) and LRTDT (last radiotherapy) from EX."""
    ex = table(records, "EX")
    if ex is None:
        for c in ("TRTSDT", "TRTEDT", "LRTDT"):
            adsl[c] = pd.NaT
            adsl[c] = pd.to_datetime(adsl[c])
        return adsl
    st = to_date(ex["EXSTDTC"])
    en = to_date(ex["EXENDTC"]).fillna(st) if "EXENDTC" in ex.columns else st
    adsl = _merge(adsl, first_per_subject(ex, st), "TRTSDT")
    adsl = _merge(adsl, first_per_subject(ex, en, "max"), "TRTEDT")
    cat = ex.get("EXCAT", pd.Series("", index=ex.index))
    ia = cat.isin(["Y-90 RADIOEMBOLIZATION", "HAIC"]) | (
        ex.get("EXROUTE", pd.Series("", index=ex.index)) == "INTRA-ARTERIAL")
    sess = pd.Series(st[ia].to_numpy(), index=ex["USUBJID"][ia].astype(str).to_numpy())
    adsl["NSESS"] = adsl["USUBJID"].map(sess.groupby(level=0).nunique()).fillna(0)
    rt = cat.isin(RADIOTHERAPY_CATEGORIES)
    adsl = _merge(adsl, first_per_subject(ex[rt], en[rt], "max"), "LRTDT")
    return adsl


def _subsequent(records: RecordSet) -> pd.DataFrame:
    """Subsequent anti-cancer therapies from CM and PR (USUBJID, date, name, reason, hcc)."""
    parts = []
    for code, p in (("CM", "CM"), ("PR", "PR")):
        df = table(records, code)
        if df is None or f"{p}CAT" not in df.columns:
            continue
        sub = df[df[f"{p}CAT"] == SUBSEQUENT_CAT]
        if sub.empty:
            continue
        part = pd.DataFrame({
            "USUBJID": sub["USUBJID"].astype(str).to_numpy(),
            "SEQ": pd.to_numeric(sub[f"{p}SEQ"], errors="coerce").to_numpy(),
            "DOMAIN": code,
            "date": to_date(sub[f"{p}STDTC"]).to_numpy(),
            "name": sub[f"{p}TRT"].astype(str).str.upper().to_numpy(),
            "hcc": sub.get(f"{p}INDC", pd.Series("HEPATOCELLULAR CARCINOMA", index=sub.index))
            .astype("string").str.upper().str.contains("HEPATOCELLULAR").fillna(True)
            .to_numpy(bool),
        })
        supp = table(records, f"SUPP{code}")
        part["reason"] = None
        if supp is not None:
            s = supp[supp["QNAM"] == "SUBTXRSN"]
            key = s["USUBJID"].astype(str) + "|" + s["IDVARVAL"].astype(str).str.replace(
                r"\.0$", "", regex=True)
            rmap = dict(zip(key, s["QVAL"], strict=False))
            k2 = part["USUBJID"] + "|" + part["SEQ"].map(lambda v: f"{v:.0f}")
            part["reason"] = k2.map(rmap)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["USUBJID", "SEQ", "DOMAIN", "date", "name", "hcc", "reason"])
    return pd.concat(parts, ignore_index=True).sort_values(["USUBJID", "date"], kind="stable")


def derive_vars_subsequent(adsl: pd.DataFrame, records: RecordSet) -> pd.DataFrame:
    """NACTDT/NACTRSN/NACTTRT (first subsequent anti-cancer therapy), NHCCDT/NHCCRSN (first
    subsequent HCC treatment), SURGDT (protocol surgery, or the first subsequent resection or
    transplant) and CURCONFL/CURCONDT (curative conversion: resection, transplant or ablation).
    """
    sub = _subsequent(records).dropna(subset=["date"])
    first = sub.drop_duplicates("USUBJID").set_index("USUBJID")
    adsl = _merge(adsl, first["date"], "NACTDT")
    adsl["NACTRSN"] = adsl["USUBJID"].map(first["reason"])
    adsl["NACTTRT"] = adsl["USUBJID"].map(first["name"])
    hcc = sub[sub["hcc"].astype(bool)].drop_duplicates("USUBJID").set_index("USUBJID")
    adsl = _merge(adsl, hcc["date"], "NHCCDT")
    adsl["NHCCRSN"] = adsl["USUBJID"].map(hcc["reason"])
    cur = sub[sub["name"].astype(str).str.contains("|".join(CURATIVE_PROCEDURES), regex=True)
              .astype(bool)]
    cur = cur.drop_duplicates("USUBJID").set_index("USUBJID")
    adsl = _merge(adsl, cur["date"], "CURCONDT")
    adsl["CURCONFL"] = np.where(adsl["CURCONDT"].notna(), "Y", "N")
    pr = table(records, "PR")
    surg = pd.Series(dtype="datetime64[ns]")
    if pr is not None:
        name = pr["PRTRT"].astype(str).str.upper()
        is_surg = (pr.get("PRCAT", pd.Series("", index=pr.index)) == "PROTOCOL SURGERY") | (
            name.str.contains("|".join(SURGICAL_PROCEDURES), regex=True))
        surg = first_per_subject(pr[is_surg], to_date(pr["PRSTDTC"])[is_surg])
    adsl = _merge(adsl, surg, "SURGDT")
    return adsl


def derive_vars_disposition(adsl: pd.DataFrame, records: RecordSet) -> pd.DataFrame:
    """EOSSTT, DCSREAS, EOSDT, WDRLDT (withdrawal of consent) and LTFUDT (lost to follow-up)
    from DS disposition events; DTHDT completed from DS DEATH when DM has none."""
    ds = table(records, "DS")
    adsl["EOSSTT"] = "ONGOING"
    adsl["DCSREAS"] = None
    for c in ("EOSDT", "WDRLDT", "LTFUDT"):
        adsl[c] = pd.NaT
        adsl[c] = pd.to_datetime(adsl[c])
    if ds is None:
        return adsl
    d = to_date(ds["DSSTDTC"] if "DSSTDTC" in ds.columns else ds["DSDTC"])
    disp = ds.get("DSCAT", pd.Series("DISPOSITION EVENT", index=ds.index)) == "DISPOSITION EVENT"
    dec = ds["DSDECOD"].astype(str)
    ev = pd.DataFrame({"USUBJID": ds["USUBJID"].astype(str), "dec": dec, "date": d})[disp]
    last = ev.sort_values("date").drop_duplicates("USUBJID", keep="last").set_index("USUBJID")
    adsl = _merge(adsl, last["date"], "EOSDT")
    reason = pd.Series(last["dec"].reindex(adsl["USUBJID"].to_numpy()).to_numpy(),
                       index=adsl.index)
    adsl["EOSSTT"] = np.where(reason.isna(), "ONGOING",
                              np.where(reason == "COMPLETED", "COMPLETED", "DISCONTINUED"))
    adsl["DCSREAS"] = reason.where(reason != "COMPLETED")
    for code, col in (("WITHDRAWAL BY SUBJECT", "WDRLDT"), ("LOST TO FOLLOW-UP", "LTFUDT"),
                      ("DEATH", "_DSDTH")):
        sel = ev[ev["dec"] == code]
        adsl = _merge(adsl, first_per_subject(sel, sel["date"]), col)
    adsl["DTHDT"] = adsl["DTHDT"].fillna(adsl.pop("_DSDTH"))
    adsl["DTHFL"] = np.where(adsl["DTHDT"].notna(), "Y", None)
    return adsl


_ALIVE_SOURCES = (("SV", "SVSTDTC"), ("LB", "LBDTC"), ("RS", "RSDTC"), ("TR", "TRDTC"),
                  ("EX", "EXSTDTC"), ("EX", "EXENDTC"), ("AE", "AESTDTC"), ("QS", "QSDTC"),
                  ("VS", "VSDTC"), ("DS", "DSSTDTC"), ("PR", "PRSTDTC"), ("CM", "CMSTDTC"))


def derive_var_lstalvdt(adsl: pd.DataFrame, records: RecordSet) -> pd.DataFrame:
    """LSTALVDT: the latest date of any record showing the subject alive, capped at DTHDT
    (admiral ``ad_adsl.R``: LSTALVDT from the extreme dates of AE, LB, EX and DS)."""
    best: pd.Series | None = None
    for code, col in _ALIVE_SOURCES:
        df = table(records, code)
        if df is None or col not in df.columns:
            continue
        s = first_per_subject(df, to_date(df[col]), "max")
        best = s if best is None else pd.concat([best, s]).groupby(level=0).max()
    adsl = _merge(adsl, best if best is not None else pd.Series(dtype="datetime64[ns]"),
                  "LSTALVDT")
    adsl["LSTALVDT"] = adsl["LSTALVDT"].where(
        adsl["DTHDT"].isna() | (adsl["LSTALVDT"] <= adsl["DTHDT"]), adsl["DTHDT"])
    return adsl


def derive_var_studyend(adsl: pd.DataFrame, protocol: Protocol,
                        data_cutoff: pd.Timestamp | None = None) -> pd.DataFrame:
    """STUDYEDT: last enrolment + the offset stated in the protocol's ``end_of_study`` ("24
    months after the last patient is enrolled"), else + ``identity.follow_up_period``; the
    data cut-off (DCUTDT) when it comes first."""
    offset = study_end_offset(protocol.end_of_study) or protocol.identity.follow_up_period
    last_enrol = adsl["ENRLDT"].max()
    end = pd.NaT
    if offset is not None and pd.notna(last_enrol):
        end = add_duration(pd.Series([last_enrol]), offset).iloc[0]
    if data_cutoff is not None:
        end = data_cutoff if pd.isna(end) else min(end, data_cutoff)
    adsl["STUDYEDT"] = pd.to_datetime(pd.Series(end, index=adsl.index))
    adsl["DCUTDT"] = pd.to_datetime(pd.Series(data_cutoff, index=adsl.index))
    return adsl


def derive_vars_strata(adsl: pd.DataFrame, records: RecordSet,
                       protocol: Protocol) -> pd.DataFrame:
    """One column per stratification factor of the design (named by the factor id in upper
    case, from SUPPDM QNAM = that name cut to 8 characters) and STRATAR, the combined stratum
    ("factor=level; ..."), None when any factor is missing or the design has no strata."""
    adsl["STRATAR"] = None
    factors = protocol.design.stratification_factors
    if not factors:
        return adsl
    supp = table(records, "SUPPDM")
    cols = []
    for f in factors:
        name = f.id.upper().replace("-", "_")
        vals = pd.Series(dtype=object)
        if supp is not None:
            s = supp[supp["QNAM"] == name[:8]]
            vals = pd.Series(s["QVAL"].to_numpy(), index=s["USUBJID"].astype(str).to_numpy())
        adsl[name] = vals.reindex(adsl["USUBJID"].to_numpy()).to_numpy() if len(vals) else None
        cols.append(name)
    parts = [f"{c}=" + adsl[c].astype("string") for c in cols]
    combined = parts[0]
    for p in parts[1:]:
        combined = combined + "; " + p
    adsl["STRATAR"] = combined.astype(object).where(combined.notna(), None)
    return adsl


def derive_populations(adsl: pd.DataFrame) -> pd.DataFrame:
    """ITTFL (allocated: enrolled or randomized), SAFFL (received any study treatment),
    SCRNFFL (screen failure, DM ARMNRS)."""
    adsl["ITTFL"] = np.where(adsl["ENRLDT"].notna(), "Y", "N")
    adsl["SAFFL"] = np.where(adsl["TRTSDT"].notna(), "Y", "N")
    armnrs = adsl.get("ARMNRS", pd.Series(None, index=adsl.index))
    adsl["SCRNFFL"] = np.where(armnrs == "SCREEN FAILURE", "Y", "N")
    return adsl


def _last_before(df: pd.DataFrame, date: pd.Series, ref: pd.Series, value: pd.Series
                 ) -> pd.Series:
    """Per subject, ``value`` of the latest record dated on or before the subject's ``ref``."""
    d = pd.DataFrame({"USUBJID": df["USUBJID"].astype(str).to_numpy(), "date": date.to_numpy(),
                      "v": value.to_numpy()})
    d["ref"] = d["USUBJID"].map(ref)
    d = d[d["date"].notna() & d["v"].notna() & (d["date"] <= d["ref"])]
    return d.sort_values("date").drop_duplicates("USUBJID", keep="last").set_index(
        "USUBJID")["v"]


def lab_values(records: RecordSet) -> pd.DataFrame:
    """LB in analysis units (bilirubin mg/dL, albumin g/dL, creatinine mg/dL, INR) beside the
    standard-unit value: columns USUBJID, LBTESTCD, date, value (converted), LBSTRESN."""
    lb = table(records, "LB")
    if lb is None:
        return pd.DataFrame(columns=["USUBJID", "LBTESTCD", "date", "value"])
    out = pd.DataFrame({"USUBJID": lb["USUBJID"].astype(str), "LBTESTCD": lb["LBTESTCD"],
                        "date": to_date(lb["LBDTC"]),
                        "value": pd.to_numeric(lb["LBSTRESN"], errors="coerce")})
    unit = lb.get("LBSTRESU", pd.Series(None, index=lb.index)).astype("string")
    for test, analyte, target in (("BILI", "bilirubin", "mg/dL"), ("ALB", "albumin", "g/dL"),
                                  ("CREAT", "creatinine", "mg/dL")):
        sel = out["LBTESTCD"] == test
        for u in unit[sel].dropna().unique():
            m = sel & (unit == u)
            out.loc[m, "value"] = convert(out.loc[m, "value"].to_numpy(float), str(u), target,
                                          analyte=analyte, field=f"LB {test} LBSTRESU")
    return out


def liver_scores(labs: pd.DataFrame, records: RecordSet) -> pd.DataFrame:
    """ALBI score/grade, Child-Pugh points/class and MELD per subject and lab date
    (:mod:`hccrt.clinical.liver`); ascites and encephalopathy from RS CPASCIT/CPENCEPH on the
    same date (points 1 when not recorded, stated in the column CPIMPFL)."""
    if labs.empty:
        return pd.DataFrame(columns=["USUBJID", "date", "ALBI", "ALBIGR", "CPPTS", "CPCLS",
                                     "MELD"])
    wide = labs.pivot_table(index=["USUBJID", "date"], columns="LBTESTCD", values="value",
                            aggfunc="last")
    for c in ("BILI", "ALB", "INR", "CREAT"):
        if c not in wide.columns:
            wide[c] = np.nan
    wide = wide.reset_index()
    asc = enc = None
    rs = table(records, "RS")
    if rs is not None:
        r = pd.DataFrame({"USUBJID": rs["USUBJID"].astype(str), "date": to_date(rs["RSDTC"]),
                          "t": rs["RSTESTCD"], "v": rs["RSSTRESC"]})
        asc = r[r["t"] == "CPASCIT"].drop_duplicates(["USUBJID", "date"], keep="last")
        enc = r[r["t"] == "CPENCEPH"].drop_duplicates(["USUBJID", "date"], keep="last")
    for name, src, pts in (("asc", asc, ASCITES_POINTS), ("enc", enc, ENCEPHALOPATHY_POINTS)):
        if src is None or src.empty:
            wide[name] = np.nan
        else:
            m = src.assign(p=src["v"].map(pts))[["USUBJID", "date", "p"]].rename(
                columns={"p": name})
            wide = wide.merge(m, on=["USUBJID", "date"], how="left")
    wide["CPIMPFL"] = np.where(wide["asc"].isna() | wide["enc"].isna(), "Y", None)
    bili_umol = convert(wide["BILI"].to_numpy(float), "mg/dL", "umol/L", analyte="bilirubin")
    albi = albi_array(bili_umol, wide["ALB"].to_numpy(float) * 10.0)
    pts = child_pugh_points_array(wide["BILI"].to_numpy(float), wide["ALB"].to_numpy(float),
                                  wide["INR"].to_numpy(float), wide["asc"].fillna(1).to_numpy(),
                                  wide["enc"].fillna(1).to_numpy())
    cls = np.full(len(wide), None, dtype=object)
    ok = ~np.isnan(pts)
    if ok.any():
        cls[ok] = child_pugh_class_array(pts[ok].astype(int))
    return pd.DataFrame({
        "USUBJID": wide["USUBJID"], "date": wide["date"], "ALBI": albi,
        "ALBIGR": albi_grade_array(albi), "CPPTS": pts, "CPCLS": cls,
        "MELD": meld_array(wide["BILI"].to_numpy(float), wide["INR"].to_numpy(float),
                           wide["CREAT"].to_numpy(float)),
        "CPIMPFL": wide["CPIMPFL"],
    })


def derive_vars_baseline(adsl: pd.DataFrame, records: RecordSet) -> pd.DataFrame:
    """Baseline characteristics and scores: the last value on or before TRTSDT (ENRLDT for
    untreated subjects): BECOG, BBILI, BALB, BINR, BCREAT, BAFP (ng/mL), BALBI, BALBIGR,
    BCPPTS, BCPCLS, BMELD; BCLC/CNLC from SUPPDM; TUMDOSE (Y-90 tumour absorbed dose of the
    first plan, Gy, XP TUMDOSE) and NECROPCT (largest value of MI NECROPCT)."""
    ref = adsl.set_index("USUBJID")["TRTSDT"].fillna(adsl.set_index("USUBJID")["ENRLDT"])
    ref = ref.fillna(adsl.set_index("USUBJID")["RFICDT"])
    rs = table(records, "RS")
    if rs is not None:
        e = rs["RSTESTCD"] == "ECOG101"
        v = _last_before(rs[e], to_date(rs["RSDTC"])[e], ref,
                         pd.to_numeric(rs["RSSTRESN"], errors="coerce")[e])
        adsl["BECOG"] = adsl["USUBJID"].map(v)
    labs = lab_values(records)
    for test, col in (("BILI", "BBILI"), ("ALB", "BALB"), ("INR", "BINR"),
                      ("CREAT", "BCREAT"), ("AFP", "BAFP")):
        sel = labs["LBTESTCD"] == test
        adsl[col] = adsl["USUBJID"].map(
            _last_before(labs[sel], labs["date"][sel], ref, labs["value"][sel]))
    scores = liver_scores(labs, records)
    for col in ("ALBI", "ALBIGR", "CPPTS", "CPCLS", "MELD"):
        adsl["B" + col] = adsl["USUBJID"].map(
            _last_before(scores, scores["date"], ref, scores[col]))
    supp = table(records, "SUPPDM")
    if supp is not None:
        for q in ("BCLC", "CNLC"):
            s = supp[supp["QNAM"] == q]
            adsl[q] = adsl["USUBJID"].map(dict(zip(s["USUBJID"].astype(str), s["QVAL"],
                                                   strict=False)))
    xp = table(records, "XP")
    if xp is not None:
        x = xp[xp["XPTESTCD"] == "TUMDOSE"].copy()
        x["d"] = to_date(x["XPDTC"])
        x = x.sort_values(["USUBJID", "d"]).drop_duplicates("USUBJID")
        adsl["TUMDOSE"] = adsl["USUBJID"].map(dict(zip(
            x["USUBJID"].astype(str), pd.to_numeric(x["XPSTRESN"], errors="coerce"),
            strict=False)))
    mi = table(records, "MI")
    if mi is not None:
        m = mi[mi["MITESTCD"] == "NECROPCT"]
        adsl["NECROPCT"] = adsl["USUBJID"].map(
            pd.to_numeric(m["MISTRESN"], errors="coerce").groupby(
                m["USUBJID"].astype(str).to_numpy()).max())
    return adsl


def derive_adsl(records: RecordSet, protocol: Protocol,
                data_cutoff: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """ADSL of ``records`` for ``protocol`` (one row per subject in DM).

    Args:
        records: the trial's record set (SDTM-shaped; DM required, DS/EX/CM/PR/LB/RS used when
            present).
        protocol: the loaded protocol (arms, design type, end of study).
        data_cutoff: optional ISO date; follow-up beyond it is not used (STUDYEDT <= cut-off).
    """
    records = check_records(records)
    cut = None
    if data_cutoff is not None:
        cut = pd.to_datetime(data_cutoff, errors="coerce")
        if pd.isna(cut):
            raise InputError("data_cutoff", data_cutoff, "an ISO 8601 date, e.g. 2026-06-30")
    adsl = derive_vars_dm(records, protocol)
    adsl = derive_vars_allocation(adsl, records, protocol)
    adsl = derive_vars_treatment(adsl, records)
    adsl = derive_vars_subsequent(adsl, records)
    adsl = derive_vars_disposition(adsl, records)
    adsl = derive_var_lstalvdt(adsl, records)
    adsl = derive_var_studyend(adsl, protocol, cut)
    adsl = derive_populations(adsl)
    adsl = derive_vars_strata(adsl, records, protocol)
    adsl = derive_vars_baseline(adsl, records)
    return adsl
