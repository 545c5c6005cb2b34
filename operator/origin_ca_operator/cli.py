"""The ``origin-ca-operator`` command line: one subcommand per module.

Each subcommand lives in its own module, which offers ``add_arguments(parser)``
and ``run(args) -> int``; they are imported only when chosen, so that
``origin-ca-operator emulator`` does not pay for kopf.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from origin_ca_operator import __version__

SUBCOMMANDS = {
    "run": ("origin_ca_operator.issuer.command", "run the operator"),
    "emulator": (
        "origin_ca_operator.emulator.command",
        "serve a local emulation of the Origin CA API",
    ),
}


def build_parser(chosen: str | None) -> argparse.ArgumentParser:
    """The parser, with full arguments for the chosen subcommand only."""
    parser = argparse.ArgumentParser(
        prog="origin-ca-operator",
        description="Cloudflare Origin CA certificates on Kubernetes.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, summary) in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        if name == chosen:
            importlib.import_module(module_name).add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in arguments if a in SUBCOMMANDS), None)
    parser = build_parser(chosen)
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(SUBCOMMANDS[args.command][0])
    result: int = module.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
