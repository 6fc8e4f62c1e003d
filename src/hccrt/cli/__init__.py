"""The ``hccrt`` command line. Each command group lives in a module of its own."""

from hccrt.cli.main import app

__all__ = ["app"]
