"""The record tables: one definition of every SDTM-shaped domain hccrt writes and reads.

Every capture path (web records bridge, SDTM/CSV import, the synthetic cohort generator)
produces these tables and every derivation reads them (DESIGN.md, "Records are SDTM-shaped").
Variable names, labels, types and cores follow CDISC SDTMIG v3.4 where SDTM has the variable;
custom domains (names starting with X) follow the SDTM findings-class pattern.

Conventions
-----------
* ``type`` is SDTM's ``Char`` or ``Num``; ``core`` is ``Req`` (must be present and non-null on
  every row), ``Exp`` (column must be present, may be null) or ``Perm`` (may be absent).
* Every ``--DTC`` variable holds ISO 8601 text: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a
  date-time ``YYYY-MM-DDThh:mm[:ss]``.
* Controlled terminology is enforced where downstream code depends on it (units, toxicity
  grades, lesion roles, responses, dispositions, test codes). CDISC codelists are extensible;
  where hccrt adds a term it is listed in :data:`HCCRT_EXTENSIONS` with the reason.

hccrt-specific codes (SDTM has none; documented here, read by :mod:`hccrt.response.sdtm`)
-----------------------------------------------------------------------------------------
* TR ``TRTESTCD = VIABDIAM`` -- longest diameter of the viable (arterially enhancing) part of a
  lesion, for mRECIST; in mm, next to ``LDIAM`` (the anatomic longest diameter).
* SUPPTU ``QNAM = INFIELD`` (Y/N) -- the lesion lies inside the treated area (localized
  criteria); ``TYPHCC`` (Y/N) typical HCC enhancement; ``COUINAUD`` (1-8) segment; ``MPVT``
  (Y/N) malignant portal vein thrombosis; ``EFFUS`` and ``CYTOLPOS`` (Y/N) effusion and its
  cytology. Each qualifies the TU record identified by ``IDVAR = TUSEQ``.
* SUPPCM/SUPPPR ``QNAM = SUBTXRSN`` -- reason a subsequent anti-cancer treatment was started
  (see :data:`SUBSEQUENT_REASONS`); such records carry ``--CAT = SUBSEQUENT ANTI-CANCER THERAPY``.
* XP (custom, findings): Y-90 treatment plans; one record per planned quantity, the plan
  identified by ``XPGRPID``, the model in ``XPMETHOD`` (see :data:`XP_TESTS`).
* XA (custom, findings): Y-90 administrations; delivered and residual activity, linked to the
  EX record by ``XALNKID = EXLNKID`` and to the plan by ``XAGRPID = XPGRPID``.
* XL (custom, findings): regional liver function by hepatobiliary scintigraphy with SPECT-CT
  (RESCUE's regional-liver-function endpoint); one record per scan and liver territory,
  ``XLTESTCD = HBUPTR`` (BSA-corrected hepatic tracer uptake rate, %/min/m2) with the territory
  in ``XLLOC`` (WHOLE LIVER, TREATED TERRITORY, UNTREATED LIVER) and the tracer/technique in
  ``XLMETHOD``. SDTMIG 3.3 added morphology/physiology domains per body system (CV, MK, NV,
  OE, RE, RP, UR) but none for the hepatobiliary system, LB is for specimen-based tests and MO
  is gone in 3.4, so a custom findings-class domain (code starting with X, SDTMIG section 2.6)
  with the test as the measurement and the territory as the location qualifier is the
  smallest conformant representation.
* Pathological necrosis after resection or transplant: MI (microscopic findings),
  ``MITESTCD = NECROPCT`` (% necrosis of the tumour named by ``MILNKID = TULNKID``).
* QS item codes: QLQ-C30 items ``EOR0101``-``EOR0130`` (CDISC QS terminology for
  EORTC QLQ-C30 v3.0); QLQ-HCC18 items ``HCC1831``-``HCC1848`` (hccrt codes, numbered 31-48 as in
  :mod:`hccrt.clinical.qol`).
* ECOG performance status is a clinical classification (RS): ``RSCAT = ECOG``,
  ``RSTESTCD = ECOG101``, ``RSSTRESN`` 0-5. The Child-Pugh clinical components are RS records
  with ``RSCAT = CHILD-PUGH CLASSIFICATION``: ``RSTESTCD = CPASCIT`` (NONE, SLIGHT,
  MODERATE-SEVERE) and ``CPENCEPH`` (NONE, GRADE 1-2, GRADE 3-4); bilirubin, albumin and INR
  come from LB at the same visit.
* Screen failures are in DM with ``ARMNRS = SCREEN FAILURE`` and null ARMCD/ARM (SDTMIG 3.4),
  with a DS ``SCREEN FAILURE`` record and the criteria not met in IE.
* Withdrawal of consent: ``DSDECOD = WITHDRAWAL BY SUBJECT`` with ``DSTERM = WITHDRAWAL OF
  CONSENT``; loss to follow-up: ``DSDECOD = LOST TO FOLLOW-UP``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hccrt.units import KNOWN_UNITS, allowed_units

Core = Literal["Req", "Exp", "Perm"]
VarType = Literal["Char", "Num"]


@dataclass(frozen=True)
class Variable:
    """One SDTM variable: name, label, type, core and optional controlled terminology."""

    name: str
    label: str
    type: VarType = "Char"
    core: Core = "Perm"
    codelist: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Domain:
    """One SDTM domain: its code, label, class, variables (in order) and key variables."""

    code: str
    label: str
    cls: Literal["special", "interventions", "events", "findings", "relationship"]
    variables: tuple[Variable, ...]
    keys: tuple[str, ...]
    custom: bool = False
    notes: str = ""
    _by_name: dict[str, Variable] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({v.name: v for v in self.variables})

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in SDTMIG order."""
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable | None:
        """The variable called ``name``, or None."""
        return self._by_name.get(name)

    def required(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables if v.core == "Req")

    def expected(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables if v.core == "Exp")

    @property
    def seq(self) -> str | None:
        """The --SEQ variable name, if the domain has one."""
        name = f"{self.code}SEQ"
        return name if name in self._by_name else None


