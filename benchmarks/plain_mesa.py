"""The model's yearly step written the plain Mesa way: one Region agent per region, each looping over the
others in Python (floats and lists, no numpy in the step). Used only as the reference for the speed of
the vectorised ``yreb.model.model.YREBModel``; ``tests/test_benchmarks.py`` checks that both compute the
same recorded quantities and stocks.

Scope: the mean-field model (``ModelParameters(stochastic=False)``) under the status quo (a scenario
without policies: no parks, enclaves, pairings or barrier changes). The base-year calibration and the
status-quo cost matrices are set up with the project's own functions (they are not part of a step) and
handed to the agents as Python lists.
"""

from __future__ import annotations

import math

import numpy as np
from mesa import Agent, Model

from yreb.inputs.scenario import ResolvedScenario
from yreb.model.calibration import calibrate, status_quo_costs
from yreb.model.model import VARIABLES, YUAN_PER_100M


class PlainRegion(Agent):
    """A region holding its own rows of the stocks: people it registers and capital it owns, by location."""

    def __init__(self, model: PlainMesaModel, index: int, cal, costs: dict[str, np.ndarray]):
        super().__init__(model)
        table, i = model.table, index
        self.index = i
        self.fundamental_tfp = float(cal.fundamental_tfp[i])
        self.knowledge = float(cal.knowledge[i])
        self.accessible_knowledge_base = float(cal.accessible_knowledge[i])
        self.population_base = float(table.population_persons[i])
        self.land_km2 = float(table.construction_land_km2[i])
        self.amenity_talent, self.amenity_labour = float(cal.amenity_talent[i]), float(cal.amenity_labour[i])
        self.promotion = float(cal.promotion[i])
        # rows: registered here (or owned by this region) x location of every region
        self.talent_row = [int(x) for x in cal.talent_stock[i]]
        self.labour_row = [int(x) for x in cal.labour_stock[i]]
        self.capital_row = [float(x) for x in cal.capital[i]]
        self.deterrence_talent = costs["talent"][i].tolist()
        self.deterrence_labour = costs["labour"][i].tolist()
        self.friction = costs["capital"][i].tolist()
        self.spillover = costs["spillover"][i].tolist()

    # phase 1: production and prices (reads the other regions' stocks)
    def produce(self) -> None:
        p, m, j = self.model.params, self.model, self.index
        others = m.regions
        self.talent_res = sum(r.talent_row[j] for r in others)
        self.labour_res = sum(r.labour_row[j] for r in others)
        self.population = self.talent_res + self.labour_res
        self.capital_installed = sum(r.capital_row[j] for r in others)
        accessible = sum(s * r.knowledge for s, r in zip(self.spillover, others))
        self.tfp = (
            self.fundamental_tfp
            * (accessible / self.accessible_knowledge_base) ** p.knowledge_elasticity
            * (self.population / self.population_base) ** p.agglomeration_elasticity
        )
        alpha, gamma = p.capital_share, p.land_share
        self.gdp = (
            self.tfp
            * self.capital_installed**alpha
            * self.talent_res**m.beta_talent
            * self.labour_res**m.beta_labour
            * self.land_km2**gamma
        )
        self.wage_talent = m.beta_talent * self.gdp / self.talent_res
        self.wage_labour = m.beta_labour * self.gdp / self.labour_res
        self.gross_return = alpha * self.gdp / self.capital_installed if self.capital_installed > 0 else 0.0
        self.price = (self.gdp / self.land_km2) ** (1.0 - p.housing_share)
        self.investment_attractiveness = self.promotion * self.gross_return
        self.real_income_talent = self.amenity_talent * self.wage_talent / self.price
        self.real_income_labour = self.amenity_labour * self.wage_labour / self.price

    # phase 2: income by owner, investment and migration choices (reads the other regions' prices)
    def choose(self) -> None:
        p, others = self.model.params, self.model.regions
        self.gni = (
            sum(x * r.wage_talent for x, r in zip(self.talent_row, others))
            + sum(x * r.wage_labour for x, r in zip(self.labour_row, others))
            + sum(k * r.gross_return for k, r in zip(self.capital_row, others))
            + p.land_share * self.gdp
        )
        self.investment = p.saving_rate * self.gni
        shares = logit_row(self.friction, [r.investment_attractiveness for r in others], p.investment_elasticity)
        self.invest_row = [self.investment * s for s in shares]
        self.moved_talent = migrate_row(
            self.talent_row,
            logit_row(self.deterrence_talent, [r.real_income_talent for r in others], p.migration_elasticity_talent),
            p.rechoice_rate,
        )
        self.moved_labour = migrate_row(
            self.labour_row,
            logit_row(self.deterrence_labour, [r.real_income_labour for r in others], p.migration_elasticity_labour),
            p.rechoice_rate,
        )

    # phase 3: record the year (reads the other regions' choices)
    def record(self) -> None:
        m, j = self.model, self.index
        others = m.regions
        received = sum(r.invest_row[j] for r in others)
        values = {
            "gdp_100m_yuan": self.gdp,
            "gdp_attributed_100m_yuan": self.gdp,
            "gni_100m_yuan": self.gni,
            "gdp_per_capita_yuan": self.gdp * YUAN_PER_100M / self.population,
            "population_persons": self.population,
            "talent_persons": self.talent_res,
            "labour_persons": self.labour_res,
            "migrant_stock_persons": self.population - self.talent_row[j] - self.labour_row[j],
            "talent_migrant_stock_persons": self.talent_res - self.talent_row[j],
            "net_migration_talent_persons": sum(r.moved_talent[j] for r in others) - self.talent_res,
            "net_migration_labour_persons": sum(r.moved_labour[j] for r in others) - self.labour_res,
            "capital_installed_100m_yuan": self.capital_installed,
            "capital_owned_100m_yuan": sum(self.capital_row),
            "investment_100m_yuan": self.investment,
            "investment_received_100m_yuan": received,
            "investment_from_outside_100m_yuan": received - self.invest_row[j],
            "park_gdp_100m_yuan": 0.0,
            "construction_land_km2": self.land_km2,
            "tfp": self.tfp,
            "knowledge_stock": self.knowledge,
            "researchers_persons": self.talent_res,
            "wage_talent_yuan": self.wage_talent * YUAN_PER_100M,
            "wage_labour_yuan": self.wage_labour * YUAN_PER_100M,
        }
        row = m.year - m.years[0]
        for name, value in values.items():
            m.records[name][row][j] = float(value)

    # phase 4: settlement (each origin converts part of its registrants living elsewhere)
    def settle(self) -> None:
        rate, j = self.model.params.settlement_rate, self.index
        self.converted_talent = [0 if d == j else round(x * rate) for d, x in enumerate(self.moved_talent)]
        self.converted_labour = [0 if d == j else round(x * rate) for d, x in enumerate(self.moved_labour)]

    # phase 5: stocks of next year (reads the other regions' settlement)
    def advance(self) -> None:
        p, others, j = self.model.params, self.model.regions, self.index
        talent = [x - c for x, c in zip(self.moved_talent, self.converted_talent)]
        labour = [x - c for x, c in zip(self.moved_labour, self.converted_labour)]
        talent[j] += sum(r.converted_talent[j] for r in others)
        labour[j] += sum(r.converted_labour[j] for r in others)
        self.next_rows = talent, labour
        self.capital_next = [(1.0 - p.depreciation) * k + i for k, i in zip(self.capital_row, self.invest_row)]
        self.knowledge_next = (1.0 - p.knowledge_decay) * self.knowledge + max(
            self.talent_res, 0.0
        ) ** p.knowledge_returns

    def commit(self) -> None:
        p = self.model.params
        self.talent_row, self.labour_row = self.next_rows
        self.capital_row, self.knowledge = self.capital_next, self.knowledge_next
        self.land_km2 = self.land_km2 * (1 + p.land_growth_rate)
        self.fundamental_tfp = self.fundamental_tfp * math.exp(p.tfp_growth)


