"""The explorer's logic, without its page: policy levers -> a scenario -> runs paired with a cached baseline ->
figures (PNG bytes) and tables (HTML). The Solara page ``yreb.explorer.page`` only lays these out.

Runs are short: in the mean-field limit (no random draws, one replication) a scenario takes a fraction of a
second; with random draws a few replications give 90% seed intervals. The baseline run for each (seed, years,
replications, draws) is kept in memory and shared by every session.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import matplotlib.ticker

from yreb.analysis.compare import DEFAULT_OUTCOMES, headline_table, net_flow_change, od_matrix
from yreb.api import Comparison, compare, load_scenario, modify, run
from yreb.errors import UserInputError
from yreb.inputs.scenario import ResolvedScenario, shipped_scenarios
from yreb.policies.base import FACTORS
from yreb.viz.i18n import ENGLISH
from yreb.viz.maps import ARROW_THRESHOLD, load_boundaries, plot_flow_map
from yreb.viz.plotting import fit_suptitle, fit_title, format_year_axis, plt, quantile_band, scenario_colour
from yreb.viz.report import display_labels, regional_pct_table_html, summary_sentence, summary_table_html

BASELINE = "baseline"
BARRIER_GROUPS = ("belt", "downstream", "midstream", "upstream", "all")
# outcomes the explorer plots and maps (model variables, each with a belt and national aggregate)
EXPLORER_OUTCOMES = (
    "gdp_100m_yuan",
    "gdp_per_capita_yuan",
    "real_income_per_capita_yuan",
    "welfare_yuan",
    "population_persons",
    "talent_persons",
    "capital_installed_100m_yuan",
)
TABLE_OUTCOMES = DEFAULT_OUTCOMES[:6]  # the region table: the comparison report's first six outcomes
MAX_REPLICATIONS = 10  # with random draws; more would make the page slow to answer
FIGURE_DPI = 100
_FIGURE_LOCK = threading.Lock()  # pyplot's figure registry is shared by the sessions' threads


@dataclass(frozen=True)
class Levers:
    """What the explorer runs: a shipped scenario plus extra policies from ``start_year``, and the run mode.

    Barrier levels multiply the border costs the scenario already has, for pairs inside ``barrier_group``
    (1 = unchanged, 0 = removed), phased in over ``barrier_ramp_years``. The park and the enclave are added
    only when switched on. ``random_draws``: stochastic movers and TFP shocks with ``replications`` runs
    (paired by seed with as many baseline runs); otherwise the mean-field limit, one run.
    """

    scenario: str = "barriers_removed"
    start_year: int = 2020
    barrier_group: str = "belt"
    goods: float = 1.0
    talent: float = 1.0
    labour: float = 1.0
    capital: float = 1.0
    technology: float = 1.0
    barrier_ramp_years: int = 0
    park: bool = False
    park_sponsor: str = "Jiangsu"
    park_host: str = "Anhui"
    park_land_km2: float = 200.0
    enclave: bool = False
    enclave_home: str = "Jiangxi"
    enclave_hub: str = "Shanghai"
    enclave_researchers: float = 2000.0
    random_draws: bool = False
    replications: int = 5

    def barrier_levels(self) -> dict[str, float]:
        """Factor -> barrier level of the extra barrier policy."""
        return {factor: getattr(self, factor) for factor in FACTORS}

    def extra_policies(self) -> list[dict]:
        """The policies the levers add to the scenario, as in a scenario file (none at neutral settings)."""
        policies = []
        levels = self.barrier_levels()
        if any(level != 1.0 for level in levels.values()):
            policies.append(
                {
                    "type": "barrier",
                    "name": "explorer barriers",
                    "start": self.start_year,
                    "ramp_years": self.barrier_ramp_years,
                    "regions": self.barrier_group,
                    **levels,
                }
            )
        if self.park:
            policies.append(
                {
                    "type": "co_built_park",
                    "name": "explorer park",
                    "start": self.start_year,
                    "sponsor": self.park_sponsor,
                    "host": self.park_host,
                    "land_km2": self.park_land_km2,
                }
            )
        if self.enclave:
            policies.append(
                {
                    "type": "innovation_enclave",
                    "name": "explorer enclave",
                    "start": self.start_year,
                    "home": self.enclave_home,
                    "hub": self.enclave_hub,
                    "researchers": self.enclave_researchers,
                }
            )
        return policies

    def run_replications(self) -> int:
        """Replications run: ``replications`` with random draws, 1 in the mean-field limit."""
        return self.replications if self.random_draws else 1


@dataclass
class Exploration:
    """A scenario run with the levers, compared with the baseline run the same way."""

    levers: Levers
    scenario: ResolvedScenario
    comparison: Comparison
    labels: dict[str, str] = field(repr=False)

    @property
    def name(self) -> str:
        """The explored scenario's name."""
        return self.scenario.spec.name

    @property
    def headline(self) -> list[str]:
        """Nation, belt and rest of China."""
        return self.comparison.comparison.baseline.headline_regions