# --------------------------------------------------------------------------- codelists

NY = ("Y", "N", "U", "NA")
Y_ONLY = ("Y",)
SEX = ("M", "F", "U", "UNDIFFERENTIATED")
AGEU = ("YEARS", "MONTHS", "DAYS")
RACE = (
    "AMERICAN INDIAN OR ALASKA NATIVE", "ASIAN", "BLACK OR AFRICAN AMERICAN",
    "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER", "WHITE", "MULTIPLE", "OTHER", "UNKNOWN",
    "NOT REPORTED",
)
ETHNIC = ("HISPANIC OR LATINO", "NOT HISPANIC OR LATINO", "NOT REPORTED", "UNKNOWN")
ARMNRS = ("SCREEN FAILURE", "NOT ASSIGNED", "ASSIGNED, NOT TREATED", "UNPLANNED TREATMENT",
          "NOT TREATED")
DSCAT = ("PROTOCOL MILESTONE", "DISPOSITION EVENT", "OTHER EVENT")
#: CDISC NCOMPLT (completion / reason for non-completion), the terms hccrt uses.
DS_DISPOSITION = (
    "COMPLETED", "ADVERSE EVENT", "DEATH", "LACK OF EFFICACY", "LOST TO FOLLOW-UP",
    "PHYSICIAN DECISION", "PREGNANCY", "PROGRESSIVE DISEASE", "PROTOCOL DEVIATION",
    "PROTOCOL VIOLATION", "SCREEN FAILURE", "SITE TERMINATED BY SPONSOR",
    "STUDY TERMINATED BY SPONSOR", "TECHNICAL PROBLEMS", "WITHDRAWAL BY SUBJECT",
    "WITHDRAWAL BY PARENT/GUARDIAN", "OTHER",
)
#: Protocol milestones (CDISC C114118 terms plus ENROLLED, see HCCRT_EXTENSIONS).
DS_MILESTONE = ("INFORMED CONSENT OBTAINED", "RANDOMIZED", "ENROLLED",
                "ELIGIBILITY CRITERIA MET", "ELIGIBILITY CRITERIA NOT MET")
IECAT = ("INCLUSION", "EXCLUSION")
AESEV = ("MILD", "MODERATE", "SEVERE")
TOXGR = ("0", "1", "2", "3", "4", "5")
AEACN = ("DOSE INCREASED", "DOSE NOT CHANGED", "DOSE REDUCED", "DRUG INTERRUPTED",
         "DRUG WITHDRAWN", "NOT APPLICABLE", "UNKNOWN")
AEOUT = ("FATAL", "NOT RECOVERED/NOT RESOLVED", "RECOVERED/RESOLVED",
         "RECOVERED/RESOLVED WITH SEQUELAE", "RECOVERING/RESOLVING", "UNKNOWN")
#: Causality (sponsor-defined in SDTM); hccrt uses a five-level scale.
AEREL = ("NOT RELATED", "UNLIKELY RELATED", "POSSIBLY RELATED", "PROBABLY RELATED", "RELATED")
NRIND = ("LOW", "NORMAL", "HIGH", "ABNORMAL")
STAT = ("NOT DONE",)
LESION_ROLES = ("TARGET", "NON-TARGET", "NEW")
TUTESTCD = ("TUMIDENT",)
TRTESTCD = ("LDIAM", "LPERP", "VIABDIAM", "TUMSTATE", "SUMDIAM", "SUMVDIAM")
TUMSTATE = ("PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION", "EQUIVOCAL", "NOT EVALUABLE",
            "TOO SMALL TO MEASURE")
RS_RESPONSES = ("CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD", "NED")
RSTESTCD = ("OVRLRESP", "TRGRESP", "NTRGRESP", "NEWLPROG", "ECOG101", "CPCLAS", "BCLCSTG",
            "CPASCIT", "CPENCEPH")
#: Child-Pugh clinical components (RSCAT = CHILD-PUGH CLASSIFICATION), the grades of
#: :mod:`hccrt.clinical.liver` in upper case.
CP_ASCITES = ("NONE", "SLIGHT", "MODERATE-SEVERE")
CP_ENCEPHALOPATHY = ("NONE", "GRADE 1-2", "GRADE 3-4")
#: Response criteria sets, as RSCAT (and TU/TR --CAT when a record is criteria-specific).
RSCAT = ("RECIST 1.1", "MRECIST", "LOCALIZED MRECIST", "LOCALIZED RECIST 1.1", "ECOG",
         "CHILD-PUGH CLASSIFICATION", "BCLC STAGING")
