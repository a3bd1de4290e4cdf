"""Industrial-chain linkage (Tongliang's new-energy storage chain across Sichuan and Chongqing; docs/MODEL.md 7.1)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from yreb.policies.base import SECTORS, PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field


class IndustrialChainPolicy(PolicyBase):
    """A chain in one sector among member regions, led by one of them: the sector's goods cross the members'
    borders more cheaply, the lead invests in members without the capital barrier, and optionally members'
    sector TFP rises with the chain's scale."""

    type: Literal["industrial_chain"]
    group_field = "regions"
    region_fields = ("lead",)
    member_fields = ("lead",)
    regions: RegionRef = unit_field(..., "group or regions", "member regions of the chain")
    lead: str = unit_field(..., "region", "the chain leader's region (a member): its capital flows to members")
    sector: Literal["primary", "secondary", "tertiary"] = unit_field("secondary", "-", "the chain's sector")
    goods_border_level: float = unit_field(
        0.0, "1", "border-cost level of the sector's goods among members (1 = as now, 0 = removed)", ge=0, le=1
    )
    lead_capital_level: float = unit_field(
        0.0, "1", "capital barrier level of the lead's investment in members (1 = as now, 0 = removed)", ge=0, le=1
    )
    scale_elasticity: float = unit_field(
        0.0, "1", "TFP elasticity of members' sector to the chain's scale (assumption, 0-0.05)", ge=0, le=0.1
    )

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Among members, the sector's goods border-cost level ``*= 1 - s (1 - goods_border_level)``; owner
        lead to every member, capital level ``*= 1 - s (1 - lead_capital_level)``; each member's sector TFP
        ``*= (Y_chain / Y_j)^(s x scale_elasticity)``, Y base-year value added of the sector."""
        members, row = ctx.members, SECTORS.index(self.sector)
        state.goods_sector_level[row][np.ix_(members, members)] *= 1.0 - s * (1.0 - self.goods_border_level)
        state.barrier_level["capital"][ctx.index[self.lead], members] *= 1.0 - s * (1.0 - self.lead_capital_level)
        output = ctx.value_added_100m_yuan[row, members]
        state.tfp_factor[row, members] *= (output.sum() / output) ** (s * self.scale_elasticity)
