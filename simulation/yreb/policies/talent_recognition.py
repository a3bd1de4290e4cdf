"""Mutual recognition of talent inside a member set, e.g. the G60 corridor (docs/MODEL.md 7.1)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from yreb.policies.base import PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field


class TalentRecognitionPolicy(PolicyBase):
    """Mutual recognition of talent inside a member set (e.g. the G60 corridor)."""

    type: Literal["talent_recognition"]
    group_field = "regions"
    regions: RegionRef = unit_field(..., "group or regions", "member regions")
    talent_barrier_cut: float = unit_field(0.5, "1", "share of the talent border cost removed", ge=0, le=1)
    settlement_increase: float = unit_field(0.05, "1/year", "added registration conversion rate", ge=0, le=1)

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Pairs inside the group: talent level ``*= 1 - s x talent_barrier_cut``; settlement rate
        ``+= s x settlement_increase``."""
        pair = np.ix_(ctx.members, ctx.members)
        state.barrier_level["talent"][pair] *= 1.0 - s * self.talent_barrier_cut
        state.settlement_rate[pair] += s * self.settlement_increase
