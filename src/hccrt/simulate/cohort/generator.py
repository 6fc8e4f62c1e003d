"""The cohort generator: the stages in order, then the record tables and the truth."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from hccrt.records import RecordSet
from hccrt.simulate.cohort.adverse_events import _AdverseEvents
from hccrt.simulate.cohort.disposition import _Disposition
from hccrt.simulate.cohort.enrolment import _Enrolment
from hccrt.simulate.cohort.labs import _Labs
from hccrt.simulate.cohort.liver_function import _LiverFunction
from hccrt.simulate.cohort.outcomes import _Outcomes
from hccrt.simulate.cohort.questionnaires import _Questionnaires
from hccrt.simulate.cohort.result import SimulatedTrial
from hccrt.simulate.cohort.treatment import _Treatment
from hccrt.simulate.cohort.tumours import _Tumours
from hccrt.simulate.cohort.visits import _Visits


class _Generator(_Enrolment, _Tumours, _Treatment, _Outcomes, _Visits, _Labs, _AdverseEvents,
                 _Questionnaires, _LiverFunction, _Disposition):
    """One simulation: :meth:`run` calls the stages in order (the order fixes the draws)."""

    def run(self) -> SimulatedTrial:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("screening", self._screening),
            ("allocation", self._allocation),
            ("tumours", self._tumours),
            ("treatment", self._treatment),
            ("outcomes", self._outcomes),
            ("treatment before end of follow-up", self._truncate_treatment),
            ("systemic therapy", self._systemic),
            ("visits", self._visits),
            ("labs and vitals", self._labs),
            ("screen failures", self._screen_failures),
            ("tumour measurements", self._tumour_records),
            ("adverse events", self._adverse_events),
            ("questionnaires", self._questionnaires),
            ("regional liver function", self._liver_function),
            ("surgery and subsequent therapy", self._surgery_and_subsequent),
            ("disposition", self._disposition),
        ]
        for name, step in steps:
            self.progress(name)
            step()
        self.progress("records")
        records = RecordSet(self.t.build(self.studyid))
        return SimulatedTrial(records, self._truth(), self.visit_table, self.p, self.par,
                              self.seed, self.notes)

    def _truth(self) -> pd.DataFrame:
        return pd.DataFrame({
            "USUBJID": self.usub, "ARM": [self.arm_ids[a] for a in self.arm],
            "alloc_date": self.alloc_date, "first_tx": self.first_tx, "last_tx": self.last_tx,
            "os_days": self.os_days, "ttp_days": self.ttp_days, "pfs_days": self.pfs_days,
            "withdrawal_days": self.wd_days, "lost_days": self.lost_days,
            "end_days": self.end_days, "end_reason": self.end_reason, "end_date": self.end_date,
            "first_imaging_days": self.first_img_days, "p_response": self.p_response,
            "responder_mrecist": self.resp, "cr_mrecist": self.cr,
            "responder_recist": self.resp_recist, "tumour_dose_gy": self.dose_achieved,
            "pd_visit_day": self.pd_day, "out_of_field_progression": self.out_of_field,
            "surgery": self.surg, "surgery_date": self.surg_date, "necrosis_pct": self.necrosis,
            "subsequent": self.subseq, "subsequent_day": self.subseq_day, "reild": self.reild,
            "reild_seen_day": self.reild_seen_day,
            "bsa_m2": self.bsa, "pvtt": self.pvtt, "extrahepatic": self.extra,
            "treated": self.treated,
        })
