"""The YREB factor-flow model (Mesa 3.5): one step is one year.

Schedule of a step for year t (docs/MODEL.md, "Process overview"):
1 policies in force: open parks and enclaves, close what ended; 2 TFP from knowledge; 3 production and
prices; 4 incomes (GNI by owner) and statistical splits; 5 record year t; 6 investment -> capital of t+1;
7 migration and settlement -> people of t+1; 8 knowledge -> S of t+1; 9 land quotas and TFP drift.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from mesa import Model

from yreb.errors import ModelInvariantError, UserInputError
from yreb.inputs.scenario import ResolvedScenario, default_scenario
from yreb.model import kernels as k
from yreb.model.agents import CoBuiltPark, InnovationEnclave, Region
from yreb.model.calibration import calibrate, capital_friction
from yreb.policies import PolicyState

YUAN_PER_100M = k.YUAN_PER_100M

# recorded region-year variables and their units
VARIABLES: dict[str, str] = {
    "gdp_100m_yuan": "100m yuan (2015 prices), by location",
    "gdp_attributed_100m_yuan": "100m yuan (2015 prices), statistical attribution",
    "gni_100m_yuan": "100m yuan (2015 prices), income by owner",
    "gdp_per_capita_yuan": "yuan per resident (2015 prices)",
    "population_persons": "persons (residents)",
    "talent_persons": "persons (resident R&D personnel)",
    "labour_persons": "persons (resident other workers)",
    "migrant_stock_persons": "persons (residents registered elsewhere)",
    "talent_migrant_stock_persons": "persons (resident talent registered elsewhere)",
    "net_migration_talent_persons": "persons/year (net arrivals by migration, year t to t+1)",
    "net_migration_labour_persons": "persons/year (net arrivals by migration, year t to t+1)",
    "capital_installed_100m_yuan": "100m yuan (installed in the region and its parks)",
    "capital_owned_100m_yuan": "100m yuan (owned by the region anywhere)",
    "investment_100m_yuan": "100m yuan/year (by owner)",
    "investment_received_100m_yuan": "100m yuan/year (installed in the region)",
    "investment_from_outside_100m_yuan": "100m yuan/year (installed in the region, owned elsewhere)",
    "park_gdp_100m_yuan": "100m yuan (GDP of co-built parks hosted)",
    "construction_land_km2": "km2 (region and its parks)",
    "tfp": "index (total factor productivity of the region's own economy)",
    "knowledge_stock": "index (S, steady state of base-year R&D = RD^lambda/delta_S)",
    "researchers_persons": "persons (R&D labour working for the region, incl. enclave staff)",
    "wage_talent_yuan": "yuan per person-year",
    "wage_labour_yuan": "yuan per person-year",
}
FLOW_FACTORS = ("talent", "labour", "capital")
FLOW_UNITS = {
    "talent": "persons/year (net change of registration-origin x residence stock by migration)",
    "labour": "persons/year (net change of registration-origin x residence stock by migration)",
    "capital": "100m yuan/year (investment by owner x installed region)",
}


def replication_seed(root_seed: int, replication: int) -> int:
    """Seed of replication k: SeedSequence(root, spawn_key=(k,)) reduced to a 63-bit integer.

    Replication k of every scenario with the same root seed gets the same seed (common random numbers).
    """
    state = np.random.SeedSequence(root_seed, spawn_key=(replication,)).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


class YREBModel(Model):
    """Regions of the Yangtze River Economic Belt exchanging talent, labour, capital and knowledge."""

    def __init__(
        self, scenario: ResolvedScenario | None = None, *, replication: int = 0, rng=None, record_flows: bool = True
    ):
        scenario = scenario if scenario is not None else default_scenario()
        self.replication = replication
        self.seed = replication_seed(scenario.spec.seed, replication) if rng is None else rng
        super().__init__(rng=self.seed)
        self.scenario, self.params, self.table = scenario, scenario.params, scenario.table
        self.record_flows = record_flows
        p, t = self.params, self.table
        try:
            cal = calibrate(t, p)
        except (RuntimeError, np.linalg.LinAlgError) as exc:  # the inputs admit no calibrated base year
            raise UserInputError(
                f"the base year cannot be calibrated from region table {t.source_file} with these parameters: {exc}",
                file=scenario.source,
                field="parameters",
                expected="less extreme parameters or region data (border_cost_capital x "
                "investment_elasticity above about 50 leaves investment unable to reach "
                "every region)",
            ) from None
        self.calibration = cal
        n, parks = t.n, scenario.policies.parks
        self.n_regions = n
        self.region_index = {name: i for i, name in enumerate(t.names)}
        self.distance_km, self.border = t.distance_km(), t.border()
        self.beta_talent, self.beta_labour = cal.beta_talent, cal.beta_labour
        # people: registration x residence (whole persons)
        self.talent_stock = cal.talent_stock.copy()
        self.labour_stock = cal.labour_stock.copy()
        self.total_people = int(self.talent_stock.sum() + self.labour_stock.sum())
        # production units: the regions' own economies, then one slot per co-built park policy
        units = n + len(parks)
        self.capital = np.zeros((n, units))
        self.capital[:, :n] = cal.capital
        self.land_km2 = np.zeros(units)
        self.land_km2[:n] = t.construction_land_km2
        self.unit_region = np.concatenate(
            [np.arange(n), [self.region_index[scenario.spec.policies[i].host] for i in parks]]
        ).astype(int)
        self.park_sponsor = np.array([self.region_index[scenario.spec.policies[i].sponsor] for i in parks], dtype=int)
        self.park_equity = np.array([scenario.spec.policies[i].sponsor_equity for i in parks])
        self.park_theta = np.array([scenario.spec.policies[i].management_transfer for i in parks])
        self.park_seed_capital = np.array([scenario.spec.policies[i].seed_capital_100m_yuan for i in parks])
        self.park_density_ratio = np.array([scenario.spec.policies[i].max_density_ratio for i in parks])
        self.park_open = np.zeros(len(parks), dtype=bool)
        enclaves = [scenario.spec.policies[i] for i in scenario.policies.enclaves]
        self.enclave_home = np.array([self.region_index[e.home] for e in enclaves], dtype=int)
        self.enclave_hub = np.array([self.region_index[e.hub] for e in enclaves], dtype=int)
        self.enclave_staff = np.zeros(len(enclaves))
        self.knowledge = cal.knowledge.copy()
        self.fundamental_tfp = cal.fundamental_tfp.copy()
        self.population_base = t.population_persons.copy()
        self._policy_key, self._policy_state = None, None
        self._cost_signature, self._costs_state = None, None
        self._friction_key, self._friction = None, None
        self._costs: dict[str, np.ndarray] = {}
        # agents
        self.regions = [
            Region(self, i, t.names[i], t.names_zh[i], t.subregion[i], bool(t.in_belt[i])) for i in range(n)
        ]
        self.parks: dict[int, CoBuiltPark] = {}
        self.enclaves: dict[int, InnovationEnclave] = {}
        # outputs
        self.years = scenario.years
        self.year = self.years[0]
        n_years = len(self.years)
        self.records = {v: np.full((n_years, n), np.nan) for v in VARIABLES}
        self.flows = np.zeros((n_years, len(FLOW_FACTORS), n, n)) if record_flows else None
        self.last_outputs: dict[str, np.ndarray] = {}
        self.last_unit_gdp = np.zeros(units)

    # --- policies --------------------------------------------------------------------------
    def policy_state(self, year: int) -> PolicyState:
        """The policies in force in ``year``, compiled again only when one of them changes.

        ``ResolvedPolicies.state`` depends on the year only through each policy's strength, whether it
        has started and (parks) whether its statistical split still runs; in years where none of these
        changes the previous state is reused (its arrays are read-only).
        """
        key = tuple(
            (policy.strength(year), year >= policy.start, year < policy.start + getattr(policy, "split_years", 0))
            for policy in self.scenario.spec.policies
        )
        if key != self._policy_key:
            p = self.params
            self._policy_state = self.scenario.policies.state(
                year, self.n_regions, p.settlement_rate, p.land_growth_rate, self.table.land_area_km2, self.region_index
            )
            for value in vars(self._policy_state).values():
                for array in value.values() if isinstance(value, dict) else [value]:
                    array.setflags(write=False)
            self._policy_key = key
        return self._policy_state

    def _update_costs(self, state: PolicyState) -> None:
        """Deterrence, capital-friction and spillover matrices under the barriers in force (cached)."""
        if state is self._costs_state:
            return
        self._costs_state = state
        signature = state.cost_signature()
        if signature == self._cost_signature:
            return
        p, border = self.params, self.border
        d = self.distance_km * state.distance_factor
        lv = state.barrier_level
        self._costs = {
            "talent": k.deterrence(
                k.migration_cost(
                    d, border, p.border_cost_talent, lv["talent"], p.distance_scale_km, p.distance_elasticity
                ),
                p.migration_elasticity_talent,
            ),
            "labour": k.deterrence(
                k.migration_cost(
                    d, border, p.border_cost_labour, lv["labour"], p.distance_scale_km, p.distance_elasticity
                ),
                p.migration_elasticity_labour,
            ),
            "capital": capital_friction(d, border, p, lv["capital"]),
            "spillover": np.maximum(
                k.spillover_weights(d, border, p.spillover_half_distance_km, p.technology_barrier, lv["technology"]),
                state.knowledge_link,
            ),
        }
        self._cost_signature = signature

    def _open_parks_and_enclaves(self, state: PolicyState) -> None:
        """Create park and enclave agents when their policies start; remove enclaves that ended."""
        n = self.n_regions
        spec = self.scenario.spec.policies
        for slot, policy_index in enumerate(self.scenario.policies.parks):
            if state.park_open[slot] and not self.park_open[slot]:
                unit, host, sponsor = n + slot, self.unit_region[n + slot], self.park_sponsor[slot]
                land = min(spec[policy_index].land_km2, 0.5 * self.land_km2[host])
                self.land_km2[host] -= land
                self.land_km2[unit] = land
                seed = min(self.park_seed_capital[slot], 0.5 * self.capital[sponsor, sponsor])
                self.capital[sponsor, sponsor] -= seed
                self.capital[sponsor, unit] += seed
                self.park_open[slot] = True
                self.parks[slot] = CoBuiltPark(self, spec[policy_index], unit, int(host), int(sponsor))
        for slot, policy_index in enumerate(self.scenario.policies.enclaves):
            staff = state.enclave_staff[slot]
            if staff > 0 and slot not in self.enclaves:
                self.enclaves[slot] = InnovationEnclave(
                    self, spec[policy_index], slot, int(self.enclave_home[slot]), int(self.enclave_hub[slot])
                )
            elif staff == 0 and slot in self.enclaves:
                self.enclaves.pop(slot).remove()
        self.enclave_staff = state.enclave_staff.copy()

    # --- one year --------------------------------------------------------------------------
    def step(self) -> None:
        year, p, n = self.year, self.params, self.n_regions
        self.check_stocks(year)  # a state corrupted since the last check is reported before it is used
        shock_rng, talent_rng, labour_rng, settle_t_rng, settle_l_rng = self.rng.spawn(5)
        state = self.policy_state(year)
        self._open_parks_and_enclaves(state)
        self._update_costs(state)
        alpha, gamma, beta_h, beta_l = p.capital_share, p.land_share, self.beta_talent, self.beta_labour

        # 2 TFP from knowledge (regions), management transplant (parks)
        talent_res = self.talent_stock.sum(axis=0)
        labour_res = self.labour_stock.sum(axis=0)
        population = talent_res + labour_res
        accessible = self._costs["spillover"] @ self.knowledge
        tfp_region = k.tfp_from_knowledge(
            self.fundamental_tfp,
            accessible,
            self.calibration.accessible_knowledge,
            population,
            self.population_base,
            p.knowledge_elasticity,
            p.agglomeration_elasticity,
        )
        hosts = self.unit_region[n:]
        theta = self.park_theta * state.park_strength
        tfp_unit = np.concatenate(
            [tfp_region, tfp_region[hosts] ** (1 - theta) * tfp_region[self.park_sponsor] ** theta]
        )

        # 3 production and prices
        staff_at_hub = np.bincount(self.enclave_hub, weights=self.enclave_staff, minlength=n)
        talent_prod = talent_res - staff_at_hub
        if (talent_prod <= 0).any():
            j = int(np.flatnonzero(talent_prod <= 0)[0])
            raise ModelInvariantError(
                year,
                self.table.names[j],
                "talent",
                f"no resident talent left for production ({talent_res[j]} residents, "
                f"{staff_at_hub[j]:g} of them innovation-enclave staff)",
            )
        capital_unit = self.capital.sum(axis=0)
        weight = k.unit_fixed_factor(tfp_unit, capital_unit, self.land_km2, alpha, gamma)
        land_region = np.bincount(self.unit_region, weights=self.land_km2, minlength=n)
        park_capacity = np.where(self.park_open, self.park_density_ratio * self.land_km2[n:] / land_region[hosts], 0.0)
        cap = np.concatenate([np.full(n, np.inf), park_capacity])  # times the host's workers
        talent_unit = k.allocate_workers(weight, self.unit_region, talent_prod, cap * talent_prod[self.unit_region])
        labour_unit = k.allocate_workers(
            weight, self.unit_region, labour_res.astype(float), cap * labour_res[self.unit_region]
        )
        gdp_unit = k.cobb_douglas(
            tfp_unit, capital_unit, talent_unit, labour_unit, self.land_km2, alpha, beta_h, beta_l, gamma
        )
        gdp = np.bincount(self.unit_region, weights=gdp_unit, minlength=n)
        wage_talent = beta_h * gdp / talent_prod  # 100m yuan per person-year
        wage_labour = beta_l * gdp / labour_res
        gross_return = np.divide(alpha * gdp_unit, capital_unit, out=np.zeros_like(gdp_unit), where=capital_unit > 0)
        price = k.housing_price(gdp, land_region, p.housing_share)

        # 4 incomes by owner and statistical attribution
        rent_unit = gamma * gdp_unit
        rent_by_owner = rent_unit[:n].copy()
        np.add.at(rent_by_owner, self.park_sponsor, self.park_equity * rent_unit[n:])
        np.add.at(rent_by_owner, hosts, (1 - self.park_equity) * rent_unit[n:])
        transfers = self._enclave_transfers(wage_talent)
        gni = (
            self.talent_stock @ wage_talent
            + self.labour_stock @ wage_labour
            + self.capital @ gross_return
            + rent_by_owner
            + transfers
        )
        split = state.park_split * gdp_unit[n:]
        gdp_attributed = gdp.copy()
        np.add.at(gdp_attributed, hosts, -split)
        np.add.at(gdp_attributed, self.park_sponsor, split)

        # 6 investment (computed before recording so the year's flows are recorded with it)
        investment = p.saving_rate * gni
        earmarked = state.earmarked_investment
        free = investment - earmarked.sum(axis=1)
        if (free < 0).any():
            j = int(np.flatnonzero(free < 0)[0])
            raise ModelInvariantError(
                year, self.table.names[j], "investment", "committed east-west transfers exceed the region's investment"
            )
        friction = self._unit_friction()
        # a park adds investment opportunities in proportion to its zoned capacity (workers it may employ
        # relative to the host's): its wedge is the host's times that share; the host keeps its own
        promotion = self.calibration.promotion[self.unit_region] * np.concatenate([np.ones(n), park_capacity])
        shares = k.investment_shares(friction, promotion, gross_return, p.investment_elasticity)
        invest = free[:, None] * shares
        invest[:, :n] += earmarked
        invest_by_region = invest[:, :n].copy()  # owner x region: own economies plus the parks each hosts
        np.add.at(invest_by_region.T, hosts, invest[:, n:].T)
        invest_received = invest_by_region.sum(axis=0)

        # 7 migration and settlement
        real_talent = k.real_income(self.calibration.amenity_talent, wage_talent, price)
        real_labour = k.real_income(self.calibration.amenity_labour, wage_labour, price)
        m_talent = k.logit_shares(self._costs["talent"], real_talent, p.migration_elasticity_talent)
        m_labour = k.logit_shares(self._costs["labour"], real_labour, p.migration_elasticity_labour)
        if p.stochastic:
            moved_t = k.migrate_stochastic(self.talent_stock, m_talent, p.rechoice_rate, talent_rng)
            moved_l = k.migrate_stochastic(self.labour_stock, m_labour, p.rechoice_rate, labour_rng)
        else:
            moved_t = k.migrate_mean_field(self.talent_stock, m_talent, p.rechoice_rate)
            moved_l = k.migrate_mean_field(self.labour_stock, m_labour, p.rechoice_rate)

        # 5 record year t
        row = year - self.years[0]
        resident = population.astype(float)
        outputs = {
            "gdp_100m_yuan": gdp,
            "gdp_attributed_100m_yuan": gdp_attributed,
            "gni_100m_yuan": gni,
            "gdp_per_capita_yuan": gdp * YUAN_PER_100M / resident,
            "population_persons": resident,
            "talent_persons": talent_res.astype(float),
            "labour_persons": labour_res.astype(float),
            "migrant_stock_persons": (population - np.diag(self.talent_stock) - np.diag(self.labour_stock)).astype(
                float
            ),
            "talent_migrant_stock_persons": (talent_res - np.diag(self.talent_stock)).astype(float),
            "net_migration_talent_persons": (moved_t.sum(axis=0) - talent_res).astype(float),
            "net_migration_labour_persons": (moved_l.sum(axis=0) - labour_res).astype(float),
            "capital_installed_100m_yuan": np.bincount(self.unit_region, weights=capital_unit, minlength=n),
            "capital_owned_100m_yuan": self.capital.sum(axis=1),
            "investment_100m_yuan": investment,
            "investment_received_100m_yuan": invest_received,
            "investment_from_outside_100m_yuan": invest_received - np.diag(invest_by_region),
            "park_gdp_100m_yuan": np.bincount(hosts, weights=gdp_unit[n:], minlength=n),
            "construction_land_km2": land_region,
            "tfp": tfp_region,
            "knowledge_stock": self.knowledge.copy(),
            "researchers_persons": talent_prod
            + np.bincount(self.enclave_home, weights=self.enclave_staff, minlength=n),
            "wage_talent_yuan": wage_talent * YUAN_PER_100M,
            "wage_labour_yuan": wage_labour * YUAN_PER_100M,
        }
        for name, values in outputs.items():
            self.records[name][row] = values
        if self.flows is not None:
            self.flows[row, 0] = moved_t - self.talent_stock
            self.flows[row, 1] = moved_l - self.labour_stock
            self.flows[row, 2] = invest_by_region
        self.last_outputs, self.last_unit_gdp = outputs, gdp_unit

        # transitions to t+1
        self.capital = k.accumulate_capital(self.capital, invest, p.depreciation)
        self.talent_stock = k.settle(moved_t, state.settlement_rate, settle_t_rng if p.stochastic else None)
        self.labour_stock = k.settle(moved_l, state.settlement_rate, settle_l_rng if p.stochastic else None)
        self.knowledge = k.accumulate_knowledge(
            self.knowledge, outputs["researchers_persons"], p.knowledge_decay, 1.0, p.knowledge_returns
        )
        grown = self.land_km2[:n] * (1 + state.land_growth_rate)
        self.land_km2[:n] = np.where(
            grown > self.land_km2[:n],
            np.minimum(grown, np.maximum(state.land_cap_km2 - (land_region - self.land_km2[:n]), self.land_km2[:n])),
            grown,
        )
        shock = shock_rng.standard_normal(n) * p.tfp_shock_sd if p.stochastic else 0.0
        self.fundamental_tfp = self.fundamental_tfp * np.exp(p.tfp_growth + shock)
        self.check_invariants(year)
        self.year += 1

    def _unit_friction(self) -> np.ndarray:
        """tau^kappa_K for owner x unit: a park inherits its host's column; its sponsor invests frictionless.

        Recomputed only when the cost matrices or the set of open parks change (read-only).
        """
        key = (self._cost_signature, self.park_open.tobytes())
        if key != self._friction_key:
            friction = self._costs["capital"][:, self.unit_region]
            n = self.n_regions
            for slot in range(len(self.park_sponsor)):
                unit = n + slot
                if self.park_open[slot]:
                    friction[self.park_sponsor[slot], unit] = 1.0
                else:
                    friction[:, unit] = 0.0
            friction.setflags(write=False)
            self._friction_key, self._friction = key, friction
        return self._friction

    def _enclave_transfers(self, wage_talent: np.ndarray) -> np.ndarray:
        """Net payments between regions for enclaves: the payer funds staff wages and rent (sums to 0).

        Staff wages are counted in GNI with the hub's other residents (by registration), so the payer's
        transfer is -staff x w_H(hub) and the rent goes from the payer to the hub.
        """
        transfers = np.zeros(self.n_regions)
        for slot, enclave in self.enclaves.items():
            policy, staff = enclave.policy, self.enclave_staff[slot]
            wage_payer = enclave.home if policy.wages_paid_by == "home" else enclave.hub
            rent_payer = enclave.home if policy.rent_paid_by == "home" else enclave.hub
            transfers[wage_payer] -= staff * wage_talent[enclave.hub]
            rent = staff * policy.rent_10k_yuan_per_researcher * 1e4 / YUAN_PER_100M
            transfers[rent_payer] -= rent
            transfers[enclave.hub] += rent
        return transfers

    def check_invariants(self, year: int) -> None:
        """Stop with a clear message if a stock became non-finite or negative, people were lost, or the year's
        GDP or GNI is not finite and positive."""
        self.check_stocks(year)
        for quantity in ("gdp_100m_yuan", "gni_100m_yuan"):
            values = self.last_outputs[quantity]
            bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
            if bad.size:
                raise ModelInvariantError(year, self.table.names[bad[0]], quantity, f"value {values[bad[0]].item()!r}")

    def check_stocks(self, year: int) -> None:
        """Stop with a clear message if a stock is non-finite or negative (zero for the land, TFP and residents
        that production and prices divide by), or people were lost."""
        names = self.table.names
        # N x N stocks: a cheap test (min and sum) first; the offending entry is searched only if it fails
        if not (self.capital.min() >= 0 and np.isfinite(self.capital.sum())):
            bad_capital = np.argwhere(~np.isfinite(self.capital) | (self.capital < 0))
            if bad_capital.size:  # every owner x unit entry, parks included
                o, u = bad_capital[0]
                raise ModelInvariantError(
                    year,
                    names[self.unit_region[u]],
                    "capital",
                    f"value {self.capital[o, u].item()!r} owned by {names[o]}",
                )
        residents = {"talent": self.talent_stock.sum(axis=0), "labour": self.labour_stock.sum(axis=0)}
        for quantity, values, positive in (
            ("knowledge", self.knowledge, False),
            ("fundamental TFP", self.fundamental_tfp, True),
            ("construction land", self.land_km2[: self.n_regions], True),
            ("talent", residents["talent"], True),
            ("labour", residents["labour"], True),
        ):
            bad = np.flatnonzero(~np.isfinite(values) | ((values <= 0) if positive else (values < 0)))
            if bad.size:
                raise ModelInvariantError(
                    year,
                    names[bad[0]],
                    quantity,
                    f"value {values[bad[0]].item()!r}, expected "
                    + ("a positive number" if positive else "a non-negative number"),
                )
        for quantity, stock in (("talent", self.talent_stock), ("labour", self.labour_stock)):
            if stock.min() < 0:
                o, j = np.argwhere(stock < 0)[0]
                raise ModelInvariantError(
                    year, names[j], quantity, f"negative stock of people registered in {names[o]}"
                )
        people = int(residents["talent"].sum() + residents["labour"].sum())
        if people != self.total_people:
            raise ModelInvariantError(year, "all regions", "people", f"{people} persons, expected {self.total_people}")

    # --- running and outputs ----------------------------------------------------------------
    def run(self) -> YREBModel:
        """Simulate every year of the scenario (base year included)."""
        for _ in self.years:
            self.step()
        return self

    def results_frame(self) -> pd.DataFrame:
        """Tidy table: region, variable, unit, year, value (recorded years only)."""
        n_done = self.year - self.years[0]
        names = list(self.records)
        rows_per_variable = n_done * self.n_regions
        return pd.DataFrame(
            {
                "region": np.tile(np.array(self.table.names, dtype=object), n_done * len(names)),
                "variable": np.repeat(np.array(names, dtype=object), rows_per_variable),
                "unit": np.repeat(np.array([VARIABLES[name] for name in names], dtype=object), rows_per_variable),
                "year": np.tile(np.repeat(np.array(self.years[:n_done]), self.n_regions), len(names)),
                "value": np.concatenate([self.records[name][:n_done].ravel() for name in names]),
            }
        )

    def flows_frame(self) -> pd.DataFrame:
        """Tidy OD table: factor, origin, destination, unit, year, value (non-zero cells only)."""
        if self.flows is None:
            return pd.DataFrame(columns=["factor", "origin", "destination", "unit", "year", "value"])
        n_done = self.year - self.years[0]
        t, f, o, d = np.nonzero(self.flows[:n_done])
        names = np.array(self.table.names, dtype=object)
        factors = np.array(FLOW_FACTORS, dtype=object)
        units = np.array([FLOW_UNITS[x] for x in FLOW_FACTORS], dtype=object)
        return pd.DataFrame(
            {
                "factor": factors[f],
                "origin": names[o],
                "destination": names[d],
                "unit": units[f],
                "year": np.array(self.years)[t],
                "value": self.flows[:n_done][t, f, o, d],
            }
        )