def scenario_names() -> list[str]:
    """The shipped scenarios, baseline first."""
    names = shipped_scenarios()
    return [BASELINE, *[n for n in names if n != BASELINE]]


def belt_regions() -> list[str]:
    """The belt's regions in the shipped region table (choices for the park and the enclave)."""
    table = load_scenario(BASELINE).table
    return [name for name, in_belt in zip(table.names, table.in_belt) if in_belt]


def policy_lines(scenario: ResolvedScenario) -> list[str]:
    """One line per policy of a scenario: its name (or type) and the years it is in force."""
    lines = []
    for policy in scenario.spec.policies:
        years = f"from {policy.start}" if policy.end is None else f"{policy.start}-{policy.end}"
        ramp = f", phased in over {policy.ramp_years} years" if policy.ramp_years else ""
        lines.append(f"{policy.name or policy.type} ({policy.type}, {years}{ramp})")
    return lines


def explored_scenario(levers: Levers) -> ResolvedScenario:
    """The chosen scenario with the levers' extra policies and run mode, validated like a scenario file."""
    base = load_scenario(levers.scenario)
    extra = levers.extra_policies()
    if levers.scenario == BASELINE and not extra:
        raise UserInputError(
            "nothing to compare: the baseline without extra policies",
            field="scenario",
            expected="another scenario, or a lever moved from its neutral setting",
        )
    name = f"{levers.scenario}_with_levers" if extra else levers.scenario
    return modify(
        base,
        name=name,
        replications=levers.run_replications(),
        parameters={"stochastic": levers.random_draws},
        add_policies=extra,
    )


@lru_cache(maxsize=8)
def baseline_run(seed: int, start_year: int, end_year: int, replications: int, random_draws: bool):
    """The shipped baseline run with these settings (kept in memory, shared by every session)."""
    scenario = modify(
        load_scenario(BASELINE),
        seed=seed,
        start_year=start_year,
        end_year=end_year,
        replications=replications,
        parameters={"stochastic": random_draws},
    )
    return run(scenario)


@lru_cache(maxsize=16)
def explore(levers: Levers) -> Exploration:
    """Run the levers' scenario and compare it with the baseline run alike (the same seeds and years)."""
    scenario = explored_scenario(levers)
    spec = scenario.spec
    baseline = baseline_run(spec.seed, spec.start_year, spec.end_year, spec.replications, levers.random_draws)
    comparison = compare(baseline, run(scenario), outcomes=list(TABLE_OUTCOMES))
    return Exploration(levers, scenario, comparison, display_labels(comparison.comparison, chinese=False))


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    plt.close(fig)
    return buffer.getvalue()


def over_time_figure(exploration: Exploration, outcome: str):
    """Nation, belt and rest of China over time: the outcome in the scenario and the baseline (top row; median
    and 5-95% of the replications) and the scenario's difference in % of the baseline (bottom row; mean of the
    paired differences and its 90% seed interval). A dotted line marks the year the levers start."""
    c = exploration.comparison.comparison
    order, words, labels = c.order, ENGLISH, exploration.labels
    n_pairs = min(len(p) for p in c.pairs.values())
    fig, axes = plt.subplots(2, len(exploration.headline), figsize=(13, 7.2), sharex=True, squeeze=False)
    for column, region in enumerate(exploration.headline):
        levels = c.outcomes[(c.outcomes.region == region) & (c.outcomes.variable == outcome)]
        band = quantile_band(levels, ["scenario", "year"])
        top, bottom = axes[0, column], axes[1, column]
        for scenario in order:
            b = band[band.scenario == scenario]
            colour = scenario_colour(scenario, order)
            top.plot(b.year, b["median"], color=colour, lw=1.8, label=scenario)
            if n_pairs > 1:
                top.fill_between(b.year, b.low, b.high, color=colour, alpha=0.2, lw=0)
        diff = c.summary[(c.summary.region == region) & (c.summary.variable == outcome)].sort_values("year")
        colour = scenario_colour(exploration.name, order)
        bottom.axhline(0, color="#555555", lw=0.7, ls="--")
        bottom.plot(diff.year, diff.pct_of_baseline, color=colour, lw=1.8, label=f"{exploration.name} - {order[0]}")
        if n_pairs > 1:
            bottom.fill_between(diff.year, diff.pct_low, diff.pct_high, color=colour, alpha=0.22, lw=0)
        top.set_title(f"{labels.get(region, region)}: {words.outcome(outcome)}", fontsize=10)
        top.set_ylabel(words.unit(levels.unit.iloc[0]), fontsize=8)
        bottom.set_title(f"{labels.get(region, region)}: difference from {order[0]}", fontsize=10)
        bottom.set_ylabel("% of baseline", fontsize=8)
        for ax in (top, bottom):
            ax.axvline(exploration.levers.start_year, color="#888888", lw=0.8, ls=":")
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick))
            ax.grid(alpha=0.3)
        format_year_axis(bottom)
    spread = (
        f"bands: 5-95% of {n_pairs} replications (top), 90% seed interval of the mean paired difference (bottom)"
        if n_pairs > 1
        else "mean-field limit: one deterministic run each"
    )
    fig.legend(
        *axes[0, 0].get_legend_handles_labels(),
        loc="lower center",
        ncol=2,
        fontsize=9,
        frameon=False,
        title=f"{spread}; dotted line: levers start ({exploration.levers.start_year})",
        title_fontsize=9,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 0.93))
    for ax in axes.flat:
        fit_title(ax, ax.get_title(), 10)
    fit_suptitle(fig, f"{exploration.name} vs {order[0]}: {words.outcome(outcome)}, nation, belt and rest of China", 13)
    return fig


