"""Errors a user can cause and fix: the CLI prints them without a traceback and exits with code 2."""

from __future__ import annotations

EXIT_USER_ERROR = 2


class UserInputError(Exception):
    """Bad input: names the file, the field, the bad value and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        value: object = None,
        expected: str | None = None,
        line: int | None = None,
    ):
        self.file, self.field, self.value, self.expected, self.line = file, field, value, expected, line
        parts = []
        if file:
            parts.append(f"{file}" + (f", line {line}" if line else ""))
        if field:
            parts.append(f"field '{field}'")
        head = ": ".join([", ".join(parts), message]) if parts else message
        if value is not None:
            head += f" (got {value!r})"
        if expected:
            head += f"; expected {expected}"
        super().__init__(head)


class ModelInvariantError(RuntimeError):
    """A model invariant broke during a run (non-finite or negative stock, lost people or capital)."""

    def __init__(self, year: int, region: str, quantity: str, detail: str):
        self.year, self.region, self.quantity = year, region, quantity
        super().__init__(f"model invariant broken in year {year}, region {region}, {quantity}: {detail}")
