"""The explorer (extra ``app``): pick a shipped scenario, add policy levers, run, and compare the nation, the belt
and the rest of China with the baseline, on a map of the provinces and in the effect tables.

    yreb app                     # serves http://127.0.0.1:8765 (or: solara run yreb.explorer.page)

This module only lays out the page; what it shows is computed by ``yreb.explorer.logic``.
"""

from __future__ import annotations

import dataclasses

import solara
import solara.lab

from yreb.errors import ModelInvariantError, UserInputError
from yreb.explorer import logic
from yreb.policies.base import FACTORS
from yreb.viz.i18n import ENGLISH

SCENARIOS = logic.scenario_names()
REGIONS = logic.belt_regions()
TITLE = "Yangtze River Economic Belt: policy explorer"
# the report's table styles, scoped to the page's tables
TABLE_CSS = """
.yreb-table table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1em; }
.yreb-table th, .yreb-table td { border: 1px solid #ddd; padding: .25em .5em; text-align: right; }
.yreb-table td:first-child, .yreb-table th { text-align: left; }
.yreb-table tr:nth-child(even) { background: #f7f7f7; }
.yreb-table .ci { color: #666; font-size: .85em; }
.yreb-table tr.headline td { font-weight: 600; }
.yreb-table tr.headline {  /* not Vuetify's .headline typography */
  font-size: inherit !important; line-height: inherit !important; font-family: inherit !important;
}
.yreb-table tr.first-region td { border-top: 2px solid #888; }
.yreb-table td.pos { color: #14532d; } .yreb-table td.neg { color: #7f1d1d; }
.yreb-figure img { max-width: 100%; }
"""
NOTE_STYLE = {"font-size": "0.85em", "color": "#444"}
OUTCOME_BY_LABEL = {ENGLISH.outcome(name): name for name in logic.EXPLORER_OUTCOMES}


def _setter(levers: solara.Reactive[logic.Levers], name: str):
    """A callback setting one field of the levers."""
    return lambda value: levers.set(dataclasses.replace(levers.value, **{name: value}))


@solara.component
def ScenarioPicker(levers: solara.Reactive[logic.Levers]):
    """The shipped scenario, its description and its own policies."""
    solara.Select("scenario", values=SCENARIOS, value=levers.value.scenario, on_value=_setter(levers, "scenario"))
    description, policies, (first, last) = logic.scenario_outline(levers.value.scenario)
    solara.Text(f"{description} ({first}-{last})", style=NOTE_STYLE)
    solara.Text("Its policies: " + ("; ".join(policies) if policies else "none"), style=NOTE_STYLE)


@solara.component
def LeverControls(levers: solara.Reactive[logic.Levers]):
    """Extra policies on top of the scenario, and the run mode; every slider's label shows its value."""
    lv = levers.value
    _, _, (first, last) = logic.scenario_outline(lv.scenario)

    def slider(label: str, name: str, low: float, high: float, step: float, shown: str, disabled: bool = False):
        kind = solara.SliderInt if isinstance(step, int) else solara.SliderFloat  # whole-number steps: years, counts
        kind(
            f"{label}: {shown}",
            value=getattr(lv, name),
            min=low,
            max=high,
            step=step,
            on_value=_setter(levers, name),
            thumb_label=False,
            disabled=disabled,
        )

    def select(label: str, name: str, values: list[str], disabled: bool = False):
        solara.Select(label, values=values, value=getattr(lv, name), on_value=_setter(levers, name), disabled=disabled)

    slider("levers start in", "start_year", first + 1, last, 1, str(lv.start_year))
    with solara.Details("Barriers between provinces", expand=True):
        solara.Text("level x the scenario's border costs: 1 = unchanged, 0 = removed", style=NOTE_STYLE)
        select("among", "barrier_group", list(logic.BARRIER_GROUPS))
        for factor in FACTORS:
            slider(f"{factor} barrier", factor, 0.0, 1.0, 0.05, f"{getattr(lv, factor):.2f}")
        slider("phased in over", "barrier_ramp_years", 0, 15, 1, f"{lv.barrier_ramp_years} years")
    with solara.Details("Co-built park ('bring in')", expand=True):
        solara.Switch(label="add a co-built park", value=lv.park, on_value=_setter(levers, "park"))
        select("sponsor (runs the park)", "park_sponsor", REGIONS, not lv.park)
        select("host (where it is built)", "park_host", REGIONS, not lv.park)
        slider("park land", "park_land_km2", 10.0, 1000.0, 10.0, f"{lv.park_land_km2:,.0f} km2", not lv.park)
    with solara.Details("Innovation enclave ('go out')", expand=True):
        solara.Switch(label="add an innovation enclave", value=lv.enclave, on_value=_setter(levers, "enclave"))
        select("home (pays the staff)", "enclave_home", REGIONS, not lv.enclave)
        select("hub (where they work)", "enclave_hub", REGIONS, not lv.enclave)
        slider(
            "researchers",
            "enclave_researchers",
            500.0,
            10000.0,
            500.0,
            f"{lv.enclave_researchers:,.0f} persons",
            not lv.enclave,
        )
    with solara.Details("Run mode", expand=True):
        solara.Switch(
            label="random draws (else the mean-field limit: one deterministic run)",
            value=lv.random_draws,
            on_value=_setter(levers, "random_draws"),
        )
        slider("replications", "replications", 2, logic.MAX_REPLICATIONS, 1, str(lv.replications), not lv.random_draws)


