"""A proportional cut of the cost of moving goods and people among a set of regions (docs/MODEL.md 7.1).

The experiment of Tombe & Zhu (2019): every component of the cost falls by the same share, distance
included, not only the administrative border part that the ``barrier`` policy acts on.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from yreb.policies.base import COST_CUT_FACTORS, PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field


class CostCutPolicy(PolicyBase):
    """Trade and migration costs between every pair of the listed regions cut by a share."""

    type: Literal["cost_cut"]
    group_field = "regions"
    regions: RegionRef = unit_field(..., "group or regions", "pairs within this group are affected")
    goods: float = unit_field(0.0, "1", "share of the iceberg trade cost tau removed, every sector", ge=0, le=0.95)
    talent: float = unit_field(0.0, "1", "share of the talent migration cost mu removed", ge=0, le=0.95)
    labour: float = unit_field(0.0, "1", "share of the labour migration cost mu removed", ge=0, le=0.95)

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """For pairs inside the group (not a region with itself): cost factor ``*= 1 - s x cut`` by kind."""
        pair = np.ix_(ctx.members, ctx.members)
        for kind in COST_CUT_FACTORS:
            block = state.cost_factor[kind][pair]
            cut = np.full(block.shape, 1.0 - s * getattr(self, kind))
            np.fill_diagonal(cut, 1.0)
            state.cost_factor[kind][pair] = block * cut
