"""Synthetic trial cohorts: a seeded generator of a complete RecordSet for any protocol.

:func:`simulate` draws a cohort from a protocol file (arms, allocation, schedule, planning
limits, regimens) and its parameter file (:mod:`hccrt.simulate.parameters`) and writes the same
SDTM-shaped tables data capture produces (:mod:`hccrt.records`). It is vectorized with NumPy:
participants are rows of arrays; the only Python loops run over visits, lesions and tables.

Generative model (each draw uses its own child generator of
``numpy.random.SeedSequence([seed, crc32(protocol code)])``, so a seed gives the same cohort on
every machine):

* Screening: failures before ``n`` eligible candidates are negative binomial with the
  parameter's ineligible share; each failure names 1-2 protocol criteria (weights in the file)
  in IE, with DM (ARMNRS = SCREEN FAILURE) and DS records.
* Allocation: randomized designs by permuted blocks whose sizes are multiples of the ratio sum
  (sizes 1x and 2x the sum, chosen at random); non-randomized designs by the arms' shares.
* Survival from allocation: overall survival ~ Exponential(median OS); time to progression ~
  Exponential with rate ``ln2/median PFS - ln2/median OS`` so that PFS = min(TTP, OS) is
  exponential with the median PFS. Withdrawal of consent and loss to follow-up are exponential
  with the 24-month shares; administrative censoring at the end of study (last enrolment +
  follow-up).
* Response: the true best response (mRECIST) is drawn with P(objective response) = the arm's
  ORR, or for Y-90 arms with a dose-response curve of the achieved tumour dose; responders are
  drawn among participants whose PFS outlasts the first imaging visit (with probability
  ORR / P(PFS > that time)), so the marginal response rate equals the parameter and every
  responder shows the response before progressing. CR and RECIST responders are nested subsets.
  Lesion diameters follow the response class at every imaging visit until the visit that shows
  progression (target growth inside the treated area, or a new lesion outside it).
* Treatment: Y-90 plans by the partition model of :mod:`hccrt.dosimetry.y90` (tumour dose from
  the parameter or the protocol's planning target), lung dose capped at 30 Gy per session;
  SBRT 5 fractions at the protocol's dose range; HAIC cycles with doses = mg/m2 x BSA
  (:func:`hccrt.clinical.body.bsa_array`); systemic therapy per cycle until progression.

Modules: :mod:`~hccrt.simulate.cohort.entry` (:func:`simulate`), ``result``
(:class:`SimulatedTrial`), ``generator`` (the stages in order), one module per stage
(``enrolment``, ``tumours``, ``treatment``, ``outcomes``, ``visits``, ``labs``,
``adverse_events``, ``questionnaires``, ``liver_function``, ``disposition``) over the shared
state of ``state``, with ``tables`` (record accumulation) and ``common`` (constants, date
helpers).
"""

from hccrt.simulate.cohort.entry import simulate
from hccrt.simulate.cohort.result import SimulatedTrial

__all__ = ["SimulatedTrial", "simulate"]