#: Sites of lesions (CDISC LOC terms used in HCC trials and in the pharmaverse examples).
TULOC = (
    "LIVER", "LUNG", "LYMPH NODE", "BONE", "ADRENAL GLAND", "PERITONEUM", "PORTAL VEIN",
    "HEPATIC VEIN", "INFERIOR VENA CAVA", "BRAIN", "PLEURA", "ABDOMINAL WALL", "SPLEEN",
    "BODY", "CHEST", "ANUS", "BLADDER", "BREAST", "COLON", "ESOPHAGUS", "HEAD AND NECK",
    "KIDNEY", "PANCREAS", "STOMACH", "SKIN", "SOFT TISSUE", "OTHER",
)
TUMETHOD = ("CT SCAN", "MRI", "PET/CT", "X-RAY", "ULTRASOUND", "PHYSICAL EXAMINATION")
EVAL = ("INVESTIGATOR", "INDEPENDENT ASSESSOR", "ADJUDICATOR", "SPONSOR")
ROUTE = ("INTRA-ARTERIAL", "INTRAVENOUS", "ORAL", "SUBCUTANEOUS", "EXTERNAL BEAM", "OTHER")
EXDOSU = ("GBq", "MBq", "Gy", "mg", "mg/m2", "mg/kg", "mL", "AUC")
EXDOSFRM = ("MICROSPHERE", "RADIATION", "INJECTION", "SOLUTION", "TABLET", "CAPSULE")
EXDOSFRQ = ("ONCE", "QD", "BID", "Q3W", "Q4W", "QOD")
SUBSEQUENT_REASONS = (
    "PROGRESSIVE DISEASE", "RESIDUAL TUMOUR", "CURATIVE CONVERSION", "NEW LESION",
    "TOXICITY", "PATIENT PREFERENCE", "OTHER",
)
SUBSEQUENT_CAT = "SUBSEQUENT ANTI-CANCER THERAPY"

#: LBTESTCD -> the :mod:`hccrt.units` analyte whose unit table governs LBORRESU/LBSTRESU.
LB_ANALYTE: dict[str, str] = {
    "BILI": "bilirubin", "ALB": "albumin", "CREAT": "creatinine", "HGB": "hemoglobin",
    "PLAT": "platelets", "NEUT": "neutrophils", "WBC": "wbc", "LYM": "lymphocytes",
    "AST": "ast", "ALT": "alt", "ALP": "alp", "GGT": "ggt", "INR": "inr", "SODIUM": "sodium",
    "K": "potassium",
}
#: Lab tests without a units-module analyte: test code -> allowed units ("" for text results).
LB_OTHER: dict[str, tuple[str, ...]] = {
    "AFP": ("ng/mL", "ug/L", "IU/mL"),
    "PIVKAII": ("mAU/mL",),
    "PT": ("sec",),
    "HBSAG": ("",),
    "HCVAB": ("",),
    "HCG": ("",),
}
LBTESTCD = (*LB_ANALYTE, *LB_OTHER)
#: Vital signs: test code -> allowed units.
VS_UNITS: dict[str, tuple[str, ...]] = {
    "HEIGHT": ("cm",), "WEIGHT": ("kg",), "BMI": ("kg/m2",), "BSA": ("m2",),
    "SYSBP": ("mmHg",), "DIABP": ("mmHg",), "PULSE": ("beats/min",), "TEMP": ("C",),
}
QSCAT = ("EORTC QLQ-C30 V3.0", "EORTC QLQ-HCC18")
QLQC30_TESTCD = tuple(f"EOR01{i:02d}" for i in range(1, 31))
HCC18_TESTCD = tuple(f"HCC18{i:02d}" for i in range(31, 49))

#: Y-90 plan quantities (XPTESTCD -> (XPTEST, unit)).
XP_TESTS: dict[str, tuple[str, str]] = {
    "ACTIVITY": ("Planned Activity", "GBq"),
    "LSF": ("Lung Shunt Fraction", "%"),
    "TNR": ("Tumour to Normal Liver Uptake Ratio", ""),
    "TUMVOL": ("Perfused Tumour Volume", "mL"),
    "NLVOL": ("Perfused Normal Liver Volume", "mL"),
    "LIVVOL": ("Total Liver Volume", "mL"),
    "TUMMASS": ("Perfused Tumour Mass", "kg"),
    "NLMASS": ("Perfused Normal Liver Mass", "kg"),
    "LUNGMASS": ("Lung Mass", "kg"),
    "TARGDOSE": ("Prescribed Tumour Absorbed Dose", "Gy"),
    "TUMDOSE": ("Tumour Absorbed Dose", "Gy"),
    "NLDOSE": ("Normal Liver Absorbed Dose", "Gy"),
    "LUNGDOSE": ("Lung Absorbed Dose", "Gy"),
    "CLUNGDSE": ("Cumulative Lung Absorbed Dose", "Gy"),
    "DOSECONS": ("Dose Constant", "Gy.kg/GBq"),
    "BSA": ("Body Surface Area", "m2"),
    "UNTRFRAC": ("Untreated Non-tumorous Liver Fraction", "%"),
}
XP_METHOD = ("MIRD", "PARTITION", "MULTICOMPARTMENT", "BSA")
#: Regional liver function (XLTESTCD -> (XLTEST, unit)); territories in XL_LOC.
XL_TESTS: dict[str, tuple[str, str]] = {
    "HBUPTR": ("Hepatic Tracer Uptake Rate, BSA-corrected", "%/min/m2"),
}
XL_LOC = ("WHOLE LIVER", "TREATED TERRITORY", "UNTREATED LIVER")
#: Y-90 administration quantities (XATESTCD -> (XATEST, unit)).
XA_TESTS: dict[str, tuple[str, str]] = {
    "PRESACT": ("Prescribed Activity", "GBq"),
    "VIALACT": ("Vial Activity at Administration", "GBq"),
    "DELACT": ("Delivered Activity", "GBq"),
    "RESACT": ("Residual Activity", "GBq"),
    "RESPCT": ("Residual Fraction", "%"),
    "DELPCT": ("Delivered Percent of Prescribed", "%"),
}
MI_TESTS: dict[str, tuple[str, str]] = {
    "NECROPCT": ("Tumour Necrosis", "%"),
    "RESMARG": ("Resection Margin Status", ""),
}
#: All unit spellings allowed in --ORRESU/--STRESU outside LB (LB units are per test).
UNITS = tuple(sorted({
    *KNOWN_UNITS, *(u for us in LB_OTHER.values() for u in us),
    *(u for us in VS_UNITS.values() for u in us),
    *(u for _, u in XP_TESTS.values()), *(u for _, u in XA_TESTS.values()),
    *(u for _, u in XL_TESTS.values()),
    *(u for _, u in MI_TESTS.values()), "mm", "cm", "Gy", "GBq", "%",
} - {""}))

