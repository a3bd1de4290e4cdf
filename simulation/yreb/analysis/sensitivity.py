"""How sure: the effect of each compared scenario over the documented range of every unpinned assumption.

The unpinned assumptions are the model parameters whose basis is ``assumption``
(``yreb.model.parameters.assumption_ranges``: name -> documented (low, high)). One at a time, each is set to
its low and its high end in both the scenario and the baseline (everything else as in the compared runs;
the calibrated border costs are kept, not re-calibrated), both are simulated again with the runs' seeds and
replications (``yreb.analysis.reruns``, cached), and the effect (scenario - baseline, paired by seed) is
computed at the end year. The tornado chart shows, per parameter, the effect at the two ends around the
effect at the defaults; the parameters are ranked by the swing |effect(high) - effect(low)|.

``land_share`` is tied to the other factor shares (they add up to 1): when it moves, ``labour_income_share``
moves the other way. A parameter end at which the model cannot run (no calibrated base year) is reported
with its error instead of a value.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pandas as pd

from yreb.analysis.compare import Comparison, RunData
from yreb.analysis.reruns import aggregated, paired_effects, resolve_document, scenario_document, simulate_cached
from yreb.errors import ModelInvariantError, UserInputError
from yreb.model.parameters import ModelParameters, assumption_ranges

# (region, variable) of the tornado panels
TORNADO_OUTCOMES = (("Nation", "gdp_100m_yuan"), ("Belt", "gdp_100m_yuan"), ("Nation", "welfare_yuan"))
COMPENSATE = {"land_share": "labour_income_share"}  # shares that add up to 1 with it


def parameter_variant(doc: dict, name: str, value: float) -> dict:
    """The scenario document with parameter ``name`` set to ``value`` (its tied share compensating)."""
    variant = copy.deepcopy(doc)
    params = variant.setdefault("parameters", {})
    old = params.get(name, ModelParameters.model_fields[name].default)
    params[name] = value
    if name in COMPENSATE:
        other = COMPENSATE[name]
        params[other] = params.get(other, ModelParameters.model_fields[other].default) - (value - old)
    return variant


def _run_variant(run: RunData, name: str, value: float, end: str, cache_dir) -> pd.DataFrame:
    doc = parameter_variant(scenario_document(run), name, value)
    doc["name"] = f"{run.name[:40]}__{end}_{name[:18]}"
    scenario = resolve_document(doc, f"{run.folder} ({name} = {value:g})")
    return aggregated(simulate_cached(scenario, cache_dir), run)


def sensitivity(
    c: Comparison,
    *,
    cache_dir=None,
    ranges: dict[str, tuple[float, float]] | None = None,
    outcomes: tuple[tuple[str, str], ...] = TORNADO_OUTCOMES,
    year: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Effects at the low and high end of every assumption's range (default ``assumption_ranges()``), per
    scenario and outcome, in ``year`` (default the end year): scenario, parameter, end (``low``/``high``),
    value, region, variable, n_pairs, mean_difference, ci90_low/high, pct_of_baseline, pct_low/high, error."""
    ranges = assumption_ranges() if ranges is None else ranges
    year = c.end_year if year is None else year
    regions = sorted({r for r, _ in outcomes})
    variables = sorted({v for _, v in outcomes})
    rows = []
    for name, (lo, hi) in ranges.items():
        for end, value in (("low", lo), ("high", hi)):
            if progress is not None:
                progress(f"{name} = {value:g}")
            try:
                base = _run_variant(c.baseline, name, value, end, cache_dir)
                variants = {run.name: _run_variant(run, name, value, end, cache_dir) for run in c.runs[1:]}
            except (UserInputError, ModelInvariantError, RuntimeError) as exc:
                error = str(exc).splitlines()[0][:200]
                for run in c.runs[1:]:
                    for region, variable in outcomes:
                        rows.append(dict(scenario=run.name, parameter=name, end=end, value=value, region=region,
                                         variable=variable, error=error))  # fmt: skip
                continue
            for run in c.runs[1:]:
                diffs, summary = paired_effects(variants[run.name], base, run.name, variables, regions)
                summary = summary[summary.year == year]
                for region, variable in outcomes:
                    row = summary[(summary.region == region) & (summary.variable == variable)].iloc[0]
                    rows.append(dict(scenario=run.name, parameter=name, end=end, value=value, error="", **_effect(row)))
    return pd.DataFrame(rows)


def _effect(row: pd.Series) -> dict:
    keys = ["region", "variable", "unit", "n_pairs", "mean_difference", "ci90_low", "ci90_high"]
    return {k: row[k] for k in keys} | {k: row[k] for k in ("pct_of_baseline", "pct_low", "pct_high")}
