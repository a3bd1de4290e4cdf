"""'Bring in' (Su-Chu model): a co-built park in the host, run by the sponsor (docs/MODEL.md 7.1).

The park is a production unit of the model (``unit_kind = "park"``): the model opens it at ``start`` with
its land and seed capital, and it stays after the management agreement ends (``end``).
"""

from __future__ import annotations

from typing import Literal

from yreb.policies.base import Claim, PolicyBase, PolicyContext, PolicyState, unit_field


class CoBuiltParkPolicy(PolicyBase):
    """'Bring in' (Su-Chu model): a park in ``host`` run with the ``sponsor``'s management model."""

    type: Literal["co_built_park"]
    region_fields = ("sponsor", "host")
    claim = Claim("land_km2", "host", "construction_land_km2", "park land exceeds half the host's construction land")
    unit_kind = "park"
    unit_outlasts_end = True
    sponsor: str = unit_field(..., "region", "region whose management model, capital and statistics run the park")
    host: str = unit_field(..., "region", "region the park is built in")
    land_km2: float = unit_field(50.0, "km2", "construction land carved from the host", gt=0, le=5000)
    management_transfer: float = unit_field(0.4, "1", "theta_m in A_p = A_h^(1-theta) A_s^theta", ge=0, le=1)
    sponsor_equity: float = unit_field(0.56, "1", "sponsor's share of the park's land rent (Su-Chu 56:44)", ge=0, le=1)
    statistical_split: float = unit_field(0.3, "1", "share of park GDP attributed to the sponsor", ge=0, le=1)
    split_years: int = unit_field(10, "years", "years the statistical split lasts from start", ge=0, le=100)
    seed_capital_100m_yuan: float = unit_field(
        50.0, "100m yuan", "sponsor capital moved into the park at opening", ge=0, le=1e5
    )
    max_density_ratio: float = unit_field(
        2.0,
        "1",
        "park workers per km2 at most this multiple of the host's average (zoning, assumption)",
        ge=0.1,
        le=100,
    )

    def state_key(self, year: int) -> tuple:
        """Strength, started, and whether the statistical split still runs."""
        return (*super().state_key(year), year < self.start + self.split_years)

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """The park is open from ``start`` on; its management agreement has strength s; the statistical split
        ``statistical_split x s`` runs for ``split_years`` from ``start``, then 0."""
        j = ctx.slot
        state.park_open[j] = ctx.year >= self.start
        state.park_strength[j] = s
        in_split = self.start <= ctx.year < self.start + self.split_years
        state.park_split[j] = self.statistical_split * s if in_split else 0.0
