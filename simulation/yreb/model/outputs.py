"""The recorded variables (docs/MODEL.md 7.9): name, unit, meaning, and how a group of regions aggregates them.

Every variable is recorded per region and year. Aggregates (the nation, the belt, the rest of China) are
computed from the regions by the variable's rule: ``sum`` adds the regions; ``ratio`` divides the sums of two
other variables (times a factor); ``mean`` is the mean weighted by another variable. A new variable is one
entry here and one value in the model's ``record`` phase. The CO2 variables (``CO2_VARIABLES``) are recorded
only when the region table has CO2 intensities (``yreb.inputs.carbon``).
"""

from __future__ import annotations

from dataclasses import dataclass

from yreb.policies import EMITTERS, SECTORS


@dataclass(frozen=True)
class Variable:
    """A recorded variable: unit, meaning and aggregation rule (``sum``, ``ratio`` or ``mean``)."""

    unit: str
    meaning: str
    rule: str = "sum"
    numerator: str | None = None  # ratio: sum(numerator) / sum(denominator) x factor
    denominator: str | None = None
    factor: float = 1.0
    weight: str | None = None  # mean: weighted by this variable


def _sum(unit: str, meaning: str) -> Variable:
    return Variable(unit, meaning)


def _ratio(unit: str, meaning: str, numerator: str, denominator: str, factor: float = 1.0) -> Variable:
    return Variable(unit, meaning, "ratio", numerator, denominator, factor)


def _mean(unit: str, meaning: str, weight: str) -> Variable:
    return Variable(unit, meaning, "mean", weight=weight)


YUAN = 1e8  # yuan per 100m yuan
VARIABLES: dict[str, Variable] = {
    "gdp_100m_yuan": _sum("100m yuan (2015 prices)", "real GDP by location: sector outputs at base-year prices"),
    **{f"va_{s}_100m_yuan": _sum("100m yuan (2015 prices)", f"real value added of the {s} sector") for s in SECTORS},
    "gdp_nominal_100m_yuan": _sum("100m yuan (current prices)", "GDP by location at current prices"),
    "gdp_attributed_100m_yuan": _sum("100m yuan (2015 prices)", "real GDP by statistical attribution"),
    "income_100m_yuan": _sum("100m yuan (current prices)", "income of residents: labour income + dividends"),
    "real_income_100m_yuan": _sum("100m yuan (2015 prices)", "income of residents / cost of living"),
    "gdp_per_capita_yuan": _ratio(
        "yuan per resident (2015 prices)", "real GDP per resident", "gdp_100m_yuan", "population_persons", YUAN
    ),
    "real_income_per_capita_yuan": _ratio(
        "yuan per resident (2015 prices)",
        "real income per resident",
        "real_income_100m_yuan",
        "population_persons",
        YUAN,
    ),
    "welfare_yuan": _mean(
        "yuan per person (2015 prices)",
        "money-metric welfare of the region's registered "
        "people: the base-year real income giving their expected utility of the location "
        "choice (migration costs and amenities counted; its % change is the equivalent variation)",
        "registered_persons",
    ),
    "registered_persons": _sum("persons", "persons registered (hukou) in the region, wherever they live"),
    "population_persons": _sum("persons", "residents"),
    "talent_persons": _sum("persons", "resident R&D personnel"),
    "labour_persons": _sum("persons", "other residents"),
    "migrant_stock_persons": _sum("persons", "residents registered in another region"),
    "talent_migrant_stock_persons": _sum("persons", "resident talent registered in another region"),
    "net_migration_talent_persons": _sum("persons/year", "net arrivals of talent by migration, t to t+1"),
    "net_migration_labour_persons": _sum("persons/year", "net arrivals of labour by migration, t to t+1"),
    "natural_change_persons": _sum("persons/year", "births minus deaths, t to t+1"),
    "capital_installed_100m_yuan": _sum("100m yuan (2015 prices)", "capital installed in the region and its parks"),
    "capital_owned_100m_yuan": _sum("100m yuan (2015 prices)", "capital owned by the region anywhere"),
    "return_on_capital": _mean("1/year", "gross return per unit of installed capital", "capital_installed_100m_yuan"),
    "investment_100m_yuan": _sum("100m yuan/year (2015 prices)", "investment by owner"),
    "investment_received_100m_yuan": _sum("100m yuan/year (2015 prices)", "investment installed in the region"),
    "investment_from_outside_100m_yuan": _sum(
        "100m yuan/year (2015 prices)", "investment installed in the region, owned by another region"
    ),
    "exports_to_regions_100m_yuan": _sum("100m yuan (current prices)", "sales to other regions, all sectors"),
    "imports_from_regions_100m_yuan": _sum("100m yuan (current prices)", "purchases from other regions"),
    "park_gdp_100m_yuan": _sum("100m yuan (2015 prices)", "real GDP of the co-built parks hosted"),
    "construction_land_km2": _sum("km2", "construction land of the region and its parks"),
    "tfp": _mean("index", "TFP of the region's secondary sector (1 = base year of the shipped data)", "gdp_100m_yuan"),
    "knowledge_stock": _sum("index", "knowledge S (steady state of base-year R&D = RD^lambda / delta_S)"),
    "researchers_persons": _sum("persons", "R&D personnel working for the region, incl. enclave staff"),
    "wage_talent_yuan": _mean("yuan per person-year (current prices)", "wage of talent", "talent_persons"),
    "wage_labour_yuan": _mean("yuan per person-year (current prices)", "wage of labour", "labour_persons"),
    "goods_price_index": _mean("index (base year = 1)", "price of the region's goods basket", "population_persons"),
    "cost_of_living_index": _mean("index (base year = 1)", "goods and housing", "population_persons"),
    "policy_transfer_100m_yuan": _sum(
        "100m yuan (current prices)", "net income transfers received from policies (ecological compensation)"
    ),
}
TONNES_PER_10K_YUAN = 100.0  # t CO2 per 10,000 yuan in one Mt CO2 per 100m yuan
CO2_VARIABLES: dict[str, Variable] = {
    **{
        f"co2_{e}_Mt": _sum("Mt CO2/year", f"CO2 emitted by {'households' if e == 'households' else f'the {e} sector'}")
        for e in EMITTERS
    },
    "co2_Mt": _sum("Mt CO2/year", "CO2 emitted in the region, sectors and households (CEADs scope 1 definition)"),
    "co2_per_10k_yuan_gdp": _ratio(
        "t CO2 per 10,000 yuan (2015 prices)",
        "CO2 per unit of real GDP",
        "co2_Mt",
        "gdp_100m_yuan",
        TONNES_PER_10K_YUAN,
    ),
}
VARIABLES.update(CO2_VARIABLES)
FLOW_FACTORS = ("talent", "labour", "capital", "goods")
FLOW_UNITS = {
    "talent": "persons/year (net change of registration-origin x residence stock by migration)",
    "labour": "persons/year (net change of registration-origin x residence stock by migration)",
    "capital": "100m yuan/year, 2015 prices (investment by owner x installed region)",
    "goods": "100m yuan/year, current prices (sales by exporter x importer, all sectors, other regions only)",
}