#: Terms hccrt adds to extensible CDISC codelists, with the reason.
HCCRT_EXTENSIONS: dict[str, str] = {
    "DSDECOD ENROLLED": "non-randomized designs record allocation as a milestone too",
    "TRTESTCD VIABDIAM": "mRECIST viable-tumour diameter; SDTM has no test code for it",
    "TRTESTCD SUMVDIAM": "sum of viable diameters (mRECIST), beside SUMDIAM",
    "RSTESTCD CPCLAS": "Child-Pugh class as a clinical classification",
    "RSTESTCD BCLCSTG": "BCLC stage as a clinical classification",
    "RSTESTCD CPASCIT, CPENCEPH": "Child-Pugh ascites and encephalopathy grades, so that "
    "Child-Pugh points can be derived at every lab visit with the labs in LB",
    "QSTESTCD HCC1831-HCC1848": "QLQ-HCC18 items; not in CDISC QS terminology",
    "XP, XA": "Y-90 planning and administration; SDTM has no domain for them",
    "MITESTCD NECROPCT": "percent pathological necrosis of a resected tumour",
    "XL": "regional liver function by hepatobiliary scintigraphy; SDTM has no hepatobiliary "
    "physiology domain",
}


# --------------------------------------------------------------------------- builders


def _v(name: str, label: str, type: VarType = "Char", core: Core = "Perm",
       codelist: tuple[str, ...] | None = None) -> Variable:
    return Variable(name, label, type, core, codelist)


def _ident(code: str, seq: bool = True) -> list[Variable]:
    out = [
        _v("STUDYID", "Study Identifier", core="Req"),
        _v("DOMAIN", "Domain Abbreviation", core="Req", codelist=(code,)),
        _v("USUBJID", "Unique Subject Identifier", core="Req"),
    ]
    if seq:
        out.append(_v(f"{code}SEQ", "Sequence Number", "Num", "Req"))
    return out


def _grp(code: str, *names: str) -> list[Variable]:
    labels = {"GRPID": "Group ID", "REFID": "Reference ID", "SPID": "Sponsor-Defined Identifier",
              "LNKID": "Link ID", "LNKGRP": "Link Group ID"}
    return [_v(f"{code}{n}", labels[n]) for n in names]


def _visit(core: Core = "Perm") -> list[Variable]:
    return [
        _v("VISITNUM", "Visit Number", "Num", core),
        _v("VISIT", "Visit Name"),
        _v("VISITDY", "Planned Study Day of Visit", "Num"),
        _v("EPOCH", "Epoch", codelist=("SCREENING", "TREATMENT", "FOLLOW-UP")),
    ]


def _findings(code: str, label: str, testcd: tuple[str, ...] | None, *, extra: list[Variable],
              dtc_core: Core = "Exp", cat: tuple[str, ...] | None = None,
              custom: bool = False, units: tuple[str, ...] | None = UNITS,
              notes: str = "") -> Domain:
    c = code
    vars_ = [
        *_ident(c), *_grp(c, "GRPID", "REFID", "SPID", "LNKID"),
        _v(f"{c}TESTCD", "Test or Examination Short Name", core="Req",
           codelist=testcd),
        _v(f"{c}TEST", "Test or Examination Name", core="Req"),
        _v(f"{c}CAT", "Category", codelist=cat),
        _v(f"{c}SCAT", "Subcategory"),
        _v(f"{c}ORRES", "Result or Finding in Original Units", core="Exp"),
        _v(f"{c}ORRESU", "Original Units", core="Exp", codelist=units),
        _v(f"{c}STRESC", "Character Result/Finding in Std Format", core="Exp"),
        _v(f"{c}STRESN", "Numeric Result/Finding in Standard Units", "Num", "Exp"),
        _v(f"{c}STRESU", "Standard Units", core="Exp", codelist=units),
        _v(f"{c}STAT", "Completion Status", codelist=STAT),
        _v(f"{c}REASND", "Reason Not Done"),
        *extra,
        _v(f"{c}BLFL", "Baseline Flag", codelist=Y_ONLY),
        _v(f"{c}LOBXFL", "Last Observation Before Exposure Flag", codelist=Y_ONLY),
        *_visit("Exp"),
        _v(f"{c}DTC", "Date/Time of Collection", core=dtc_core),
        _v(f"{c}DY", "Study Day of Collection", "Num"),
    ]
    return Domain(c, label, "findings", tuple(vars_), ("USUBJID", f"{c}SEQ"), custom, notes)


def _timing_events(c: str) -> list[Variable]:
    return [
        *_visit(),
        _v(f"{c}STDTC", "Start Date/Time", core="Exp"),
        _v(f"{c}ENDTC", "End Date/Time"),
        _v(f"{c}STDY", "Study Day of Start", "Num"),
        _v(f"{c}ENDY", "Study Day of End", "Num"),
    ]


# --------------------------------------------------------------------------- domains

