"""Errors a user can cause and fix: the CLI prints them without a traceback and exits with code 2.

Library code names the arguments of its functions, never command-line flags: an error about an argument
gives ``option="scheduler"``, and text may refer to arguments as ``{force}``, ``{out}`` or ``{resume}``.
``str(error)`` renders them the Python way (``force=True``, argument 'scheduler'); the command line renders
them as its flags (``--force``, ``--scheduler``) with ``error.render(flags={...})``, passing the flags whose
names differ from the arguments' (e.g. ``{"to_year": "--to"}``).
"""

from __future__ import annotations

import re

EXIT_USER_ERROR = 2
# arguments that are switches: written as name=True in Python and --name on the command line
SWITCHES = frozenset({"force", "resume", "decompose", "dry_run", "chinese"})
_ARGUMENT = re.compile(r"\{([a-z_]+)\}")


def render_argument(name: str, flags: dict[str, str] | None) -> str:
    """``force`` -> ``--force`` (with ``flags``) or ``force=True``; ``out`` -> ``--out`` or ``out``."""
    if flags is not None:
        return flags.get(name, "--" + name.replace("_", "-"))
    return f"{name}=True" if name in SWITCHES else name


class UserInputError(Exception):
    """Bad input: names the file (and line), the field or argument, the bad value and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        value: object = None,
        expected: str | None = None,
        line: int | None = None,
        option: str | None = None,
    ):
        self.message, self.file, self.field, self.value = message, file, field, value
        self.expected, self.line, self.option = expected, line, option
        super().__init__(self.render())

    def render(self, flags: dict[str, str] | None = None) -> str:
        """The one-line message, with arguments written as Python arguments or (``flags``) command-line flags."""

        def text(template: str) -> str:
            return _ARGUMENT.sub(lambda m: render_argument(m.group(1), flags), template)

        parts = []
        if self.file:
            parts.append(f"{self.file}" + (f", line {self.line}" if self.line else ""))
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.option:
            parts.append(render_argument(self.option, flags) if flags is not None else f"argument '{self.option}'")
        head = ": ".join([", ".join(parts), text(self.message)]) if parts else text(self.message)
        if self.value is not None:
            head += f" (got {self.value!r})"
        if self.expected:
            head += f"; expected {text(self.expected)}"
        return head


class ModelInvariantError(RuntimeError):
    """A model invariant broke during a run (non-finite or negative stock, lost people or capital)."""

    def __init__(self, year: int, region: str, quantity: str, detail: str):
        self.year, self.region, self.quantity = year, region, quantity
        super().__init__(f"model invariant broken in year {year}, region {region}, {quantity}: {detail}")
