"""Pages of the assessments area (see :mod:`hccrt.web.pages`)."""