def _tick(x: float, _pos=None) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


@lru_cache(maxsize=1)
def _boundaries(names_zh: tuple[tuple[str, str], ...]):
    return load_boundaries(dict(names_zh))


def map_figure(exploration: Exploration, outcome: str):
    """The belt's provinces coloured by the end-year change of ``outcome`` (% of baseline), with arrows for
    the largest changes in cumulative net talent flows among them."""
    c = exploration.comparison.comparison
    base, scenario = c.baseline, c.runs[1]
    belt, end, pairs = base.belt, c.end_year, c.pairs[scenario.name]
    change = c.summary[(c.summary.year == end) & (c.summary.variable == outcome) & c.summary.region.isin(belt)]
    pct = change.set_index("region").pct_of_baseline.reindex(belt)
    boundaries, reason = _boundaries(tuple(base.regions.region_zh[belt].items()))
    gross = od_matrix(base.flows[base.flows.replication.isin(pairs)], "talent", belt)
    threshold = ARROW_THRESHOLD * float((gross + gross.T.to_numpy()).to_numpy().max())
    words = ENGLISH
    return plot_flow_map(
        base.regions.loc[belt],
        pct,
        {"talent": net_flow_change(scenario, base, "talent", pairs, belt)},
        exploration.labels,
        words.t(
            "map_title",
            scenario=scenario.name,
            baseline=base.name,
            outcome=words.outcome(outcome),
            year=end,
            start=base.years[0],
        ),
        words.t("map_colour", outcome=words.outcome(outcome), year=end),
        boundaries,
        reason,
        thresholds={"talent": threshold},
        words=words,
    )


def over_time_png(exploration: Exploration, outcome: str) -> bytes:
    """``over_time_figure`` as PNG bytes."""
    with _FIGURE_LOCK:
        return _png(over_time_figure(exploration, outcome))


def map_png(exploration: Exploration, outcome: str) -> bytes:
    """``map_figure`` as PNG bytes."""
    with _FIGURE_LOCK:
        return _png(map_figure(exploration, outcome))


def summary_html(exploration: Exploration) -> tuple[str, str]:
    """(the report's summary sentence, its summary table as HTML): nation, belt and rest of China, then the
    largest regional gains and losses of real GDP in the last year."""
    c = exploration.comparison.comparison
    table = headline_table(c.summary, exploration.name, c.end_year, exploration.headline, c.baseline.belt)
    sentence = summary_sentence(table, exploration.name, c.end_year, exploration.headline, ENGLISH)
    return sentence, summary_table_html(table, exploration.labels, ENGLISH)


def regions_html(exploration: Exploration) -> str:
    """Nation, belt, rest of China and every belt region x outcomes: the last year's change in % of baseline."""
    c = exploration.comparison.comparison
    return regional_pct_table_html(
        c, exploration.name, list(TABLE_OUTCOMES), c.baseline.belt, exploration.labels, ENGLISH
    )


def effects_csv(exploration: Exploration) -> str:
    """The effects table of ``yreb compare`` (effects.csv) for the explored scenario, as CSV text."""
    return exploration.comparison.effects.to_csv(index=False)


@dataclass
class View:
    """Everything the page shows for one run of the levers: figures as PNG bytes, tables as HTML."""

    exploration: Exploration
    outcome: str
    over_time_png: bytes
    map_png: bytes
    sentence: str
    summary_table_html: str
    regions_table_html: str
    effects_csv: str


def view(levers: Levers, outcome: str) -> View:
    """Run (or take from memory) the levers' scenario and draw what the page shows for ``outcome``."""
    if outcome not in EXPLORER_OUTCOMES:
        raise UserInputError("unknown outcome", field="outcome", value=outcome, expected=", ".join(EXPLORER_OUTCOMES))
    exploration = explore(levers)
    sentence, table = summary_html(exploration)
    return View(
        exploration,
        outcome,
        over_time_png(exploration, outcome),
        map_png(exploration, outcome),
        sentence,
        table,
        regions_html(exploration),
        effects_csv(exploration),
    )


@lru_cache(maxsize=32)
def scenario_outline(name: str) -> tuple[str, tuple[str, ...], tuple[int, int]]:
    """(description, policy lines, (first, last year)) of a shipped scenario, for the page's side bar."""
    scenario = load_scenario(name)
    return scenario.spec.description, tuple(policy_lines(scenario)), (scenario.spec.start_year, scenario.spec.end_year)