def logit_row(deterrence: list[float], attractiveness: list[float], elasticity: float) -> list[float]:
    """m[j] = D[j] (V_j / max V)^kappa / sum_k D[k] (V_k / max V)^kappa."""
    top = max(attractiveness)
    weights = [d * (v / top) ** elasticity for d, v in zip(deterrence, attractiveness)]
    total = sum(weights)
    return [w / total for w in weights]


def migrate_row(stock: list[int], shares: list[float], rechoice_rate: float) -> list[int]:
    """Mean-field re-choice of one origin's registrants, cumulatively rounded to whole persons."""
    registered = sum(stock)
    out, running, previous = [], 0.0, 0
    for x, m in zip(stock, shares):
        running += (1.0 - rechoice_rate) * x + rechoice_rate * registered * m
        rounded = round(running)
        out.append(rounded - previous)
        previous = rounded
    return out


class PlainMesaModel(Model):
    """Mean-field status-quo model with per-agent Python loops; records the same variables as YREBModel."""

    PHASES = ("produce", "choose", "record", "settle", "advance", "commit")

    def __init__(self, scenario: ResolvedScenario, rng=None):
        if scenario.spec.policies or scenario.params.stochastic:
            raise ValueError(
                "the plain per-agent model covers the mean-field status quo only (stochastic=false, no policies)"
            )
        super().__init__(rng=rng)
        self.table, self.params = scenario.table, scenario.params
        cal = calibrate(self.table, self.params)
        self.beta_talent, self.beta_labour = cal.beta_talent, cal.beta_labour
        costs = status_quo_costs(self.table, self.params)
        self.regions = [PlainRegion(self, i, cal, costs) for i in range(self.table.n)]
        self.years = scenario.years
        self.year = self.years[0]
        self.records = {name: [[math.nan] * self.table.n for _ in self.years] for name in VARIABLES}

    def step(self) -> None:
        for phase in self.PHASES:
            self.agents.do(phase)
        self.year += 1

    def stocks(self) -> dict[str, np.ndarray]:
        """Registration x residence people and owner x location capital, as matrices."""
        return {
            "talent_stock": np.array([r.talent_row for r in self.regions]),
            "labour_stock": np.array([r.labour_row for r in self.regions]),
            "capital": np.array([r.capital_row for r in self.regions]),
        }
