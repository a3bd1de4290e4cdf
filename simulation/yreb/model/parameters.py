"""Behavioural and technical parameters of the model, with units, defaults, ranges and sources.

The table in docs/MODEL.md (section 7) is generated from these fields (``parameter_table``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


def _p(default, unit: str, source: str, ge=None, le=None, gt=None, lt=None):
    return Field(
        default, ge=ge, le=le, gt=gt, lt=lt, description=source, json_schema_extra={"unit": unit, "source": source}
    )


class ModelParameters(BaseModel):
    """Every number the model uses that is not read from the region table."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    # production (MODEL.md section 2)
    capital_share: float = _p(
        0.45, "1", "alpha; MODEL.md s.2; Bai, Hsieh & Qian (2006) capital share of about 0.5", gt=0, lt=1
    )
    labour_income_share: float = _p(0.47, "1", "beta_H + beta_L; MODEL.md s.2", gt=0, lt=1)
    land_share: float = _p(0.08, "1", "gamma; MODEL.md s.2 (alpha + beta_H + beta_L + gamma = 1)", gt=0, lt=1)
    skill_premium: float = _p(
        1.44,
        "1",
        "talent wage over average wage; China Statistical Yearbook 2016, urban non-private units: research and technical services 89,410 vs all 62,029 yuan",
        ge=1,
        le=10,
    )
    knowledge_elasticity: float = _p(
        0.08, "1", "nu, TFP elasticity to accessible knowledge; MODEL.md s.2 (assumption)", ge=0, le=0.5
    )
    agglomeration_elasticity: float = _p(
        0.03, "1", "eps, TFP elasticity to resident population; MODEL.md s.2 (assumption)", ge=0, le=0.2
    )
    tfp_growth: float = _p(
        0.02,
        "1/year",
        "common drift of fundamental TFP (assumption; Chinese TFP growth estimates 1-2.5%/yr)",
        ge=-0.1,
        le=0.1,
    )
    tfp_shock_sd: float = _p(
        0.005,
        "1/year",
        "sd of the log random walk of fundamental TFP (assumption; 0.5%/yr keeps 20-year spreads of provincial GDP near 10%)",
        ge=0,
        le=0.2,
    )
    # migration (MODEL.md section 3; Tombe & Zhu 2019); elasticities at least 0.1: nearer 0 the calibrated
    # amenities B = v^(1/kappa) under- or overflow and the logit shares become NaN
    housing_share: float = _p(0.87, "1", "a, share of traded goods in spending; Tombe & Zhu (2019)", gt=0, lt=1)
    migration_elasticity_labour: float = _p(1.5, "1", "kappa_L; Tombe & Zhu (2019) estimate 1.19-1.61", ge=0.1, le=10)
    migration_elasticity_talent: float = _p(
        2.0, "1", "kappa_H; MODEL.md s.3 suggests testing 1.5-3 for talent (assumption)", ge=0.1, le=10
    )
    # at least 1 km: seats are tens to thousands of km apart; a smaller d0 only inflates every distance cost
    distance_scale_km: float = _p(100.0, "km", "d0 in mu = (1 + d/d0)^rho (assumption)", ge=1, le=5000)
    distance_elasticity: float = _p(1.0, "1", "rho; MODEL.md s.3", ge=0, le=5)
    border_cost_labour: float = _p(
        0.8875,
        "1",
        "b_L; calibrated so that 6.4% of residents live outside their province of registration (2010 census: 85.9 million inter-provincial migrants)",
        ge=0,
        le=20,
    )
    border_cost_talent: float = _p(
        0.2821,
        "1",
        "b_H; calibrated to the same 6.4% migrant share for talent (assumption: no separate data)",
        ge=0,
        le=20,
    )
    rechoice_rate: float = _p(
        0.14,
        "1/year",
        "psi, share of each cohort that re-chooses a location each year; MODEL.md s.3 (mean stay about 7 years)",
        ge=0,
        le=1,
    )
    settlement_rate: float = _p(
        0.05,
        "1/year",
        "varsigma, share of non-local residents converting registration each year; MODEL.md s.3",
        ge=0,
        le=1,
    )
    # capital (MODEL.md section 4)
    saving_rate: float = _p(0.42, "1", "s, investment out of income; MODEL.md s.4", gt=0, lt=1)
    depreciation: float = _p(0.096, "1/year", "delta; MODEL.md s.4 (Zhang, Wu & Zhang 2004 use 9.6%)", gt=0, lt=1)
    # at least 0.1: nearer 0 investment ignores returns and the base-year allocation cannot be calibrated
    investment_elasticity: float = _p(
        1.5, "1", "kappa_K, elasticity of investment shares to returns; MODEL.md s.4", ge=0.1, le=10
    )
    capital_distance_elasticity: float = _p(0.3, "1", "rho_K in tau = (1 + d/d0)^-rho_K (assumption)", ge=0, le=5)
    border_cost_capital: float = _p(
        1.9885,
        "1",
        "b_K (local protectionism); calibrated so that 15% of installed capital is owned from outside the province (assumption, no data)",
        ge=0,
        le=20,
    )
    # knowledge (MODEL.md section 5)
    knowledge_decay: float = _p(0.15, "1/year", "delta_S; MODEL.md s.5", gt=0, le=1)
    knowledge_returns: float = _p(0.7, "1", "lambda in chi RD^lambda; MODEL.md s.5", gt=0, le=1.5)
    spillover_half_distance_km: float = _p(500.0, "km", "d_half; MODEL.md s.5 (test 300-1200)", gt=0, le=10000)
    technology_barrier: float = _p(
        0.5, "1", "b_T, share of cross-border spillovers lost to administrative barriers (assumption)", ge=0, le=1
    )
    # land (MODEL.md section 6)
    land_growth_rate: float = _p(
        0.0125,
        "1/year",
        "baseline growth of construction land quotas; national construction land 2014-15 (+1.26%, MLR bulletins)",
        ge=-0.1,
        le=0.2,
    )
    # simulation
    stochastic: bool = Field(
        True,
        description="draw movers and TFP shocks at random (True) or use the mean-field limit (False)",
        json_schema_extra={"unit": "-", "source": "MODEL.md s.3"},
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self):
        total = self.capital_share + self.labour_income_share + self.land_share
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"capital_share + labour_income_share + land_share must equal 1 (got {total:.6g})")
        return self


def parameter_table() -> list[dict]:
    """Rows (name, default, unit, source) for documentation."""
    rows = []
    for name, field in ModelParameters.model_fields.items():
        extra = field.json_schema_extra or {}
        rows.append(
            {
                "name": name,
                "default": field.default,
                "unit": extra.get("unit", ""),
                "source": extra.get("source", field.description),
            }
        )
    return rows
