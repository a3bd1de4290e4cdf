"""Interactive app (optional extra `app`): step a scenario year by year and watch belt-level outcomes.

    .venv/bin/pip install -e '.[app]'
    .venv/bin/solara run simulation/app.py --host 127.0.0.1

Thin on purpose: the model is YREBModel; this file adds model-level reporters and the SolaraViz page.
"""

from __future__ import annotations

import numpy as np
from mesa import DataCollector
from mesa.visualization import SolaraViz, make_plot_component

from yreb.inputs.scenario import load_scenario, shipped_scenarios
from yreb.model.model import YREBModel

SCENARIO_FILES = [f"{name}.toml" for name in shipped_scenarios()]


def belt_gdp_trillion_yuan(model: YREBModel) -> float:
    """Belt GDP by location in the last simulated year, trillion yuan (2015 prices)."""
    return float(model.last_outputs["gdp_100m_yuan"][model.table.in_belt].sum() / 1e4)


def belt_share_of_national_gdp_pct(model: YREBModel) -> float:
    """The belt's share of national GDP in the last simulated year, %."""
    gdp = model.last_outputs["gdp_100m_yuan"]
    return float(100 * gdp[model.table.in_belt].sum() / gdp.sum())


def migrants_million(model: YREBModel) -> float:
    """Residents of belt regions registered in another region, million persons."""
    return float(model.last_outputs["migrant_stock_persons"][model.table.in_belt].sum() / 1e6)


def gdp_per_capita_ratio_top_bottom(model: YREBModel) -> float:
    """Highest over lowest GDP per capita among belt regions."""
    values = model.last_outputs["gdp_per_capita_yuan"][model.table.in_belt]
    return float(np.max(values) / np.min(values))


class AppModel(YREBModel):
    """YREBModel built from a shipped scenario file, with a DataCollector for the app's plots."""

    def __init__(self, scenario_file: str = "baseline.toml", replication: int = 0):
        super().__init__(load_scenario(scenario_file), replication=replication, record_flows=False)
        self.datacollector = DataCollector(
            model_reporters={
                "belt GDP (trillion yuan)": belt_gdp_trillion_yuan,
                "belt share of national GDP (%)": belt_share_of_national_gdp_pct,
                "migrants in the belt (million)": migrants_million,
                "GDP per capita, highest / lowest": gdp_per_capita_ratio_top_bottom,
            }
        )

    def step(self):
        """Advance the model one year (stop after the last)."""
        if self.year > self.years[-1]:
            self.running = False
            return
        super().step()
        self.datacollector.collect(self)


model_params = {
    "scenario_file": {"type": "Select", "value": "baseline.toml", "values": SCENARIO_FILES, "label": "scenario"},
    "replication": {"type": "SliderInt", "value": 0, "min": 0, "max": 9, "step": 1, "label": "replication"},
}
components = [
    make_plot_component(name)
    for name in (
        "belt GDP (trillion yuan)",
        "belt share of national GDP (%)",
        "migrants in the belt (million)",
        "GDP per capita, highest / lowest",
    )
]
page = SolaraViz(
    AppModel(), components=components, model_params=model_params, name="Yangtze River Economic Belt: factor flows"
)
page  # noqa: B018
