"""Construction-land quota path and ecological cap for a set of regions (docs/MODEL.md 7.1, 7.6)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from yreb.policies.base import PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field


class LandQuotaPolicy(PolicyBase):
    """Construction-land quota path and cap for a set of regions."""

    type: Literal["land_quota"]
    group_field = "regions"
    regions: RegionRef = unit_field(..., "group or regions", "regions the quota applies to")
    growth_rate: float = unit_field(..., "1/year", "annual quota growth of construction land", ge=-0.1, le=0.3)
    cap_share_of_area: float | None = unit_field(
        None, "1", "ecological cap: construction land <= share x land area", gt=0, le=1
    )

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Land growth of the members moves a share s of the way to ``growth_rate``; with a cap, their land
        cap is at most ``cap_share_of_area x land area``."""
        m = ctx.members
        state.land_growth_rate[m] += s * (self.growth_rate - state.land_growth_rate[m])
        if self.cap_share_of_area is not None:
            state.land_cap_km2[m] = np.minimum(state.land_cap_km2[m], self.cap_share_of_area * ctx.land_area_km2[m])
