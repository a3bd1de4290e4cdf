"""Where an effect comes from: the effect of each component of a scenario alone, and their interaction.

Components of a scenario (``components``): every barrier factor (goods, talent, labour, capital,
technology) that a ``barrier`` policy moves away from 1 is one component: the scenario with that policy's
other factors set back to 1 (and its settlement rate unset) and without the other policies; a barrier
policy's settlement rate is a component of its own (channel ``settlement``); every other policy is one
component: that policy alone. For each component the scenario is simulated again with the same root seed,
replications and years (``yreb.analysis.reruns``, cached), and paired with the baseline by seed like the
scenario itself:

    total effect d_k = scenario_k - baseline_k,   part_c,k = component_c,k - baseline_k,
    interaction_k = d_k - sum_c part_c,k

so that, for every outcome, region and year, the parts and the interaction add up to the total effect
exactly (their means too; the seed intervals are those of each mean). A positive interaction: the
components do more together than apart. The runs are what the compared runs are: stochastic with the same
seeds if those were stochastic, mean-field if they were mean-field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from yreb.analysis.compare import HEADLINE_OUTCOMES, INTERACTION, TOTAL, Comparison, RunData, summarise_differences
from yreb.analysis.reruns import aggregated, paired_effects, resolve_document, scenario_document, simulate_cached
from yreb.policies import FACTORS

KEYS = ["replication", "seed", "region", "variable", "unit", "year"]


@dataclass(frozen=True)
class Component:
    """One component of a scenario: its label, channel (a barrier factor, ``settlement`` or the policy type)
    and the scenario document with that component alone."""

    label: str
    channel: str
    doc: dict


def _policy_label(policy: dict, k: int) -> str:
    return policy.get("name") or f"{policy['type']} #{k + 1}"


def components(doc: dict) -> list[Component]:
    """The components of a scenario document (see the module docstring), in policy order."""
    policies = doc.get("policies", [])
    out = []
    for k, policy in enumerate(policies):
        label = _policy_label(policy, k)
        several = len(policies) > 1

        def alone(changes: dict, policy=policy) -> dict:
            variant = copy.deepcopy(doc)
            variant["policies"] = [{**policy, **changes}]
            return variant

        if policy["type"] == "barrier":
            reset = {f: 1.0 for f in FACTORS}
            for factor in FACTORS:
                if policy.get(factor, 1.0) != 1.0:
                    name = f"{factor} barrier" + (f" ({label})" if several else "")
                    out.append(
                        Component(name, factor, alone({**reset, factor: policy[factor], "settlement_rate": None}))
                    )
            if policy.get("settlement_rate") is not None:
                name = "registration (settlement rate)" + (f" ({label})" if several else "")
                out.append(
                    Component(name, "settlement", alone({**reset, "settlement_rate": policy["settlement_rate"]}))
                )
        else:
            out.append(Component(label, policy["type"], alone({})))
    return out


@dataclass
class Decomposition:
    """Per scenario: the parts, the interaction and the total effect (tidy, like ``Comparison.summary`` with a
    ``component`` and a ``channel`` column), and the components' names in order."""

    table: pd.DataFrame
    components: dict[str, list[Component]]


def _variant_name(scenario: str, k: int) -> str:
    return f"{scenario[:50]}__part{k + 1}"


def decompose_scenario(
    c: Comparison,
    run: RunData,
    *,
    cache_dir=None,
    variables: tuple[str, ...] = HEADLINE_OUTCOMES,
    regions: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, list[Component]]:
    """The decomposition of one compared scenario: rows per component, ``interaction`` and ``total``."""
    base = c.baseline
    regions = regions or [*base.headline_regions, *base.belt]
    doc = scenario_document(run)
    parts = components(doc)
    base_outcomes = aggregated(base.results, base)
    total_diffs, _ = paired_effects(aggregated(run.results, run), base_outcomes, run.name, list(variables), regions)
    total_diffs = total_diffs[total_diffs.replication.isin(c.pairs[run.name])]
    frames, remainder = [], total_diffs.set_index(KEYS).difference
    for k, part in enumerate(parts):
        if progress is not None:
            progress(f"{run.name}: {part.label} alone")
        variant_doc = {**part.doc, "name": _variant_name(run.name, k), "description": f"{run.name}: {part.label}"}
        scenario = resolve_document(variant_doc, f"{run.folder} ({part.label} alone)")
        results = simulate_cached(scenario, cache_dir)
        diffs, _ = paired_effects(aggregated(results, run), base_outcomes, run.name, list(variables), regions)
        diffs = diffs.set_index(KEYS).difference.reindex(remainder.index)
        remainder = remainder - diffs
        frames.append(_summary(diffs, total_diffs, run.name, part.label, part.channel))
    frames.append(_summary(remainder, total_diffs, run.name, INTERACTION, INTERACTION))
    frames.append(_summary(total_diffs.set_index(KEYS).difference, total_diffs, run.name, TOTAL, TOTAL))
    return pd.concat(frames, ignore_index=True), parts


def _summary(difference: pd.Series, total: pd.DataFrame, scenario: str, component: str, channel: str) -> pd.DataFrame:
    """summarise_differences of one component's per-pair differences (baseline means from the total's rows)."""
    frame = total.set_index(KEYS)[["value_baseline"]].assign(difference=difference)
    frame = frame.assign(value=frame.value_baseline + frame.difference, scenario=scenario).reset_index()
    out = summarise_differences(frame)
    out.insert(1, "component", component)
    out.insert(2, "channel", channel)
    return out


def decompose(
    c: Comparison,
    *,
    cache_dir=None,
    variables: tuple[str, ...] = HEADLINE_OUTCOMES,
    progress: Callable[[str], None] | None = None,
) -> Decomposition:
    """The decomposition by channel of every compared scenario (``decompose_scenario``)."""
    tables, parts = [], {}
    for run in c.runs[1:]:
        table, parts[run.name] = decompose_scenario(c, run, cache_dir=cache_dir, variables=variables, progress=progress)
        tables.append(table)
    return Decomposition(pd.concat(tables, ignore_index=True), parts)
