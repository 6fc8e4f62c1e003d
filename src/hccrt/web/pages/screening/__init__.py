"""Pages of the screening area (see :mod:`hccrt.web.pages`)."""
