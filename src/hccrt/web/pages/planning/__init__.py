"""Pages of the planning area (see :mod:`hccrt.web.pages`)."""
