"""Errors name function arguments in Python and command-line flags on the command line."""

from __future__ import annotations

from yreb.errors import UserInputError


def test_python_and_command_line_renderings():
    exc = UserInputError("result folder already exists", file="results/x", expected="a new {out} folder, or {force}")
    assert str(exc) == "results/x: result folder already exists; expected a new out folder, or force=True"
    assert exc.render(flags={}) == "results/x: result folder already exists; expected a new --out folder, or --force"
    exc = UserInputError("unknown year", option="to_year", value=2300)
    assert str(exc) == "argument 'to_year': unknown year (got 2300)"
    assert exc.render(flags={"to_year": "--to"}) == "--to: unknown year (got 2300)"


def test_values_are_never_rewritten():
    exc = UserInputError("bad name", field="name", value="{force}")
    assert "'{force}'" in str(exc) and "'{force}'" in exc.render(flags={})
