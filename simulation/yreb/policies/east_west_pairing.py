"""East-west cooperation (Shaoxing-Yibin): one eastern and one western region paired (docs/MODEL.md 7.1)."""

from __future__ import annotations

from typing import Literal

from yreb.policies.base import FACTORS, PolicyBase, PolicyContext, PolicyState, unit_field


class EastWestPairingPolicy(PolicyBase):
    """East-west cooperation (Shaoxing-Yibin): pair barriers removed, committed investment east -> west."""

    type: Literal["east_west_pairing"]
    region_fields = ("east", "west")
    east: str = unit_field(..., "region", "region that invests and owns the committed capital")
    west: str = unit_field(..., "region", "region where the committed capital is installed")
    barrier_level: float = unit_field(0.0, "1", "barrier level on the pair, all factors", ge=0, le=5)
    investment_100m_yuan_per_year: float = unit_field(
        100.0, "100m yuan/year", "committed transfer, owned by east, installed in west", ge=0, le=1e5
    )

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Both directions of the pair: level of every factor ``*= 1 - s (1 - barrier_level)``; earmarked
        investment owned by east, installed in west ``+= s x investment_100m_yuan_per_year``."""
        e, w = ctx.index[self.east], ctx.index[self.west]
        for f in FACTORS:
            for a, b in ((e, w), (w, e)):
                state.barrier_level[f][a, b] *= 1.0 - s * (1.0 - self.barrier_level)
        state.earmarked_investment[e, w] += s * self.investment_100m_yuan_per_year
