"""``yreb app``: serve the explorer (``yreb.explorer.page``, extra ``app``) with Solara."""

from __future__ import annotations

import os
import sys
from importlib.util import find_spec

from yreb.cli.common import port_number
from yreb.errors import UserInputError

DEFAULT_HOST = "127.0.0.1"  # this machine only; --host 0.0.0.0 serves the network
DEFAULT_PORT = 8765
APP_MODULE = "yreb.explorer.page"
# import name -> distribution of what the explorer needs (solara_assets: its browser scripts, served locally)
NEEDED = {"solara": "solara", "solara_assets": "solara-assets"}


def solara_command(host: str, port: int, open_browser: bool) -> list[str]:
    """The command that serves the explorer: ``python -m solara run yreb.explorer.page`` in production mode."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
    ]


def cmd_app(args) -> int:
    """Replace this process by the Solara server of the explorer (it runs until Ctrl-C)."""
    missing = [dist for module, dist in NEEDED.items() if find_spec(module) is None]
    if missing:
        raise UserInputError(
            f"the explorer needs {' and '.join(missing)} (not installed)",
            field="command line",
            expected="the extra 'app': pip install 'yreb-flows[app]'",
        )
    # Solara reports usage to its makers (Mixpanel) unless told not to; a local research tool does not
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    print(f"serving the explorer at http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    command = solara_command(args.host, args.port, args.open)
    os.execv(command[0], command)


def add_commands(subparsers) -> None:
    """Add ``app``."""
    p = subparsers.add_parser(
        "app",
        help="serve the explorer in the browser: pick a scenario, change policy levers, compare with the baseline",
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to serve on (default {DEFAULT_HOST}: this machine)")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--open", action="store_true", help="open the page in the default web browser")
    p.set_defaults(func=cmd_app)
