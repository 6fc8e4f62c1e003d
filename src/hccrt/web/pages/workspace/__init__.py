"""Pages of the workspace area (see :mod:`hccrt.web.pages`)."""