DM = Domain("DM", "Demographics", "special", (
    *_ident("DM", seq=False),
    _v("SUBJID", "Subject Identifier for the Study", core="Req"),
    _v("RFSTDTC", "Subject Reference Start Date/Time", core="Exp"),
    _v("RFENDTC", "Subject Reference End Date/Time", core="Exp"),
    _v("RFXSTDTC", "Date/Time of First Study Treatment", core="Exp"),
    _v("RFXENDTC", "Date/Time of Last Study Treatment", core="Exp"),
    _v("RFICDTC", "Date/Time of Informed Consent", core="Exp"),
    _v("RFPENDTC", "Date/Time of End of Participation", core="Exp"),
    _v("DTHDTC", "Date/Time of Death", core="Exp"),
    _v("DTHFL", "Subject Death Flag", core="Exp", codelist=Y_ONLY),
    _v("SITEID", "Study Site Identifier", core="Req"),
    _v("INVID", "Investigator Identifier"),
    _v("BRTHDTC", "Date/Time of Birth"),
    _v("AGE", "Age", "Num", "Exp"),
    _v("AGEU", "Age Units", core="Exp", codelist=AGEU),
    _v("SEX", "Sex", core="Req", codelist=SEX),
    _v("RACE", "Race", core="Exp", codelist=RACE),
    _v("ETHNIC", "Ethnicity", codelist=ETHNIC),
    _v("ARMCD", "Planned Arm Code", core="Exp"),
    _v("ARM", "Description of Planned Arm", core="Exp"),
    _v("ACTARMCD", "Actual Arm Code", core="Exp"),
    _v("ACTARM", "Description of Actual Arm", core="Exp"),
    _v("ARMNRS", "Reason Arm and/or Actual Arm is Null", core="Exp", codelist=ARMNRS),
    _v("ACTARMUD", "Description of Unplanned Actual Arm", core="Exp"),
    _v("COUNTRY", "Country", core="Req"),
    _v("DMDTC", "Date/Time of Collection"),
    _v("DMDY", "Study Day of Collection", "Num"),
), ("USUBJID",), notes="one record per subject screened, screen failures included")

DS = Domain("DS", "Disposition", "events", (
    *_ident("DS"), *_grp("DS", "GRPID", "REFID", "SPID"),
    _v("DSTERM", "Reported Term for the Disposition Event", core="Req"),
    _v("DSDECOD", "Standardized Disposition Term", core="Req"),
    _v("DSCAT", "Category for Disposition Event", core="Exp", codelist=DSCAT),
    _v("DSSCAT", "Subcategory for Disposition Event"),
    *_visit(),
    _v("DSDTC", "Date/Time of Collection"),
    _v("DSSTDTC", "Start Date/Time of Disposition Event", core="Exp"),
    _v("DSSTDY", "Study Day of Start of Disposition Event", "Num"),
), ("USUBJID", "DSSEQ"))

SV = Domain("SV", "Subject Visits", "special", (
    *_ident("SV", seq=False),
    _v("VISITNUM", "Visit Number", "Num", "Req"),
    _v("VISIT", "Visit Name"),
    _v("VISITDY", "Planned Study Day of Visit", "Num"),
    _v("EPOCH", "Epoch", codelist=("SCREENING", "TREATMENT", "FOLLOW-UP")),
    _v("SVPRESP", "Pre-specified", codelist=Y_ONLY),
    _v("SVOCCUR", "Occurrence", codelist=NY),
    _v("SVREASOC", "Reason for Occur Value"),
    _v("SVSTDTC", "Start Date/Time of Observation", core="Exp"),
    _v("SVENDTC", "End Date/Time of Observation", core="Exp"),
    _v("SVSTDY", "Study Day of Start of Observation", "Num"),
    _v("SVENDY", "Study Day of End of Observation", "Num"),
    _v("SVUPDES", "Description of Unplanned Visit"),
), ("USUBJID", "VISITNUM"), notes="a missed visit has SVOCCUR = N and no dates")

IE = Domain("IE", "Inclusion/Exclusion Criteria Not Met", "findings", (
    *_ident("IE"), *_grp("IE", "SPID"),
    _v("IETESTCD", "Inclusion/Exclusion Criterion Short Name", core="Req"),
    _v("IETEST", "Inclusion/Exclusion Criterion", core="Req"),
    _v("IECAT", "Inclusion/Exclusion Category", core="Req", codelist=IECAT),
    _v("IEORRES", "I/E Criterion Original Result", core="Req", codelist=NY),
    _v("IESTRESC", "I/E Criterion Result in Std Format", core="Req", codelist=NY),
    *_visit(),
    _v("IEDTC", "Date/Time of Collection", core="Exp"),
    _v("IEDY", "Study Day of Collection", "Num"),
), ("USUBJID", "IESEQ"), notes="IETESTCD INnn/EXnn numbers the protocol's criteria in order; "
   "IESPID holds the protocol's criterion id")

EX = Domain("EX", "Exposure", "interventions", (
    *_ident("EX"), *_grp("EX", "GRPID", "REFID", "SPID", "LNKID"),
    _v("EXTRT", "Name of Treatment", core="Req"),
    _v("EXCAT", "Category of Treatment", codelist=("Y-90 RADIOEMBOLIZATION", "SBRT", "HAIC",
                                                   "SYSTEMIC THERAPY", "IMMUNOTHERAPY",
                                                   "RADIOTHERAPY")),
    _v("EXDOSE", "Dose", "Num", "Exp"),
    _v("EXDOSTXT", "Dose Description"),
    _v("EXDOSU", "Dose Units", core="Exp", codelist=EXDOSU),
    _v("EXDOSFRM", "Dose Form", core="Exp", codelist=EXDOSFRM),
    _v("EXDOSFRQ", "Dosing Frequency per Interval", codelist=EXDOSFRQ),
    _v("EXROUTE", "Route of Administration", codelist=ROUTE),
    _v("EXLOC", "Location of Dose Administration"),
    _v("EXLAT", "Laterality", codelist=("LEFT", "RIGHT", "BILATERAL")),
    _v("EXADJ", "Reason for Dose Adjustment"),
    *_timing_events("EX"),
), ("USUBJID", "EXSEQ"), notes=(
    "Y-90: one record per administration (EXDOSE GBq delivered, EXLNKID links XA/XP); SBRT: one "
    "record per fraction (EXDOSE Gy, EXGRPID course, EXLOC target); HAIC: one record per drug "
    "per cycle (EXDOSE mg/m2, EXGRPID cycle)"))

