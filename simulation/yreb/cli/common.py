"""Argument types and defaults shared by the subcommands (argparse only; nothing heavy is imported here)."""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from yreb.errors import UserInputError

DEFAULT_RESULTS = Path("results")
# library arguments whose command-line flag is not simply --<argument> (errors name arguments; see yreb.errors)
FLAG_NAMES = {
    "observed_paths": "--observed",
    "fit_until": "--fit-until",
    "to_year": "--to",
    "scenario_path": "--scenario",
    "out_dir": "--out",
}


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as bad input (exit 2) in the tool's own format."""

    def error(self, message):
        """Print the usage line and raise a UserInputError instead of exiting."""
        self.print_usage(sys.stderr)
        raise UserInputError(message, field="command line")


def positive_int(text: str) -> int:
    """A whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def port_number(text: str) -> int:
    """A TCP port from 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {value}")
    return value


def seed(text: str) -> int:
    """A root seed from 0 to 2^63 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to 2^63-1, got {value}")
    return value


def check_choice(values: list[str], allowed: list[str], option: str) -> None:
    """Every value must be one of ``allowed`` (UserInputError naming the option otherwise)."""
    for value in values:
        if value not in allowed:
            raise UserInputError(
                f"unknown {option.lstrip('-')}", field=option, value=value, expected="one of " + ", ".join(allowed)
            )


def clear_interrupt_mark() -> None:
    """Call where a Ctrl-C is handled. CPython 3.12 marks a Ctrl-C that interrupts the evaluation of generated
    source text (dataclasses and namedtuple build their methods so, e.g. while a module is imported) as unhandled
    and then ends the process by SIGINT (exit -2) although it was handled; evaluating generated source text once
    more clears that mark, and building a namedtuple does so."""
    collections.namedtuple("InterruptHandled", "")
