"""Policy types of scenario files (schemas) and their compilation into the model's yearly policy state.

Each policy type is one class in its own module of this package (``barrier``, ``co_built_park``, ...),
deriving from ``yreb.policies.base.PolicyBase``; defining it registers it under its ``type`` in
``REGISTRY``. Importing this package imports every module in it (so a new policy module is found without
editing a list), then derives from the registry the discriminated union ``Policy`` that scenario files are
validated against and the tuple of type names ``POLICY_TYPES``. Scenario resolution (region and group
fields, claims on a region's stock), the field tables of docs/MODEL.md 7.1 and README.md
(tools/policy_table.py) and the registry-wide tests derive from the same declarations.

Adding a policy type that only moves levers of ``PolicyState``:

1. a module ``yreb/policies/<type>.py`` with one ``PolicyBase`` subclass: ``type: Literal["<type>"]``, its
   fields made with ``unit_field`` (default, unit, meaning, range), ``region_fields`` and/or
   ``group_field``, and ``apply(state, s, ctx)`` (see ``barrier.py``);
2. a row for ``<type>`` in the lever table of docs/MODEL.md 7.1, then
   ``.venv/bin/python tools/policy_table.py --write`` to regenerate the field tables;
3. a behaviour test ``test_<type>_...`` in tests/test_policies.py (its effect on the model's outputs);
   the registry-wide tests there (state moves only while in force; defaults valid) cover it by themselves.

A policy that creates a unit (``unit_kind``, like parks and enclaves) also needs the model to handle it.
"""

from __future__ import annotations

import functools
import importlib
import operator
import pkgutil
from typing import Annotated

from pydantic import Field

from yreb.policies.base import (
    COST_CUT_FACTORS,
    EMITTERS,
    FACTORS,
    REGISTRY,
    SECTORS,
    Claim,
    PolicyBase,
    PolicyContext,
    PolicyState,
    RegionRef,
    ResolvedPolicies,
    field_unit,
    policy_field_rows,
    unit_field,
)

# every module of this package, by the names in its own folder (never names from input), in name order
for module in sorted(info.name for info in pkgutil.iter_modules(__path__, prefix=f"{__name__}.")):
    importlib.import_module(module)
del module

POLICY_TYPES: tuple[str, ...] = tuple(REGISTRY)
Policy = Annotated[functools.reduce(operator.or_, REGISTRY.values()), Field(discriminator="type")]

__all__ = [
    "COST_CUT_FACTORS",
    "EMITTERS",
    "FACTORS",
    "POLICY_TYPES",
    "REGISTRY",
    "Claim",
    "Policy",
    "PolicyBase",
    "PolicyContext",
    "PolicyState",
    "RegionRef",
    "ResolvedPolicies",
    "SECTORS",
    "field_unit",
    "policy_field_rows",
    "unit_field",
]