PR = Domain("PR", "Procedures", "interventions", (
    *_ident("PR"), *_grp("PR", "GRPID", "REFID", "SPID", "LNKID"),
    _v("PRTRT", "Reported Name of Procedure", core="Req"),
    _v("PRDECOD", "Standardized Procedure Name"),
    _v("PRCAT", "Category"),
    _v("PRSCAT", "Subcategory"),
    _v("PRPRESP", "Pre-specified", codelist=Y_ONLY),
    _v("PROCCUR", "Occurrence", codelist=NY),
    _v("PRINDC", "Indication"),
    _v("PRLOC", "Location of Procedure"),
    *_timing_events("PR"),
), ("USUBJID", "PRSEQ"))

CM = Domain("CM", "Concomitant/Prior Medications", "interventions", (
    *_ident("CM"), *_grp("CM", "GRPID", "SPID"),
    _v("CMTRT", "Reported Name of Drug, Med, or Therapy", core="Req"),
    _v("CMDECOD", "Standardized Medication Name"),
    _v("CMCAT", "Category for Medication"),
    _v("CMSCAT", "Subcategory for Medication"),
    _v("CMINDC", "Indication"),
    _v("CMDOSE", "Dose per Administration", "Num"),
    _v("CMDOSU", "Dose Units"),
    _v("CMROUTE", "Route of Administration", codelist=ROUTE),
    *_timing_events("CM"),
), ("USUBJID", "CMSEQ"))

MH = Domain("MH", "Medical History", "events", (
    *_ident("MH"), *_grp("MH", "SPID"),
    _v("MHTERM", "Reported Term for the Medical History", core="Req"),
    _v("MHDECOD", "Dictionary-Derived Term"),
    _v("MHCAT", "Category for Medical History"),
    _v("MHSCAT", "Subcategory for Medical History"),
    _v("MHPRESP", "Medical History Event Pre-Specified", codelist=Y_ONLY),
    _v("MHOCCUR", "Medical History Occurrence", codelist=NY),
    *_visit(),
    _v("MHDTC", "Date/Time of History Collection"),
    _v("MHSTDTC", "Start Date/Time of Medical History Event"),
    _v("MHENDTC", "End Date/Time of Medical History Event"),
    _v("MHENRF", "End Relative to Reference Period",
       codelist=("BEFORE", "DURING", "AFTER", "DURING/AFTER", "ONGOING", "U")),
), ("USUBJID", "MHSEQ"))

AE = Domain("AE", "Adverse Events", "events", (
    *_ident("AE"), *_grp("AE", "GRPID", "REFID", "SPID"),
    _v("AETERM", "Reported Term for the Adverse Event", core="Req"),
    _v("AEDECOD", "Dictionary-Derived Term", core="Req"),
    _v("AECAT", "Category for Adverse Event"),
    _v("AESCAT", "Subcategory for Adverse Event"),
    _v("AEBODSYS", "Body System or Organ Class", core="Exp"),
    _v("AELOC", "Location of Event"),
    _v("AESEV", "Severity/Intensity", codelist=AESEV),
    _v("AESER", "Serious Event", core="Exp", codelist=("Y", "N")),
    _v("AEACN", "Action Taken with Study Treatment", core="Exp", codelist=AEACN),
    _v("AEREL", "Causality", core="Exp", codelist=AEREL),
    _v("AEOUT", "Outcome of Adverse Event", codelist=AEOUT),
    _v("AESDTH", "Results in Death", codelist=("Y", "N")),
    _v("AESHOSP", "Requires or Prolongs Hospitalization", codelist=("Y", "N")),
    _v("AESLIFE", "Is Life Threatening", codelist=("Y", "N")),
    _v("AETOXGR", "Standard Toxicity Grade", core="Exp", codelist=TOXGR[1:]),
    _v("EPOCH", "Epoch", codelist=("SCREENING", "TREATMENT", "FOLLOW-UP")),
    _v("AESTDTC", "Start Date/Time of Adverse Event", core="Exp"),
    _v("AEENDTC", "End Date/Time of Adverse Event", core="Exp"),
    _v("AESTDY", "Study Day of Start of Adverse Event", "Num"),
    _v("AEENDY", "Study Day of End of Adverse Event", "Num"),
), ("USUBJID", "AESEQ"), notes="AETOXGR is the CTCAE v5.0 grade (1-5)")

DV = Domain("DV", "Protocol Deviations", "events", (
    *_ident("DV"), *_grp("DV", "REFID", "SPID"),
    _v("DVTERM", "Protocol Deviation Term", core="Req"),
    _v("DVDECOD", "Protocol Deviation Coded Term"),
    _v("DVCAT", "Category for Protocol Deviation"),
    _v("DVSCAT", "Subcategory for Protocol Deviation"),
    *_visit(),
    _v("DVSTDTC", "Start Date/Time of Deviation", core="Exp"),
    _v("DVENDTC", "End Date/Time of Deviation"),
), ("USUBJID", "DVSEQ"), notes="visit-window deviations: DVCAT = VISIT WINDOW, VISITNUM set")

