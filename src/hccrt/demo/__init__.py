"""The guided tour of ``hccrt demo`` and the small data files it ships with."""
