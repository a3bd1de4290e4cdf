"""A CO2-intensity path asked of a set of regions (docs/MODEL.md 7.1, ``emission_intensity_target``)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from yreb.policies.base import EMITTERS, PolicyBase, PolicyContext, PolicyState, RegionRef, unit_field


class EmissionIntensityTargetPolicy(PolicyBase):
    """CO2 intensity of the regions' emitters cut by a share a year against the baseline path, until a year."""

    type: Literal["emission_intensity_target"]
    group_field = "regions"
    regions: RegionRef = unit_field(..., "group or regions", "regions with the target")
    emitter: Literal["all", "primary", "secondary", "tertiary", "households"] = unit_field(
        "all", "-", "whose CO2 intensity is cut: a sector, households (per resident) or all of them"
    )
    annual_cut: float = unit_field(
        0.02, "1/year", "share of the baseline CO2 intensity removed each year in force (compounding)", ge=0, le=0.5
    )
    until: int | None = unit_field(
        None, "year", "last year the cut deepens; then it holds (default: deepens every year)", ge=1900, le=2300
    )

    @model_validator(mode="after")
    def _until_not_before_start(self):
        if self.until is not None and self.until < self.start:
            raise ValueError(f"until ({self.until}) is before start ({self.start})")
        return self

    def years_cut(self, year: int) -> int:
        """Years of cuts in force in ``year``: from start (1) to ``until``."""
        last = year if self.until is None else min(year, self.until)
        return max(last - self.start + 1, 0)

    def state_key(self, year: int) -> tuple:
        """Strength, started, and the number of years of cuts."""
        return (*super().state_key(year), self.years_cut(year))

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Intensity factor of the emitters in the group ``*= 1 - s (1 - (1 - annual_cut)^n)``, n = years of
        cuts from start to ``min(year, until)``."""
        rows = range(len(EMITTERS)) if self.emitter == "all" else [EMITTERS.index(self.emitter)]
        factor = 1.0 - s * (1.0 - (1.0 - self.annual_cut) ** self.years_cut(ctx.year))
        for row in rows:
            state.co2_intensity_factor[row, ctx.members] *= factor