LB = _findings("LB", "Laboratory Test Results", LBTESTCD, extra=[
    _v("LBORNRLO", "Reference Range Lower Limit in Orig Unit"),
    _v("LBORNRHI", "Reference Range Upper Limit in Orig Unit"),
    _v("LBSTNRLO", "Reference Range Lower Limit-Std Units", "Num"),
    _v("LBSTNRHI", "Reference Range Upper Limit-Std Units", "Num"),
    _v("LBNRIND", "Reference Range Indicator", codelist=NRIND),
    _v("LBSPEC", "Specimen Type", codelist=("SERUM", "PLASMA", "BLOOD", "URINE")),
    _v("LBFAST", "Fasting Status", codelist=NY),
    _v("LBTOX", "Toxicity"),
    _v("LBTOXGR", "Standard Toxicity Grade", codelist=TOXGR),
], cat=("CHEMISTRY", "HEMATOLOGY", "COAGULATION", "SEROLOGY", "TUMOR MARKERS", "URINALYSIS"),
   units=None, notes="units are checked per test: LB_ANALYTE tests against hccrt.units")

VS = _findings("VS", "Vital Signs", tuple(VS_UNITS), extra=[
    _v("VSPOS", "Vital Signs Position of Subject", codelist=("SITTING", "STANDING", "SUPINE")),
    _v("VSLOC", "Location of Vital Signs Measurement"),
], units=None)

QS = _findings("QS", "Questionnaires", (*QLQC30_TESTCD, *HCC18_TESTCD), extra=[
    _v("QSEVAL", "Evaluator"),
], cat=QSCAT)

TU = Domain("TU", "Tumor/Lesion Identification", "findings", (
    *_ident("TU"), *_grp("TU", "GRPID", "REFID", "SPID"),
    _v("TULNKID", "Link ID", core="Exp"),
    _v("TULNKGRP", "Link Group"),
    _v("TUTESTCD", "Tumor/Lesion ID Short Name", core="Req", codelist=TUTESTCD),
    _v("TUTEST", "Tumor/Lesion ID Test Name", core="Req"),
    _v("TUCAT", "Category", codelist=RSCAT),
    _v("TUORRES", "Tumor/Lesion ID Result", core="Exp", codelist=LESION_ROLES),
    _v("TUSTRESC", "Tumor/Lesion ID Result Std. Format", core="Exp", codelist=LESION_ROLES),
    _v("TUNAM", "Laboratory/Vendor Name"),
    _v("TULOC", "Location of the Tumor/Lesion", core="Exp", codelist=TULOC),
    _v("TULAT", "Laterality", codelist=("LEFT", "RIGHT", "BILATERAL")),
    _v("TUDIR", "Directionality"),
    _v("TUPORTOT", "Portion or Totality"),
    _v("TUMETHOD", "Method of Identification", core="Exp", codelist=TUMETHOD),
    _v("TUEVAL", "Evaluator", core="Exp", codelist=EVAL),
    _v("TUEVALID", "Evaluator Identifier"),
    _v("TUACPTFL", "Accepted Record Flag", codelist=Y_ONLY),
    _v("TUBLFL", "Baseline Flag", codelist=Y_ONLY),
    *_visit("Exp"),
    _v("TUDTC", "Date/Time of Tumor/Lesion Identification", core="Exp"),
    _v("TUDY", "Study Day of Tumor/Lesion Identification", "Num"),
), ("USUBJID", "TUSEQ"), notes="SUPPTU INFIELD/TYPHCC/COUINAUD/MPVT qualify lesions")

TR = Domain("TR", "Tumor/Lesion Results", "findings", (
    *_ident("TR"), *_grp("TR", "GRPID", "REFID", "SPID"),
    _v("TRLNKID", "Link ID", core="Exp"),
    _v("TRLNKGRP", "Link Group"),
    _v("TRTESTCD", "Tumor/Lesion Assessment Short Name", core="Req", codelist=TRTESTCD),
    _v("TRTEST", "Tumor/Lesion Assessment Test Name", core="Req"),
    _v("TRCAT", "Category", codelist=RSCAT),
    _v("TRORRES", "Result or Finding in Original Units", core="Exp"),
    _v("TRORRESU", "Original Units", core="Exp", codelist=("mm", "cm")),
    _v("TRSTRESC", "Character Result/Finding in Std Format", core="Exp"),
    _v("TRSTRESN", "Numeric Result/Finding in Standard Units", "Num", "Exp"),
    _v("TRSTRESU", "Standard Units", core="Exp", codelist=("mm",)),
    _v("TRSTAT", "Completion Status", codelist=STAT),
    _v("TRREASND", "Reason Not Done"),
    _v("TRNAM", "Laboratory/Vendor Name"),
    _v("TRMETHOD", "Method Used to Identify the Tumor/Lesion", core="Exp", codelist=TUMETHOD),
    _v("TREVAL", "Evaluator", core="Exp", codelist=EVAL),
    _v("TREVALID", "Evaluator Identifier"),
    _v("TRACPTFL", "Accepted Record Flag", codelist=Y_ONLY),
    _v("TRBLFL", "Baseline Flag", codelist=Y_ONLY),
    *_visit("Exp"),
    _v("TRDTC", "Date/Time of Tumor/Lesion Measurement", core="Exp"),
    _v("TRDY", "Study Day of Tumor/Lesion Measurement", "Num"),
), ("USUBJID", "TRSEQ"), notes="TRGRPID TARGET/NON-TARGET/NEW; VIABDIAM for mRECIST")

