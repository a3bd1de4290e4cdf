"""Behavioural and technical parameters of the model, with units, defaults, documented ranges and sources.

Every parameter says what its value rests on (``basis``): ``data`` (computed from the shipped data),
``literature`` (a published estimate), ``calibrated`` (chosen so that the model hits a data target, see
``calibration.calibrate_border_costs``) or ``assumption`` (no source pins it: its ``range`` is what the
sensitivity analysis sweeps). The table in docs/MODEL.md (section 7.11) is generated from these fields.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

BASES = ("data", "literature", "calibrated", "assumption")
SECTORS = ("primary", "secondary", "tertiary")
# the projection rule chosen by the rolling-origin evaluation (tools/rolling_origin.py, docs/validation.md)
PROJECTION_HALF_LIFE = 2.0
PROJECTION_SHRINK = 0.0


def _p(default, unit: str, basis: str, source: str, range_: tuple[float, float] | None = None, **bounds):
    """A parameter field: default, unit, basis, source and the documented range (for sensitivity analysis)."""
    assert basis in BASES
    extra = {"unit": unit, "basis": basis, "source": source, "range": list(range_) if range_ else None}
    return Field(default, description=source, json_schema_extra=extra, **bounds)


class ModelParameters(BaseModel):
    """Every number the model uses that is not read from the region table or the data files."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    # --- production (7.3) ---
    capital_share: float = _p(
        0.45,
        "1",
        "literature",
        "alpha; Bai, Hsieh & Qian (2006): capital share of Chinese GDP about 0.5",
        (0.40, 0.55),
        gt=0,
        lt=1,
    )
    labour_income_share: float = _p(
        0.47,
        "1",
        "literature",
        "beta_H + beta_L; labour share of Chinese GDP about 0.47 (Bai & Qian 2010)",
        (0.40, 0.55),
        gt=0,
        lt=1,
    )
    land_share: float = _p(
        0.08,
        "1",
        "assumption",
        "gamma, land in value added (alpha + beta_H + beta_L + gamma = 1)",
        (0.05, 0.12),
        gt=0,
        lt=1,
    )
    skill_premium: float = _p(
        1.43,
        "1",
        "data",
        "talent wage / average wage: 2015 urban-unit wage of scientific research and technical services over the "
        "all-industry average, belt (calibration_targets.csv)",
        (1.2, 1.8),
        ge=1,
        le=10,
    )
    # --- goods trade (7.3) ---
    trade_elasticity: float = _p(
        4.0,
        "1",
        "literature",
        "theta, elasticity of trade to trade costs; Tombe & Zhu (2019) use 4",
        (3.0, 8.0),
        ge=0.5,
        le=20,
    )
    trade_distance_elasticity: float = _p(
        0.25,
        "1",
        "assumption",
        "delta in tau = d^delta: with theta = 4 a gravity distance elasticity of -1 (Head & Mayer 2014, typical "
        "estimates -0.9 to -1.1)",
        (0.15, 0.40),
        ge=0,
        le=2,
    )
    border_cost_goods_primary: float = _p(
        2.1775,
        "1",
        "calibrated",
        "b_G for primary goods: the belt's 2007 share of domestic-origin use bought from other provinces "
        "(0.108; calibration_targets.csv, from the provincial input-output tables)",
        None,
        ge=0,
        le=20,
    )
    border_cost_goods_secondary: float = _p(
        0.5698, "1", "calibrated", "b_G for secondary goods, same target (0.288)", None, ge=0, le=20
    )
    border_cost_goods_tertiary: float = _p(
        1.0306, "1", "calibrated", "b_G for tertiary goods and services, same target (0.125)", None, ge=0, le=20
    )
    goods_border_administrative_share: float = _p(
        0.5,
        "1",
        "assumption",
        "share of the goods border cost b_G that administrative barriers make (the barrier policy's goods level "
        "acts on it); the rest is home bias that exists without them (border effects between US states: Wolf "
        "2000)",
        (0.25, 1.0),
        ge=0,
        le=1,
    )
    traded_goods_share: float = _p(
        0.87,
        "1",
        "literature",
        "a, share of goods in spending (the rest is housing); Tombe & Zhu (2019) 0.87",
        (0.80, 0.90),
        gt=0,
        lt=1,
    )
    # --- migration (7.6) ---
    migration_elasticity_labour: float = _p(
        1.5, "1", "literature", "kappa_L; Tombe & Zhu (2019) use 1.5", (1.0, 2.5), ge=0.1, le=10
    )
    migration_elasticity_talent: float = _p(
        2.0,
        "1",
        "assumption",
        "kappa_H; no separate estimate for R&D personnel; above labour",
        (1.5, 3.0),
        ge=0.1,
        le=10,
    )
    distance_scale_km: float = _p(100.0, "km", "assumption", "d0 in mu = (1 + d/d0)^rho", (50, 200), ge=1, le=5000)
    distance_elasticity: float = _p(1.0, "1", "assumption", "rho in mu = (1 + d/d0)^rho", (0.5, 1.5), ge=0, le=5)
    border_cost_labour: float = _p(
        0.2752,
        "1",
        "calibrated",
        "b_L: the base-year labour migrant share is its long-run share under base-year conditions (stock in "
        "steady state)",
        None,
        ge=0,
        le=20,
    )
    border_cost_talent: float = _p(
        0.2752,
        "1",
        "assumption",
        "b_H: the same border cost per unit of real income as labour (no data on talent migration by province)",
        (0.15, 0.6),
        ge=0,
        le=20,
    )
    rechoice_rate: float = _p(
        0.020755,
        "1/year",
        "calibrated",
        "psi, share of people who re-choose their location each year: cross-region "
        "movers match the 2010-15 census count (53.3m five-year migrants x 0.672 cross-region / 5 years; a lower "
        "bound: the census misses repeat and return moves)",
        (0.021, 0.10),
        ge=0,
        le=1,
    )
    settlement_rate: float = _p(
        0.05,
        "1/year",
        "assumption",
        "varsigma, share of non-local residents converting registration each year",
        (0.02, 0.10),
        ge=0,
        le=1,
    )
    natural_growth_rate: float = _p(
        0.00488,
        "1/year",
        "data",
        "n, natural population change: national population growth 2014-19 "
        "(calibration_targets.csv), the same in every region",
        (0.0035, 0.0066),
        ge=-0.05,
        le=0.05,
    )
    migrant_stock_share: float = _p(
        0.042,
        "1",
        "data",
        "residents living outside their region of registration: 2010 census 85.9 million inter-provincial "
        "migrants x 0.672 not among RestOfChina provinces, over 1.37 billion residents",
        (0.03, 0.06),
        gt=0,
        lt=0.5,
    )
    # --- capital (7.5) ---
    depreciation: float = _p(
        0.096,
        "1/year",
        "literature",
        "delta; Zhang, Wu & Zhang (2004), as in the capital-stock data",
        (0.06, 0.12),
        gt=0,
        lt=1,
    )
    investment_elasticity: float = _p(
        1.5, "1", "assumption", "kappa_K, elasticity of investment shares to returns", (0.5, 3.0), ge=0.1, le=10
    )
    capital_distance_elasticity: float = _p(
        0.3, "1", "assumption", "rho_K in tau_K = (1 + d/d0)^-rho_K", (0.0, 1.0), ge=0, le=5
    )
    cross_border_investment_share: float = _p(
        0.15,
        "1",
        "assumption",
        "share of base-year investment installed outside the owner's province (no provincial data; sets b_K)",
        (0.05, 0.30),
        gt=0,
        lt=0.9,
    )
    border_cost_capital: float = _p(
        1.7614,
        "1",
        "calibrated",
        "b_K: base-year cross-border investment share = cross_border_investment_share (with the investment "
        "wedges of 5.4)",
        None,
        ge=0,
        le=20,
    )
    # --- knowledge (7.7) ---
    knowledge_elasticity: float = _p(
        0.08,
        "1",
        "assumption",
        "nu, TFP elasticity to accessible knowledge (Coe & Helpman 1995: about 0.08 for domestic R&D)",
        (0.04, 0.15),
        ge=0,
        le=0.5,
    )
    agglomeration_elasticity: float = _p(
        0.03,
        "1",
        "assumption",
        "eps, TFP elasticity to resident population (urban-economics estimates 0.02-0.05)",
        (0.0, 0.06),
        ge=0,
        le=0.2,
    )
    knowledge_decay: float = _p(0.15, "1/year", "assumption", "delta_S", (0.10, 0.20), gt=0, le=1)
    knowledge_returns: float = _p(0.7, "1", "assumption", "lambda in chi RD^lambda", (0.5, 1.0), gt=0, le=1.5)
    spillover_half_distance_km: float = _p(
        500.0,
        "km",
        "literature",
        "d_half; Keller (2002) about 1,200 km between countries; shorter inside China",
        (300, 1200),
        gt=0,
        le=10000,
    )
    technology_barrier: float = _p(
        0.5,
        "1",
        "assumption",
        "b_T, share of cross-border spillovers lost to administrative barriers (patent "
        "citations fall at provincial borders: Liu & Wang 2022; no magnitude)",
        (0.0, 1.0),
        ge=0,
        le=1,
    )
    enclave_link_scale: float = _p(
        0.1,
        "1",
        "assumption",
        "phi: an enclave with phi x the home's R&D personnel reaches 63% of its knowledge link",
        (0.03, 0.3),
        gt=0,
        le=10,
    )
    # --- productivity drift and land ---
    tfp_growth: float = _p(
        0.02,
        "1/year",
        "assumption",
        "drift of fundamental TFP in every sector (Chinese TFP growth estimates 1-2.5%/yr)",
        (0.01, 0.03),
        ge=-0.1,
        le=0.1,
    )
    tfp_shock_sd: float = _p(
        0.005, "1/year", "assumption", "sd of the log random walk of fundamental TFP", (0.0, 0.01), ge=0, le=0.2
    )
    projection_half_life_years: float = _p(
        PROJECTION_HALF_LIFE,
        "years",
        "calibrated",
        "h, half-life of the fitted trends of the fundamentals after the last fitted year (7.12); chosen by the "
        "rolling-origin evaluation inside 2015-2019 (docs/validation.md, tools/rolling_origin.py); a very long "
        "one keeps them",
        (0.0, 8.0),
        ge=0,
    )
    projection_shrink_to_mean: float = _p(
        PROJECTION_SHRINK,
        "1",
        "calibrated",
        "lambda, share of a region's fitted trend deviation from the belt-and-rest mean dropped in the "
        "projection (7.12); chosen with the half-life by the rolling-origin evaluation",
        (0.0, 1.0),
        ge=0,
        le=1,
    )
    land_growth_rate: float = _p(
        0.0125,
        "1/year",
        "data",
        "construction-land quota growth; national construction land 2014-15 (+1.26%, MLR bulletins)",
        (0.005, 0.02),
        ge=-0.1,
        le=0.2,
    )
    # --- simulation ---
    stochastic: bool = Field(
        True,
        description="draw movers and TFP shocks at random (True) or use the mean-field limit (False)",
        json_schema_extra={"unit": "-", "basis": "assumption", "source": "7.6 (design choice)", "range": None},
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self):
        total = self.capital_share + self.labour_income_share + self.land_share
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"capital_share + labour_income_share + land_share must equal 1 (got {total:.6g})")
        return self

    @property
    def border_cost_goods(self) -> tuple[float, float, float]:
        """b_G by sector (primary, secondary, tertiary)."""
        return (self.border_cost_goods_primary, self.border_cost_goods_secondary, self.border_cost_goods_tertiary)


def parameter_table() -> list[dict]:
    """Rows (name, default, unit, basis, range, source) for documentation."""
    rows = []
    for name, field in ModelParameters.model_fields.items():
        extra = field.json_schema_extra or {}
        rows.append(
            {
                "name": name,
                "default": field.default,
                "unit": extra.get("unit", ""),
                "basis": extra.get("basis", ""),
                "range": extra.get("range"),
                "source": extra.get("source", field.description),
            }
        )
    return rows


def assumption_ranges() -> dict[str, tuple[float, float]]:
    """The documented ranges of the parameters whose basis is an assumption (swept by the sensitivity analysis)."""
    return {
        row["name"]: tuple(row["range"]) for row in parameter_table() if row["basis"] == "assumption" and row["range"]
    }
