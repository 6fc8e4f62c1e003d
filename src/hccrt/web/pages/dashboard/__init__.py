"""Pages of the dashboard area (see :mod:`hccrt.web.pages`)."""