RS = Domain("RS", "Disease Response and Clin Classification", "findings", (
    *_ident("RS"), *_grp("RS", "GRPID", "REFID", "SPID"),
    _v("RSLNKID", "Link ID"),
    _v("RSLNKGRP", "Link Group"),
    _v("RSTESTCD", "Assessment Short Name", core="Req", codelist=RSTESTCD),
    _v("RSTEST", "Assessment Name", core="Req"),
    _v("RSCAT", "Category for Assessment", core="Exp", codelist=RSCAT),
    _v("RSORRES", "Result or Finding in Original Units", core="Exp"),
    _v("RSSTRESC", "Character Result/Finding in Std Format", core="Exp"),
    _v("RSSTRESN", "Numeric Result/Finding in Standard Units", "Num"),
    _v("RSSTAT", "Completion Status", codelist=STAT),
    _v("RSREASND", "Reason Not Done"),
    _v("RSEVAL", "Evaluator", core="Exp", codelist=EVAL),
    _v("RSEVALID", "Evaluator Identifier"),
    _v("RSACPTFL", "Accepted Record Flag", codelist=Y_ONLY),
    *_visit("Exp"),
    _v("RSDTC", "Date/Time of Assessment", core="Exp"),
    _v("RSDY", "Study Day of Assessment", "Num"),
), ("USUBJID", "RSSEQ"), notes="responses by criteria set in RSCAT; ECOG as ECOG101")

MI = _findings("MI", "Microscopic Findings", tuple(MI_TESTS), extra=[
    _v("MISPEC", "Specimen Material Type", core="Exp"),
    _v("MILOC", "Specimen Collection Location"),
    _v("MIMETHOD", "Method of Test or Examination"),
], notes="pathological necrosis of resected/explanted tumours (MILNKID = TULNKID)")

XP = _findings("XP", "Y-90 Treatment Plans", tuple(XP_TESTS), extra=[
    _v("XPMETHOD", "Dosimetry Model", core="Exp", codelist=XP_METHOD),
    _v("XPLOC", "Treated Territory"),
    _v("XPSPEC", "Microsphere Type", codelist=("GLASS", "RESIN")),
], custom=True, cat=("Y-90 PLAN",), notes="one record per planned quantity; XPGRPID = plan id")

XA = _findings("XA", "Y-90 Administrations", tuple(XA_TESTS), extra=[
    _v("XALOC", "Treated Territory"),
    _v("XASPEC", "Microsphere Type", codelist=("GLASS", "RESIN")),
], custom=True, cat=("Y-90 ADMINISTRATION",),
   notes="XAGRPID = plan id (XPGRPID), XALNKID = EXLNKID of the administration")

XL = _findings("XL", "Regional Liver Function Imaging", tuple(XL_TESTS), extra=[
    _v("XLLOC", "Location Used for the Measurement", core="Exp", codelist=XL_LOC),
    _v("XLMETHOD", "Method of Test or Examination"),
], custom=True, cat=("REGIONAL LIVER FUNCTION",),
   notes="one record per scan and territory (XLLOC); hepatobiliary scintigraphy with SPECT-CT")


def supp_domain(parent: str) -> Domain:
    """The SUPP-- (supplemental qualifiers) domain of ``parent``."""
    return Domain(f"SUPP{parent}", f"Supplemental Qualifiers for {parent}", "relationship", (
        _v("STUDYID", "Study Identifier", core="Req"),
        _v("RDOMAIN", "Related Domain Abbreviation", core="Req", codelist=(parent,)),
        _v("USUBJID", "Unique Subject Identifier", core="Req"),
        _v("IDVAR", "Identifying Variable", core="Exp"),
        _v("IDVARVAL", "Identifying Variable Value", core="Exp"),
        _v("QNAM", "Qualifier Variable Name", core="Req"),
        _v("QLABEL", "Qualifier Variable Label", core="Req"),
        _v("QVAL", "Data Value", core="Req"),
        _v("QORIG", "Origin", core="Req",
           codelist=("CRF", "DERIVED", "ASSIGNED", "PROTOCOL", "EDT", "COLLECTED")),
        _v("QEVAL", "Evaluator", core="Exp"),
    ), ("USUBJID", "IDVAR", "IDVARVAL", "QNAM"))


#: Documented qualifiers per SUPP-- domain: QNAM -> (QLABEL, allowed QVAL or None).
SUPP_QUALIFIERS: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {
    "TU": {
        "INFIELD": ("Inside Treated Area", ("Y", "N")),
        "TYPHCC": ("Typical HCC Enhancement", ("Y", "N")),
        "COUINAUD": ("Couinaud Segment", tuple(str(i) for i in range(1, 9))),
        "MPVT": ("Malignant Portal Vein Thrombosis", ("Y", "N")),
        "EFFUS": ("Effusion", ("Y", "N")),
        "CYTOLPOS": ("Malignant Cytology", ("Y", "N")),
    },
    "CM": {"SUBTXRSN": ("Reason for Subsequent Therapy", SUBSEQUENT_REASONS)},
    "PR": {"SUBTXRSN": ("Reason for Subsequent Therapy", SUBSEQUENT_REASONS)},
    "AE": {"AESI": ("Adverse Event of Special Interest", ("Y", "N"))},
    "DM": {"BCLC": ("BCLC Stage at Baseline", ("0", "A", "B", "C", "D")),
           "CNLC": ("CNLC Stage at Baseline", ("Ia", "Ib", "IIa", "IIb", "IIIa", "IIIb",
                                               "IV"))},
}

DOMAINS: dict[str, Domain] = {d.code: d for d in (
    DM, DS, SV, IE, EX, PR, CM, MH, AE, DV, LB, VS, QS, TU, TR, RS, MI, XP, XA, XL)}
DOMAINS.update({f"SUPP{p}": supp_domain(p) for p in SUPP_QUALIFIERS})


def domain(code: str) -> Domain:
    """The definition of domain ``code`` (e.g. ``"TU"``, ``"SUPPTU"``); KeyError if unknown."""
    return DOMAINS[code.upper()]


def lb_units(testcd: str) -> tuple[str, ...]:
    """Units allowed for lab test ``testcd`` (canonical spellings of :mod:`hccrt.units`)."""
    if testcd in LB_ANALYTE:
        return allowed_units(LB_ANALYTE[testcd])
    return LB_OTHER.get(testcd, ())
