"""Patterns model 2 must reproduce (docs/validation.md): each test prints the model's figure next to its target
(``pytest -s tests/test_patterns.py``). Targets come from the literature or the data; a pattern the model
cannot reach is reported in docs/validation.md with its figure and the reason, never loosened here.
"""

from __future__ import annotations

import numpy as np
import pytest

from yreb.analysis import patterns as P
from yreb.policies import FACTORS


def report(pattern: str, figure: str, target: str) -> None:
    print(f"\n[{pattern}] model:  {figure}\n[{pattern}] target: {target}")


TALENT_MISS = (
    "documented miss (docs/validation.md): talent moves towards Shanghai and Zhejiang, where R&D personnel are "
    "most concentrated and their marginal product is lowest, so national real GDP falls by about 0.01% (welfare rises)"
)


@pytest.mark.parametrize(
    "factor",
    [
        pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=TALENT_MISS)) if f == "talent" else f
        for f in [*FACTORS, "all"]
    ],
)
def test_1_removing_a_barrier_does_not_lower_national_gdp_or_welfare(factor):
    r = P.barrier_removal(factor)
    report(
        f"1 {factor}",
        f"worst year from {P.START}: national real GDP {r.mean_field_gdp_min_pct:+.4f}% (mean-field), "
        f"{r.stochastic_gdp_min_pct:+.4f}% (mean of {P.REPLICATIONS}); welfare {r.mean_field_welfare_min_pct:+.4f}% "
        f"/ {r.stochastic_welfare_min_pct:+.4f}%; {P.END_YEAR}: nation {r.end_gdp_pct:+.3f}%, belt "
        f"{r.end_belt_gdp_pct:+.3f}%, rest {r.end_rest_gdp_pct:+.3f}%, welfare {r.end_welfare_pct:+.3f}%",
        "national real GDP and welfare not lower in any year",
    )
    zero = -1e-9  # floating-point noise of an unchanged year (the policy starts in 2020)
    assert r.mean_field_welfare_min_pct >= zero and r.stochastic_welfare_min_pct >= zero
    assert r.mean_field_gdp_min_pct >= zero and r.stochastic_gdp_min_pct >= zero


def test_2_trade_cost_cuts_raise_real_income_more_than_migration_cost_cuts():
    """Tombe & Zhu (2019): lower internal trade costs give larger aggregate gains; lower migration costs
    "only modestly" raise welfare but reduce regional income differences."""
    for horizon in (5, P.END_YEAR - P.START):
        trade, migration = P.cost_cut("trade", horizon), P.cost_cut("migration", horizon)
        report(
            f"2 ({horizon} years)",
            f"18% cut of trade costs: national real income {trade.real_income_pct:+.2f}%, real GDP "
            f"{trade.gdp_pct:+.2f}%, welfare {trade.welfare_pct:+.2f}%; 18% cut of migration costs: "
            f"{migration.real_income_pct:+.2f}%, {migration.gdp_pct:+.2f}%, {migration.welfare_pct:+.2f}%; "
            f"dispersion of real income per person {migration.dispersion_base:.4f} -> "
            f"{migration.dispersion_policy:.4f} (migration cut)",
            "trade cut > migration cut in national real income; the migration cut lowers the dispersion "
            "(Tombe & Zhu 2019: falling trade and migration costs explain 36% of labour-productivity growth "
            "2000-05, internal trade costs more than migration costs)",
        )
        assert trade.real_income_pct > migration.real_income_pct > 0
        assert migration.dispersion_policy < migration.dispersion_base


def test_3_base_year_net_migration_has_the_census_signs():
    net = P.base_year_net_migration()
    belt = net[net.in_belt]
    model_belt, census_belt = belt.model.sum(), belt.census.sum()
    report(
        "3",
        "2015 net in-migration (persons/year): "
        + ", ".join(f"{r} {m:+,.0f}" for r, m in belt.model.items())
        + f"; belt {model_belt:+,.0f}",
        f"signs of the 2010-15 census flows; belt {census_belt:+,.0f} within 25% (calibrated: amenities are set to "
        "reproduce these flows, so this checks the calibration)",
    )
    assert (np.sign(belt.model) == np.sign(belt.census)).all()
    assert abs(model_belt / census_belt - 1) < P.NET_MIGRATION_TOLERANCE


def test_4_enclave_effect_rises_with_head_count_from_about_zero():
    effect = P.enclave_scaling()
    report(
        "4",
        "Jiangxi TFP effect (%) by head-count: " + ", ".join(f"{s}: {v:+.4f}" for s, v in effect.items()),
        "1 researcher below 1% of the effect at 2,000; rising over 500-8,000",
    )
    assert effect[1] < 0.01 * effect[2000]
    values = [effect[s] for s in P.ENCLAVE_STAFF[1:]]
    assert all(a < b for a, b in zip(values, values[1:]))


def test_5_park_raises_its_host_mostly_through_capital():
    park = P.park_effect()
    lo, hi = park.target_range_pct
    report(
        "5",
        f"{park.host} GDP {park.host_gdp_pct:+.2f}%, installed capital {park.host_capital_pct:+.2f}% after "
        f"{P.PARK_YEARS} years ({park.year}); capital (alpha dlnK) explains {100 * park.capital_contribution:.0f}% "
        "of the GDP gain",
        f"Alder, Shao & Zilibotti (2016): a zone raises its city's GDP about 20%; x 1/{P.HOST_PREFECTURES} (the host "
        f"city's share of Anhui) = {park.target_pct:.2f}%, range {lo:.2f}-{hi:.2f}% (a factor of 2); capital the "
        "larger channel",
    )
    assert lo < park.host_gdp_pct < hi
    assert park.capital_contribution > 0.5


def test_6_capital_output_ratios_are_in_the_published_range():
    table = P.capital_output()
    ratio, returns = table.capital_output_ratio, table.gross_return
    lo, hi = P.CAPITAL_OUTPUT_RANGE
    report(
        "6",
        "2015 K/Y at 2015 prices: "
        + ", ".join(f"{r} {v:.2f}" for r, v in ratio.items())
        + f"; gross returns alpha Y/K {returns.min():.3f}-{returns.max():.3f} "
        + f"(CV {returns.std() / returns.mean():.3f})",
        f"{lo}-{hi} (China 2010 82-93 trillion yuan over GDP 41 trillion: 2.0-2.3; the all-asset stock about 3 by "
        "2015); Bai, Hsieh & Qian (2006): return to capital about 20%",
    )
    belt = ratio.drop("RestOfChina")
    assert belt.between(lo, hi).all()
    assert 0.10 < returns.mean() < 0.25
