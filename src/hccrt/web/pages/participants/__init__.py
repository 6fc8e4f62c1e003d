"""Pages of the participants area (see :mod:`hccrt.web.pages`)."""
