"""The record tables every capture path writes and every derivation reads (SDTM-shaped).

* :mod:`hccrt.records.schema` -- the domains, their variables and controlled terminology;
* :mod:`hccrt.records.recordset` -- :class:`RecordSet` and its validation;
* :mod:`hccrt.records.io` -- CSV and SAS XPT readers and writers.
"""

from hccrt.records.io import read_csv_dir, read_xpt_dir, write_csv_dir, write_xpt_dir
from hccrt.records.recordset import Issue, RecordError, RecordSet, coerce_table, is_iso8601
from hccrt.records.schema import DOMAINS, Domain, Variable, domain

__all__ = [
    "DOMAINS",
    "Domain",
    "Issue",
    "RecordError",
    "RecordSet",
    "Variable",
    "coerce_table",
    "domain",
    "is_iso8601",
    "read_csv_dir",
    "read_xpt_dir",
    "write_csv_dir",
    "write_xpt_dir",
]
