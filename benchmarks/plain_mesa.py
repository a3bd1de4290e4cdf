"""Model 2's yearly step written the plain Mesa way: one Region agent per region, each looping over the
others in Python (floats, ints and lists; no numpy in the step). It is the reference for the speed of the
vectorised ``yreb.model.model.YREBModel``; ``tests/test_benchmarks.py`` checks that both compute the same
recorded variables and stocks.

Scope: the mean-field model (``ModelParameters(stochastic=False)``) under the status quo (a scenario without
policies: no parks, enclaves, pairings, cost cuts or barrier changes). The base-year calibration, the
status-quo cost matrices and the fiscal-transfer coefficients are set up with the project's own functions
(they are not part of a step) and handed to the agents as Python lists.

A year, in the order of ``YREBModel.step`` (docs/MODEL.md section 3), as ``agents.do`` phases:

- ``produce``: each region sums the people and capital the other regions keep in it, reads their knowledge
  through its spillover row, and sets its sector TFP and its factor bundle;
- ``own_income``: where each region's registered people live, and the non-labour income it owns per unit of
  each region's value added (returns on its capital, its land rent);
- ``residents_income``: each region adds up what its residents earn per unit of each region's value added
  (labour, the dividends of where its residents are registered, fiscal transfers);
- the goods market: the same Newton method on log factor costs as ``kernels.solve_trade_equilibrium``,
  written per agent. Each importer computes its trade shares and spending for a trial of factor costs
  (``buy``), each exporter its sales and its row of the Jacobian (``sell``, ``jacobian_row``); the model
  solves the linear system by Gaussian elimination in Python. The step is the solution with the last
  region's change set to 0 (the gaps are homogeneous of degree 0 in the costs, so the Jacobian is singular
  along equal changes; ``solve_trade_equilibrium`` takes the least-squares step of least norm instead). The
  iterates differ, the equilibrium reached (to the same tolerance, 1e-12 in the log gaps) is the same;
- ``prices``: each region's CES price indices, cost of living, wages, returns, incomes, dividends;
- ``invest`` and ``migrate``: each owner's investment and each origin's destination logits, mean-field
  re-choice of whole persons (cumulative rounding), and money-metric welfare;
- ``record``: the recorded variables (``yreb.model.outputs.VARIABLES``);
- ``settle`` and ``advance``: settlement, natural change, capital, knowledge, land and TFP of next year.
"""

from __future__ import annotations

import math

import numpy as np
from mesa import Agent, Model

from yreb.inputs.carbon import carbon_paths
from yreb.inputs.scenario import ResolvedScenario
from yreb.model import kernels as k
from yreb.model.calibration import calibrate, capital_friction, migration_deterrence, spillover, trade_deterrence
from yreb.model.outputs import SECTORS, TONNES_PER_10K_YUAN, VARIABLES

YUAN_PER_100M = k.YUAN_PER_100M
SECONDARY = SECTORS.index("secondary")
TOLERANCE = 1e-12  # as kernels.solve_trade_equilibrium
MAX_ITERATIONS = 5000


def dot(a: list[float], b: list[float]) -> float:
    """sum_i a_i b_i."""
    return sum(x * y for x, y in zip(a, b))


def cumulative_round(target: list[float]) -> list[int]:
    """Whole persons n_j = round(sum_{l<=j} target_l) - round(sum_{l<j} target_l) (row sum kept)."""
    out, running, previous = [], 0.0, 0
    for x in target:
        running += x
        rounded = round(running)  # round half to even, as np.rint
        out.append(rounded - previous)
        previous = rounded
    return out


