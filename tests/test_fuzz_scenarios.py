"""Fuzz the scenario loader: every generated document is either accepted and runs, or rejected cleanly.

Documents are built from the schemas themselves (every parameter and policy field with its documented
range), then mutated: wrong types, NaN and infinities, numbers outside their ranges, unknown keys, missing
keys, unknown regions and groups. The promise checked for each: ``parse_scenario`` + ``resolve`` and the
model's base-year calibration either raise ``UserInputError`` (naming the file), or the model runs its base
year and one more with finite, non-negative stocks. The one check that can only happen while running
(committed east-west investment against that year's investment) may stop it with ModelInvariantError.
Any other exception is a bug.

Set YREB_FUZZ_EXAMPLES to run more examples locally (CI uses the default).
"""

from __future__ import annotations

import copy
import math
import os
from collections import Counter
from typing import Literal, get_args, get_origin

import annotated_types as at
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import BELT, ROOT
from yreb.errors import ModelInvariantError, UserInputError
from yreb.inputs.scenario import BUILTIN_GROUPS, parse_scenario, resolve
from yreb.model.model import YREBModel
from yreb.model.parameters import ModelParameters
from yreb.policies import REGISTRY, field_unit

EXAMPLES = int(os.environ.get("YREB_FUZZ_EXAMPLES", "200"))
REGIONS = BELT + ["RestOfChina"]
SHARES = ("capital_share", "labour_income_share", "land_share")
HOSTILE_VALUES = st.one_of(
    st.just(math.nan),
    st.just(math.inf),
    st.just(-math.inf),
    st.just(-1),
    st.just(0),
    st.just(10**30),
    st.just(-1e308),
    st.booleans(),
    st.text(max_size=8),
    st.just([]),
    st.just({}),
    st.just([1, "x"]),
    st.just({"nested": {"deeper": 1}}),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
).map(copy.deepcopy)  # fresh containers: edits must not alias


def _bounds(field) -> tuple[float | None, float | None]:
    """Lowest and highest value a numeric field accepts (open bounds nudged inward)."""
    lo = hi = None
    for m in field.metadata:
        if isinstance(m, at.Ge):
            lo = m.ge
        elif isinstance(m, at.Gt):
            lo = m.gt + (1 if isinstance(m.gt, int) and field.annotation is int else 1e-9)
        elif isinstance(m, at.Le):
            hi = m.le
        elif isinstance(m, at.Lt):
            hi = m.lt - 1e-9
    return lo, hi


def number_for(field, *, integer: bool) -> st.SearchStrategy:
    """A value inside the field's documented range, edges included."""
    lo, hi = _bounds(field)
    lo = -1e6 if lo is None else lo
    hi = 1e6 if hi is None else hi
    if integer:
        return st.integers(int(math.ceil(lo)), int(math.floor(hi)))
    return st.one_of(st.floats(lo, hi), st.sampled_from([lo, hi]))


def region_ref() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(BUILTIN_GROUPS + ("mygroup",)), st.lists(st.sampled_from(REGIONS), min_size=1, max_size=4)
    )


@st.composite
def policy(draw, start_year: int, end_year: int) -> dict:
    """A policy of a random type with random optional fields, every value inside its documented range."""
    kind = draw(st.sampled_from(list(REGISTRY)))
    cls = REGISTRY[kind]
    doc = {"type": kind}
    for name, field in cls.model_fields.items():
        if name == "type" or (not field.is_required() and not draw(st.booleans())):
            continue
        if name in cls.member_fields and isinstance(doc.get(cls.group_field), list):
            doc[name] = draw(st.sampled_from(doc[cls.group_field]))  # a region of the group (mostly valid)
        elif name in cls.region_fields:
            doc[name] = draw(st.sampled_from(REGIONS))
        elif name == cls.group_field:
            doc[name] = draw(region_ref())
        elif field_unit(cls, name) == "year":
            doc[name] = draw(st.integers(start_year, end_year))
        elif get_origin(field.annotation) is Literal:
            doc[name] = draw(st.sampled_from(get_args(field.annotation)))
        elif name == "name":
            doc[name] = draw(st.text(max_size=12))
        else:
            doc[name] = draw(number_for(field, integer=field.annotation in (int, int | None)))
    return doc


@st.composite
def parameters(draw) -> dict:
    """Overrides of random parameters inside their ranges; the three income shares summing to 1."""
    doc = {}
    fields = ModelParameters.model_fields
    for name in draw(st.lists(st.sampled_from([n for n in fields if n not in SHARES]), max_size=8, unique=True)):
        doc[name] = draw(st.booleans()) if name == "stochastic" else draw(number_for(fields[name], integer=False))
    if draw(st.booleans()):
        alpha = draw(st.floats(0.05, 0.8))
        gamma = draw(st.floats(0.01, 0.9 - alpha))
        doc.update(capital_share=alpha, land_share=gamma, labour_income_share=1.0 - alpha - gamma)
    return doc


