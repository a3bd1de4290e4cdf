"""Scenario documents by dotted path: ``parameters.rechoice_rate``, ``policies.0.researchers``, ``groups.g60``.

A dotted path addresses the scenario document as written in TOML (tables by key, list entries by index). The
top-level fields in ``RESERVED_FIELDS`` are set by the sweep file itself and cannot be varied or fixed.
"""

from __future__ import annotations

import re
from typing import Any

PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$")
RESERVED_FIELDS = ("name", "description", "seed", "replications")  # set by the sweep file itself


def is_settable(path: str) -> bool:
    """Whether ``path`` is a dotted path that a sweep may set (not into name, description, seed, replications)."""
    return bool(PATH_RE.match(path)) and path.split(".")[0] not in RESERVED_FIELDS


def set_path(doc: dict, path: str, value) -> None:
    """Set ``value`` at a dotted path of a scenario document (list entries by index); LookupError if absent.

    Missing tables are created (a base without a [parameters] table can still have a parameter varied);
    list entries must exist (a policy is addressed by its position in the base scenario).
    """
    parts = path.split(".")
    node: Any = doc
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise LookupError(f"'{where}' has {len(node)} entries (indices 0 to {len(node) - 1})")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part.isdigit():
                raise LookupError(f"'{where}' is a table, not a list")
            key = part
            if depth < len(parts) - 1 and key not in node:
                node[key] = {}
        else:
            raise LookupError(f"'{where}' is a single value, not a table or a list")
        if depth == len(parts) - 1:
            node[key] = value
        else:
            node = node[key]


def flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables to dotted paths: {'parameters': {'stochastic': False}} -> {'parameters.stochastic': False}."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out
