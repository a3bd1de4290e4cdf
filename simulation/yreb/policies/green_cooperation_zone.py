"""Cross-border green cooperation zone (Tongcheng-Pingjiang-Xiushui, where Hubei, Hunan and Jiangxi meet;
docs/MODEL.md 7.1)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from yreb.policies.base import EMITTERS, SECTORS, PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field

SECONDARY = SECTORS.index("secondary")


class GreenCooperationZonePolicy(PolicyBase):
    """Joint transport, harmonised environmental standards and ecological compensation among member regions."""

    type: Literal["green_cooperation_zone"]
    group_field = "regions"
    regions: RegionRef = unit_field(..., "group or regions", "member regions of the zone")
    distance_reduction: float = unit_field(
        0.02, "1", "share of distance removed between members by joint transport (assumption, 0-0.1)", ge=0, le=0.95
    )
    secondary_intensity_cut: float = unit_field(
        0.05, "1", "share of members' secondary-sector CO2 intensity removed by common standards", ge=0, le=0.95
    )
    output_cost_per_cut: float = unit_field(
        0.1, "1", "members' secondary TFP falls by this x the intensity cut (assumption, 0-0.3)", ge=0, le=1
    )
    compensation_share: float = unit_field(
        0.0005,
        "1",
        "share of members' value added paid into the compensation pool (assumption, 0-0.002)",
        ge=0,
        le=0.05,
    )

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Among members: distances ``*= 1 - s x distance_reduction``; secondary CO2 intensity ``*= 1 - s x cut``
        and secondary TFP ``*= 1 - s x output_cost_per_cut x cut``; every member pays ``s x compensation_share``
        of its value added into a pool shared by land area (``transfer_share`` columns sum to zero)."""
        m = ctx.members
        state.distance_factor[np.ix_(m, m)] *= 1.0 - s * self.distance_reduction
        state.co2_intensity_factor[EMITTERS.index("secondary"), m] *= 1.0 - s * self.secondary_intensity_cut
        state.tfp_factor[SECONDARY, m] *= 1.0 - s * self.output_cost_per_cut * self.secondary_intensity_cut
        area = ctx.land_area_km2[m] / ctx.land_area_km2[m].sum()
        rate = s * self.compensation_share
        state.transfer_share[np.ix_(m, m)] += rate * (area[:, None] - np.eye(len(m)))
