"""`hccrt serve`'s gunicorn command line: gthread workers and an even cap on keep-alive
client connections per worker."""

from __future__ import annotations

from typer.testing import CliRunner

from hccrt.cli.main import app
from hccrt.cli.serve import gunicorn_args


def _opt(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_client_connections_are_spread_evenly_over_the_workers():
    args = gunicorn_args("127.0.0.1", 8000, workers=4, threads=2, max_clients=20)
    assert args[0] == "hccrt.web.wsgi:application" and _opt(args, "--bind") == "127.0.0.1:8000"
    assert _opt(args, "--worker-class") == "gthread" and _opt(args, "--threads") == "2"
    assert _opt(args, "--worker-connections") == "5"  # 4 x 5 = 20 slots, none spare
    # rounded up, so every client is served: 21 clients over 4 workers need 6 each
    assert _opt(gunicorn_args("h", 1, 4, 2, 21), "--worker-connections") == "6"
    assert _opt(gunicorn_args("h", 1, 3, 2, 1), "--worker-connections") == "1"
    assert _opt(gunicorn_args("h", 1, 4, 2, None), "--worker-connections") == "1000"  # no cap


def test_serve_help_teaches_the_options():
    out = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    for option in ("--workers", "--threads", "--max-clients", "reverse proxy"):
        assert option in out, option
