"""Start Django from the CLI with the settings read from the environment."""

from __future__ import annotations

import os

_ready = False


def setup_django() -> None:
    """Configure and set up Django once; the data directory is created for SQLite."""
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hccrt.web.settings")
    import django

    from hccrt.web.settings import data_dir

    if not os.environ.get("HCCRT_DATABASE_URL"):
        data_dir().mkdir(parents=True, exist_ok=True)
    django.setup()
    _ready = True


def migrate(verbosity: int = 0) -> None:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def collect_static() -> None:
    setup_django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