@st.composite
def valid_looking(draw) -> dict:
    """A document whose every value is inside its documented range (policies may still clash)."""
    start = draw(st.sampled_from([2015, 2015, 2015, 1990, 2100]))
    end = start + 1
    doc = {
        "name": draw(st.sampled_from(["fuzz", "a-b_c", "x" * 64])),
        "seed": draw(st.integers(0, 2**63 - 1)),
        "replications": 1,
        "start_year": start,
        "end_year": end,
        "parameters": draw(parameters()),
        "policies": draw(st.lists(policy(start, end), max_size=3)),
    }
    if draw(st.booleans()):
        doc["groups"] = {"mygroup": draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=4))}
    if draw(st.integers(0, 5)) == 0:
        doc["regions"] = draw(st.lists(st.sampled_from(REGIONS), min_size=2, max_size=6, unique=True))
    return doc


def _paths(node, prefix=()):
    """Every (path, value) inside a document, tables and lists included."""
    yield prefix, node
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from _paths(value, prefix + (key,))


def _out_of_range(value):
    """A number far outside any documented range, or the value itself when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return -abs(value) - 1 if value >= 0 else abs(value) * 1e3 + 1e3


@st.composite
def mutated(draw) -> dict:
    """A valid-looking document with one to three hostile edits."""
    doc = draw(valid_looking())
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p, _ in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        kind = draw(st.sampled_from(["hostile value", "out of range", "unknown region", "delete", "unknown key"]))
        if kind == "hostile value":
            parent[path[-1]] = draw(HOSTILE_VALUES)
        elif kind == "out of range":
            parent[path[-1]] = _out_of_range(parent[path[-1]])
        elif kind == "unknown region":
            parent[path[-1]] = draw(st.sampled_from(["Atlantis", "anhui", "", "../x", "belt "]))
        elif kind == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["colour", "typo_rate", "Start", "regoins"]))] = 1
    return doc


def check_document(doc: dict) -> str:
    """'rejected' (UserInputError naming the file), 'stopped' (the documented run-time limit) or 'ran' (the base
    year and one more simulated, every stock finite and non-negative)."""
    try:
        scenario = resolve(parse_scenario(doc, "fuzz.toml"), ROOT, "fuzz.toml")
        model = YREBModel(scenario, replication=0)  # calibrating the base year is the last input check
    except UserInputError as exc:
        assert str(exc).startswith("fuzz.toml"), str(exc)
        return "rejected"
    try:
        model.step()  # base year
        model.step()  # one simulated year
    except ModelInvariantError as exc:
        # the only check that depends on the simulated path: committed east-west transfers vs that year's
        # investment (docs/reliability.md); any other broken invariant is a bug
        assert exc.quantity == "investment" and "committed east-west" in str(exc), str(exc)
        return "stopped"
    for name, stock in {
        "capital": model.capital,
        "talent": model.talent_stock,
        "labour": model.labour_stock,
        "knowledge": model.knowledge,
        "land": model.land_km2,
        "fundamental TFP": model.fundamental_tfp,
    }.items():
        assert np.isfinite(stock).all() and (stock >= 0).all(), (name, stock)
    for name, values in model.records.items():
        assert np.isfinite(values[:2]).all(), name
    return "ran"


FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@FUZZ
@given(valid_looking())
def test_valid_looking_documents_run_or_are_rejected(doc):
    check_document(doc)


@FUZZ
@given(mutated())
def test_mutated_documents_run_or_are_rejected(doc):
    check_document(doc)


def test_the_generators_reach_every_outcome():
    """The fuzz is only worth something if its documents both run and get rejected (tally printed with -s)."""
    outcomes = {"valid-looking": Counter(), "mutated": Counter()}

    def tally(kind: str, documents: st.SearchStrategy):
        @settings(max_examples=EXAMPLES // 2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(documents)
        def sample(doc):
            outcomes[kind][check_document(doc)] += 1

        sample()

    tally("valid-looking", valid_looking())
    tally("mutated", mutated())
    print("fuzz outcomes:", {kind: dict(counts) for kind, counts in outcomes.items()})
    assert outcomes["valid-looking"]["ran"] >= EXAMPLES // 8 and outcomes["valid-looking"]["rejected"] >= 5
    assert outcomes["mutated"]["rejected"] >= EXAMPLES // 4