def solve_linear(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """x with matrix x = rhs: Gaussian elimination with partial pivoting (a copy; the inputs are kept)."""
    n = len(rhs)
    a = [row[:] + [b] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        head = a[col]
        if head[col] == 0.0:
            raise ArithmeticError("singular Jacobian")
        for r in range(col + 1, n):
            factor = a[r][col] / head[col]
            if factor != 0.0:
                row = a[r]
                for c in range(col, n + 1):
                    row[c] -= factor * head[c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


class PlainRegion(Agent):
    """A region holding its own rows of the stocks: the people it registers and the capital it owns, by location."""

    def __init__(self, model: PlainMesaModel, index: int, cal, costs: dict):
        super().__init__(model)
        table, p, i = model.table, model.params, index
        self.index = i
        self.fundamental_tfp = [float(cal.base_tfp[i])] * len(SECTORS)
        self.base_tfp = float(cal.base_tfp[i])
        self.knowledge = float(cal.knowledge[i])
        self.accessible_knowledge_base = float(cal.accessible_knowledge[i])
        self.population_base = float(table.population_persons[i])
        self.land_km2 = float(table.construction_land_km2[i])
        self.base_rent_density = float(table.gdp_100m_yuan[i] / table.construction_land_km2[i])
        self.base_goods_price = float(cal.base_goods_price[i])
        self.saving_rate = float(cal.saving_rate[i])
        self.wedge = float(cal.investment_wedge[i])
        self.trade_weight = [float(cal.trade_weight[s, i]) for s in range(len(SECTORS))]
        self.spending_share = [float(cal.spending_share[s, i]) for s in range(len(SECTORS))]
        self.amenity = {"talent": float(cal.amenity_talent[i]), "labour": float(cal.amenity_labour[i])}
        self.welfare_scale = {
            "talent": float(cal.welfare_scale_talent[i]),
            "labour": float(cal.welfare_scale_labour[i]),
        }
        self.kappa = {"talent": p.migration_elasticity_talent, "labour": p.migration_elasticity_labour}
        # rows: registered here (or owned by this region) x location of every region
        self.rows = {"talent": [int(x) for x in cal.talent_stock[i]], "labour": [int(x) for x in cal.labour_stock[i]]}
        self.capital_row = [float(x) for x in cal.capital[i]]
        # cost rows: as origin (migration, capital, spillover) and as importer (goods, column i)
        self.deterrence = {"talent": costs["talent"][i].tolist(), "labour": costs["labour"][i].tolist()}
        self.friction = costs["capital"][i].tolist()
        self.spillover = costs["spillover"][i].tolist()
        self.goods_in = [costs["goods"][s][:, i].tolist() for s in range(len(SECTORS))]  # from every exporter
        self.fiscal = costs["fiscal"][i].tolist()  # transfers received per unit of each region's value added

    # --- phase 2 and the first part of 3: productivity, factor bundle, what this region owns ------------------
    def produce(self) -> None:
        m, p, j = self.model, self.model.params, self.index
        others = m.regions
        self.talent_res = sum(r.rows["talent"][j] for r in others)
        self.labour_res = sum(r.rows["labour"][j] for r in others)
        self.registered = {f: sum(self.rows[f]) for f in ("talent", "labour")}
        self.registered_all = self.registered["talent"] + self.registered["labour"]
        self.population = self.talent_res + self.labour_res
        self.researchers = float(self.talent_res)  # no enclave staff
        accessible = sum(s * r.knowledge for s, r in zip(self.spillover, others))
        multiplier = (accessible / self.accessible_knowledge_base) ** p.knowledge_elasticity * (
            self.population / self.population_base
        ) ** p.agglomeration_elasticity
        self.tfp = [a * multiplier for a in self.fundamental_tfp]
        alpha, gamma = p.capital_share, p.land_share
        self.capital_installed = sum(r.capital_row[j] for r in others)
        fixed = (1.0 * self.capital_installed**alpha * self.land_km2**gamma) ** (1.0 / (alpha + gamma))
        talent = self.talent_res * fixed / fixed  # one unit per region: wages equalise trivially
        labour = float(self.labour_res) * fixed / fixed
        self.bundle = 1.0 * (
            self.capital_installed**alpha * talent**m.beta_talent * labour**m.beta_labour * self.land_km2**gamma
        )

    def own_income(self) -> None:
        """Where this region's registered people live, and the non-labour income it owns per unit of value added."""
        p, j, others = self.model.params, self.index, self.model.regions
        people = [t + lab for t, lab in zip(self.rows["talent"], self.rows["labour"])]
        total = sum(people)
        self.where_they_live = [x / total for x in people]
        self.owns = [
            p.capital_share * own / r.capital_installed if r.capital_installed > 0 else 0.0
            for own, r in zip(self.capital_row, others)
        ]
        self.owns[j] += p.land_share

    def residents_income(self) -> None:
        """Income of this region's residents per unit of each region's value added, times its bundle."""
        m, j = self.model, self.index
        others = m.regions
        labour_share = m.beta_labour + m.beta_talent * (self.talent_res / self.talent_res)
        row = list(self.fiscal)
        for o in others:
            share = o.where_they_live[j]
            row = [x + share * y for x, y in zip(row, o.owns)]
        row[j] += labour_share
        self.income_per_va = row
        self.income_row = [x * r.bundle for x, r in zip(row, others)]  # d spending / d C_u

    # --- the goods market (per agent: importer and exporter sides) ------------------------------------------
    def buy(self) -> None:
        """As importer: spending at trial costs, sector trade shares pi[s][i] and spending by sector."""
        m, theta = self.model, self.model.params.trade_elasticity
        others = m.regions
        c = m.trial
        self.spending = sum(h * x for h, x in zip(self.income_row, c))
        self.shares, self.spend = [], []
        for s in range(len(SECTORS)):
            numerator = [
                r.trade_weight[s] * (x / r.tfp[s]) ** -theta * d for r, x, d in zip(others, c, self.goods_in[s])
            ]
            total = sum(numerator)
            self.shares.append([x / total for x in numerator])
            self.spend.append(self.spending_share[s] * self.spending)

    def sell(self) -> None:
        """As exporter: sales by sector to every importer and the log gap of sales over value added."""
        m, i = self.model, self.index
        others = m.regions
        self.sales = [sum(r.shares[s][i] * r.spend[s] for r in others) for s in range(len(SECTORS))]
        self.total_sales = sum(self.sales)
        self.gap = math.log(self.total_sales / (m.trial[i] * self.bundle))

    def jacobian_row(self) -> None:
        """d gap_i / d ln C_k: price effects through every importer's shares, income effects through spending."""
        m, i, theta = self.model, self.index, self.model.params.trade_elasticity
        others, c, n = m.regions, m.trial, len(m.regions)
        own = [0.0] * n
        weight = [0.0] * n  # sum_s pi[s][i][j] mu[s][j]
        for jj, r in enumerate(others):
            for s in range(len(SECTORS)):
                w = r.shares[s][i] * r.spend[s]
                if w != 0.0:
                    own = [o + w * x for o, x in zip(own, r.shares[s])]
                weight[jj] += r.shares[s][i] * r.spending_share[s]
        income = [0.0] * n
        for w, r in zip(weight, others):
            income = [x + w * h for x, h in zip(income, r.income_row)]
        total = self.total_sales
        row = [(theta * o + y * x) / total for o, y, x in zip(own, income, c)]
        row[i] -= theta + 1.0
        self.jacobian = row

    # --- the rest of phase 3: prices, wages, incomes -------------------------------------------------------
    def prices(self) -> None:
        m, p, j = self.model, self.model.params, self.index
        others, theta = m.regions, p.trade_elasticity
        cost = m.cost_index
        self.cost = cost[j]
        self.value_added = cost[j] * self.bundle
        self.price = [cost[j] / a for a in self.tfp]
        self.real_output = [x / q for x, q in zip(self.sales_final, self.price)]
        self.sector_price, self.final_shares = [], []
        for s in range(len(SECTORS)):
            terms = [r.trade_weight[s] * r.price_now(s) ** -theta * d for r, d in zip(others, self.goods_in[s])]
            total = sum(terms)
            self.sector_price.append(total ** (-1.0 / theta))
            self.final_shares.append([x / total for x in terms])
        goods = math.exp(sum(mu * math.log(q) for mu, q in zip(self.spending_share, self.sector_price)))
        self.goods_price = goods / self.base_goods_price
        rent_density = self.value_added / self.land_km2 / self.base_rent_density
        a = p.traded_goods_share
        self.cost_of_living = self.goods_price**a * rent_density ** (1.0 - a)
        self.gross_return = (
            p.capital_share * self.value_added / self.capital_installed if self.capital_installed else 0.0
        )
        self.wage = {
            "talent": m.beta_talent * self.value_added / self.talent_res,
            "labour": m.beta_labour * self.value_added / self.labour_res,
        }

    def price_now(self, s: int) -> float:
        """Gate price of sector s at the equilibrium costs: C_j / A_sj."""
        return self.model.cost_index[self.index] / self.tfp[s]

    def incomes(self) -> None:
        others = self.model.regions
        self.income = sum(x * r.value_added for x, r in zip(self.income_per_va, others))
        non_labour = sum(x * r.value_added for x, r in zip(self.owns, others))
        self.dividend = non_labour / self.registered_all
        self.imports_by_sector = [mu * self.income for mu in self.spending_share]

    # --- phases 4 and 5: investment and migration choices ------------------------------------------------------
    def invest(self) -> None:
        m, p = self.model, self.model.params
        others = m.regions
        self.investment_nominal = self.saving_rate * self.income
        top = m.investment_top
        weights = [
            f * r.capital_installed * (r.wedge**1.0 * r.gross_return / top) ** p.investment_elasticity
            for f, r in zip(self.friction, others)
        ]
        total = sum(weights)
        self.invest_row = [self.investment_nominal * w / total / self.goods_price for w in weights]

    def migrate(self) -> None:
        m, p = self.model, self.model.params
        others = m.regions
        self.moved, welfare = {}, 0.0
        for factor in ("talent", "labour"):
            kappa, top = self.kappa[factor], m.migration_top[factor]
            attractiveness = [r.amenity[factor] * (r.wage[factor] + self.dividend) / r.cost_of_living for r in others]
            weights = [d * (v / top) ** kappa for d, v in zip(self.deterrence[factor], attractiveness)]
            total = sum(weights)
            shares = [w / total for w in weights]
            utility = sum(d * v**kappa for d, v in zip(self.deterrence[factor], attractiveness)) ** (1.0 / kappa)
            welfare += self.registered[factor] * self.welfare_scale[factor] * utility
            n_o, psi = self.registered[factor], p.rechoice_rate
            target = [(1.0 - psi) * x + psi * n_o * s for x, s in zip(self.rows[factor], shares)]
            self.moved[factor] = cumulative_round(target)
        self.welfare = welfare / self.registered_all

    # --- phase 6: record --------------------------------------------------------------------------------------
    def record(self) -> None:
        m, j = self.model, self.index
        others = m.regions
        received = sum(r.invest_row[j] for r in others)
        exports = sum(
            sum(r.final_shares[s][j] * r.imports_by_sector[s] for s in range(len(SECTORS)))
            for jj, r in enumerate(others)
            if jj != j
        )
        imports = sum(
            sum(self.final_shares[s][i] * self.imports_by_sector[s] for s in range(len(SECTORS)))
            for i in range(len(others))
            if i != j
        )
        gdp = sum(self.real_output)
        real_income = self.income / self.cost_of_living
        population = float(self.population)
        values = {
            "gdp_100m_yuan": gdp,
            **{f"va_{s}_100m_yuan": self.real_output[i] for i, s in enumerate(SECTORS)},
            "gdp_nominal_100m_yuan": self.value_added,
            "gdp_attributed_100m_yuan": gdp,
            "income_100m_yuan": self.income,
            "real_income_100m_yuan": real_income,
            "gdp_per_capita_yuan": gdp * YUAN_PER_100M / population,
            "real_income_per_capita_yuan": real_income * YUAN_PER_100M / population,
            "welfare_yuan": self.welfare * YUAN_PER_100M,
            "registered_persons": self.registered_all,
            "population_persons": population,
            "talent_persons": self.talent_res,
            "labour_persons": self.labour_res,
            "migrant_stock_persons": population - self.rows["talent"][j] - self.rows["labour"][j],
            "talent_migrant_stock_persons": self.talent_res - self.rows["talent"][j],
            "net_migration_talent_persons": sum(r.moved["talent"][j] for r in others) - self.talent_res,
            "net_migration_labour_persons": sum(r.moved["labour"][j] for r in others) - self.labour_res,
            "natural_change_persons": 0.0,  # set in ``advance``
            "capital_installed_100m_yuan": self.capital_installed,
            "capital_owned_100m_yuan": sum(self.capital_row),
            "return_on_capital": self.gross_return,
            "investment_100m_yuan": sum(self.invest_row),
            "investment_received_100m_yuan": received,
            "investment_from_outside_100m_yuan": received - self.invest_row[j],
            "exports_to_regions_100m_yuan": exports,
            "imports_from_regions_100m_yuan": imports,
            "park_gdp_100m_yuan": 0.0,
            "construction_land_km2": self.land_km2,
            "tfp": self.tfp[SECONDARY] / self.base_tfp,
            "knowledge_stock": self.knowledge,
            "researchers_persons": self.researchers,
            "wage_talent_yuan": self.wage["talent"] * YUAN_PER_100M,
            "wage_labour_yuan": self.wage["labour"] * YUAN_PER_100M,
            "goods_price_index": self.goods_price,
            "cost_of_living_index": self.cost_of_living,
            "policy_transfer_100m_yuan": 0.0,  # no policies
        }
        row = m.year - m.years[0]
        if m.carbon is not None:  # CO2: this region's intensities x its own real value added and residents
            sector = [m.carbon.sector_Mt_per_100m_yuan[row][s][j] * self.real_output[s] for s in range(len(SECTORS))]
            households = m.carbon.household_Mt_per_person[row][j] * population
            for s, name in enumerate(SECTORS):
                values[f"co2_{name}_Mt"] = sector[s]
            values["co2_households_Mt"] = households
            values["co2_Mt"] = sum(sector) + households
            values["co2_per_10k_yuan_gdp"] = TONNES_PER_10K_YUAN * values["co2_Mt"] / gdp
        for name, value in values.items():
            m.records[name][row][j] = float(value)

    # --- phase 7: settlement, natural change and the stocks of next year ------------------------------------------
    def settle(self) -> None:
        """Each origin converts a share of its registrants living elsewhere (rounded to whole persons)."""
        rate, j = self.model.params.settlement_rate, self.index
        self.converted = {
            f: [0 if d == j else round(x * rate) for d, x in enumerate(self.moved[f])] for f in ("talent", "labour")
        }

    def advance(self) -> None:
        m, p, j = self.model, self.model.params, self.index
        others = m.regions
        self.next_rows, self.natural_change = {}, {}
        for f in ("talent", "labour"):
            row = [x - c for x, c in zip(self.moved[f], self.converted[f])]
            row[j] += sum(r.converted[f][j] for r in others)
            change = [round(x * p.natural_growth_rate) for x in row]  # births net of deaths, mean-field
            self.next_rows[f] = [x + b for x, b in zip(row, change)]
            self.natural_change[f] = change
        self.capital_next = [(1.0 - p.depreciation) * c + i for c, i in zip(self.capital_row, self.invest_row)]
        self.knowledge_next = (1.0 - p.knowledge_decay) * self.knowledge + 1.0 * max(
            self.researchers, 0.0
        ) ** p.knowledge_returns

    def commit(self) -> None:
        m, p, j = self.model, self.model.params, self.index
        row = m.year - m.years[0]
        m.records["natural_change_persons"][row][j] = float(
            sum(r.natural_change["talent"][j] + r.natural_change["labour"][j] for r in m.regions)
        )
        self.rows, self.capital_row, self.knowledge = self.next_rows, self.capital_next, self.knowledge_next
        self.land_km2 = self.land_km2 * (1 + p.land_growth_rate)
        self.fundamental_tfp = [a * math.exp(p.tfp_growth + 0.0) for a in self.fundamental_tfp]


class PlainMesaModel(Model):
    """Mean-field status-quo model 2 with per-agent Python loops; records the same variables as YREBModel."""

    def __init__(self, scenario: ResolvedScenario, rng=None):
        if scenario.spec.policies or scenario.params.stochastic or scenario.fit_until > scenario.spec.start_year:
            raise ValueError(
                "the plain per-agent model covers the mean-field status quo only (stochastic=false, no policies, "
                "no fitted years: [history] fit_until = start_year)"
            )
        super().__init__(rng=rng)
        self.table, self.params = scenario.table, scenario.params
        t, p = self.table, self.params
        cal = calibrate(t, p)
        self.beta_talent, self.beta_labour = cal.beta_talent, cal.beta_labour
        costs = {
            "goods": trade_deterrence(t, p),
            "talent": migration_deterrence(t, p, "talent"),
            "labour": migration_deterrence(t, p, "labour"),
            "capital": capital_friction(t.distance_km(), t.border(), p, 1.0),
            "spillover": spillover(t, p),
            "fiscal": k.transfer_coefficients(t.net_outflow_share, t.gdp_100m_yuan),
        }
        self.regions = [PlainRegion(self, i, cal, costs) for i in range(t.n)]
        self.cost_index = [float(x) for x in cal.base_tfp]  # warm start of the goods-market solver
        self.years = scenario.years
        self.year = self.years[0]
        self.carbon, _ = carbon_paths(t.names, self.years)
        recorded = [v for v in VARIABLES if self.carbon is not None or not v.startswith("co2_")]
        self.records = {name: [[math.nan] * t.n for _ in self.years] for name in recorded}
        self.newton = t.n <= k.NEWTON_MAX_REGIONS
        self.equilibrium_iterations: list[int] = []

    # --- the goods-market equilibrium, Newton on log factor costs (as kernels.solve_trade_equilibrium) -------------
    def evaluate(self, trial: list[float]) -> list[float]:
        """Every importer buys and every exporter sells at ``trial`` factor costs; returns the log gaps."""
        self.trial = trial
        self.agents.do("buy")
        self.agents.do("sell")
        return [r.gap for r in self.regions]

    def market_equilibrium(self) -> None:
        regions, theta = self.regions, self.params.trade_elasticity
        bundle = [r.bundle for r in regions]
        c = list(self.cost_index)
        gap = self.evaluate(c)
        for iteration in range(MAX_ITERATIONS):
            worst = max(abs(g) for g in gap)
            if worst < TOLERANCE:
                output = sum(sum(x * a for x, a in zip(r.sales, r.tfp)) / ci for r, ci in zip(regions, c))
                scale = output / sum(ci * f for ci, f in zip(c, bundle))
                self.cost_index = [ci * scale for ci in c]
                for r in regions:
                    r.sales_final = [x * scale for x in r.sales]
                self.equilibrium_iterations.append(iteration)
                return
            total = [r.total_sales for r in regions]
            real = sum(sum(x * a for x, a in zip(r.sales, r.tfp)) / ci for r, ci in zip(regions, c))
            accepted = False
            if self.newton:
                self.agents.do("jacobian_row")
                n = len(regions)
                matrix = [r.jacobian[: n - 1] for r in regions[: n - 1]]
                step = solve_linear(matrix, [-g for g in gap[: n - 1]]) + [0.0]
                largest = max(abs(x) for x in step)
                step = [x * min(1.0, 0.5 / max(largest, 1e-300)) for x in step]  # at most a 65% change per step
                size = 1.0
                while size > 1e-3:
                    trial = [ci * math.exp(size * x) for ci, x in zip(c, step)]
                    norm = real / sum(t * f for t, f in zip(trial, bundle))
                    trial = [t * norm for t in trial]
                    candidate = self.evaluate(trial)
                    if max(abs(g) for g in candidate) < worst:  # NaN never passes
                        c, gap, accepted = trial, candidate, True
                        break
                    size /= 2
            if not accepted:  # damped tatonnement (large N, or a Newton step that does not help)
                c = [ci * (t / (ci * f)) ** (1.0 / (1.0 + theta)) for ci, t, f in zip(c, total, bundle)]
                norm = real / sum(ci * f for ci, f in zip(c, bundle))
                c = [ci * norm for ci in c]
                gap = self.evaluate(c)
        raise RuntimeError("goods-market equilibrium did not converge")

    def step(self) -> None:
        """One year: the phases of YREBModel.step for the mean-field status quo."""
        self.agents.do("produce")
        self.agents.do("own_income")
        self.agents.do("residents_income")
        self.market_equilibrium()
        self.agents.do("prices")
        self.agents.do("incomes")
        self.investment_top = max(r.wedge**1.0 * r.gross_return for r in self.regions)
        top_dividend = max(r.dividend for r in self.regions)
        self.migration_top = {
            f: max(r.amenity[f] * (r.wage[f] + top_dividend) / r.cost_of_living for r in self.regions)
            for f in ("talent", "labour")
        }
        self.agents.do("invest")
        self.agents.do("migrate")
        self.agents.do("record")
        self.agents.do("settle")
        self.agents.do("advance")
        self.agents.do("commit")
        self.year += 1

    def run(self) -> PlainMesaModel:
        """Simulate every year of the scenario."""
        for _ in self.years:
            self.step()
        return self

    def stocks(self) -> dict[str, np.ndarray]:
        """Registration x residence people, owner x location capital and knowledge, as arrays."""
        return {
            "talent_stock": np.array([r.rows["talent"] for r in self.regions]),
            "labour_stock": np.array([r.rows["labour"] for r in self.regions]),
            "capital": np.array([r.capital_row for r in self.regions]),
            "knowledge": np.array([r.knowledge for r in self.regions]),
        }
