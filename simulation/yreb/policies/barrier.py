"""Administrative barriers between the regions of a group, by factor (docs/MODEL.md 7.1, ``barrier``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from yreb.policies.base import FACTORS, PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field


class BarrierPolicy(PolicyBase):
    """Administrative barriers, by factor, as levels relative to the status quo (1 = status quo, 0 = removed)."""

    type: Literal["barrier"]
    group_field = "regions"
    regions: RegionRef = unit_field(
        "belt", "group or regions", "pairs within this group are affected ('all' = every pair)"
    )
    goods: float = unit_field(1.0, "1", "internal trade cost: goods border-cost level b_G x level", ge=0, le=5)
    talent: float = unit_field(1.0, "1", "talent border-cost level b_H x level", ge=0, le=5)
    labour: float = unit_field(1.0, "1", "labour border-cost level b_L x level", ge=0, le=5)
    capital: float = unit_field(1.0, "1", "capital protectionism level b_K x level", ge=0, le=5)
    technology: float = unit_field(1.0, "1", "technology barrier level b_T x level", ge=0, le=5)
    settlement_rate: float | None = unit_field(
        None, "1/year", "registration conversion rate inside the group", ge=0, le=1
    )

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """For pairs inside the group: border-cost level ``lv_X *= 1 - s (1 - level_X)`` for each factor X;
        the settlement rate moves a share s of the way to ``settlement_rate`` (if set)."""
        pair = np.ix_(ctx.members, ctx.members)
        for f in FACTORS:
            state.barrier_level[f][pair] *= 1.0 - s * (1.0 - getattr(self, f))
        if self.settlement_rate is not None:
            state.settlement_rate[pair] += s * (self.settlement_rate - state.settlement_rate[pair])