@solara.component
def Results(shown: logic.View):
    """The summary, the figures and the tables of one run."""
    exploration = shown.exploration
    with solara.Div(classes=["yreb-summary"]):
        solara.Text(shown.sentence, style={"font-size": "1.1em"})
    solara.Text(
        f"Scenario {exploration.name} minus baseline in {exploration.comparison.year}; "
        + (
            "mean-field limit, one run each."
            if not exploration.levers.random_draws
            else f"mean of {exploration.levers.replications} paired replications, 90% seed interval in brackets."
        ),
        style={"font-size": "0.85em", "color": "#555"},
    )
    solara.HTML(unsafe_innerHTML=shown.summary_table_html, classes=["yreb-table"])
    with solara.Div(classes=["yreb-figure", "yreb-over-time"]):
        solara.Image(shown.over_time_png)
    with solara.Div(classes=["yreb-figure", "yreb-map"]):
        solara.Image(shown.map_png)
    solara.Text(f"Change by region in {exploration.comparison.year}, % of baseline", style={"font-weight": "600"})
    solara.HTML(unsafe_innerHTML=shown.regions_table_html, classes=["yreb-table", "yreb-regions"])
    solara.FileDownload(
        shown.effects_csv,
        filename=f"effects-{exploration.name}.csv",
        label="download the effects table (CSV, as yreb compare writes it)",
    )


@solara.component
def Page():
    """The explorer page: levers in the side bar, results in the main area."""
    levers = solara.use_reactive(logic.Levers())
    submitted = solara.use_reactive(logic.Levers())
    outcome = solara.use_reactive(logic.EXPLORER_OUTCOMES[0])
    task = solara.lab.use_task(
        lambda: logic.view(submitted.value, outcome.value),
        dependencies=[submitted.value, outcome.value],
        raise_error=False,
    )
    solara.Title(TITLE)
    solara.Style(TABLE_CSS)
    with solara.Sidebar():
        ScenarioPicker(levers)
        solara.Button(
            "run",
            on_click=lambda: submitted.set(levers.value),
            color="primary",
            classes=["yreb-run"],
            disabled=task.pending,
        )
        LeverControls(levers)
    with solara.Column(classes=["yreb-results"]):
        solara.Select(
            "outcome in the plots and the map",
            values=list(OUTCOME_BY_LABEL),
            value=ENGLISH.outcome(outcome.value),
            on_value=lambda label: outcome.set(OUTCOME_BY_LABEL[label]),
        )
        solara.ProgressLinear(task.pending)
        if levers.value != submitted.value:
            solara.Info("The levers differ from the run shown: press run.", dense=True)
        if task.error:
            if not isinstance(task.exception, UserInputError | ModelInvariantError):
                raise task.exception  # a bug: shown with its traceback
            exc = task.exception
            message = exc.render() if isinstance(exc, UserInputError) else f"the model stopped: {exc}"
            solara.Error(message, classes=["yreb-input-error"])
        shown = task.value if task.finished else task.latest
        if shown is not None:
            Results(shown)
        elif task.pending:
            solara.Text("running the scenario and the baseline ...", classes=["yreb-running"])
