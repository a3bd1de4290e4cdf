"""Rail or road integration among a set of regions (docs/MODEL.md 7.1, ``transport_link``)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from yreb.policies.base import PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field


class TransportLinkPolicy(PolicyBase):
    """Rail or road integration: effective distance d (1 - zeta) between every pair of the listed regions."""

    type: Literal["transport_link"]
    group_field = "regions"
    regions: RegionRef = unit_field(..., "group or regions", "linked regions")
    distance_reduction: float = unit_field(0.3, "1", "zeta, share of distance removed", ge=0, le=0.95)

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Distances between every pair inside the group ``*= 1 - s x distance_reduction``."""
        state.distance_factor[np.ix_(ctx.members, ctx.members)] *= 1.0 - s * self.distance_reduction
