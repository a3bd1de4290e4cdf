"""Policy types of scenario files (schemas) and their compilation into the model's yearly policy state.

Every policy has a ``start`` year, an optional ``end`` year (the last year it is in force) and an optional
linear ramp: its strength in year t is 0 before ``start``, min(1, (t - start) / ramp_years) from
``start`` (1 at once when ramp_years = 0) and 0 after ``end``. Each policy interpolates between the status
quo (strength 0) and its full setting (strength 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

FACTORS = ("talent", "labour", "capital", "technology")
RegionRef = Union[str, list[str]]  # a group name, or a list of region names


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str | None = Field(None, max_length=80, description="label used in outputs and messages")
    start: int = Field(ge=1900, le=2300, description="first year in force")
    end: int | None = Field(None, ge=1900, le=2300, description="last year in force (default: never ends)")
    ramp_years: int = Field(0, ge=0, le=100, description="years of linear phase-in from start")

    @model_validator(mode="after")
    def _end_not_before_start(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    def strength(self, year: int) -> float:
        """0 before start and after end; linear ramp from start over ramp_years; else 1."""
        if year < self.start or (self.end is not None and year > self.end):
            return 0.0
        if self.ramp_years == 0:
            return 1.0
        return min(1.0, (year - self.start) / self.ramp_years)


class BarrierPolicy(_Policy):
    """Administrative barriers, by factor, as levels relative to the status quo (1 = status quo, 0 = removed)."""

    type: Literal["barrier"]
    regions: RegionRef = Field("belt", description="pairs within this group are affected ('all' = every pair)")
    talent: float = Field(1.0, ge=0, le=5, description="talent border-cost level b_H x level")
    labour: float = Field(1.0, ge=0, le=5, description="labour border-cost level b_L x level")
    capital: float = Field(1.0, ge=0, le=5, description="capital protectionism level b_K x level")
    technology: float = Field(1.0, ge=0, le=5, description="technology barrier level b_T x level")
    settlement_rate: float | None = Field(
        None, ge=0, le=1, description="registration conversion rate inside the group, 1/year"
    )


class _PairPolicy(_Policy):
    """A policy between two distinct regions named by the fields in ``pair``."""

    pair: ClassVar[tuple[str, str]]

    @model_validator(mode="after")
    def _distinct(self):
        a, b = self.pair
        if getattr(self, a) == getattr(self, b):
            raise ValueError(f"{a} and {b} must be different regions")
        return self


class CoBuiltParkPolicy(_PairPolicy):
    """'Bring in' (Su-Chu model): a park in ``host`` run with the ``sponsor``'s management model."""

    type: Literal["co_built_park"]
    pair: ClassVar[tuple[str, str]] = ("sponsor", "host")
    sponsor: str
    host: str
    land_km2: float = Field(50.0, gt=0, le=5000, description="construction land carved from the host, km2")
    management_transfer: float = Field(0.4, ge=0, le=1, description="theta_m in A_p = A_h^(1-theta) A_s^theta")
    sponsor_equity: float = Field(
        0.56, ge=0, le=1, description="sponsor's share of the park's land rent (Su-Chu 56:44)"
    )
    statistical_split: float = Field(0.3, ge=0, le=1, description="share of park GDP attributed to the sponsor")
    split_years: int = Field(10, ge=0, le=100, description="years the statistical split lasts from start")
    seed_capital_100m_yuan: float = Field(
        50.0, ge=0, le=1e5, description="sponsor capital moved into the park at opening"
    )
    max_density_ratio: float = Field(
        2.0,
        ge=0.1,
        le=100,
        description="park workers per km2 at most this multiple of the host's average (zoning, assumption)",
    )


class InnovationEnclavePolicy(_PairPolicy):
    """'Go out' (Shangrao in Songjiang): R&D staff living and working in ``hub`` for ``home``."""

    type: Literal["innovation_enclave"]
    pair: ClassVar[tuple[str, str]] = ("home", "hub")
    home: str
    hub: str
    researchers: float = Field(2000.0, ge=0, le=1e7, description="R&D head-count of the enclave, persons")
    wages_paid_by: Literal["home", "hub"] = Field("home", description="who pays the staff's wages")
    rent_paid_by: Literal["home", "hub"] = Field("home", description="who pays the enclave's rent")
    rent_10k_yuan_per_researcher: float = Field(
        7.2, ge=0, le=1000, description="office rent per researcher, 10k yuan/year"
    )
    knowledge_link: float = Field(1.0, ge=0, le=1, description="spillover weight s[home, hub] while in force")


class EastWestPairingPolicy(_PairPolicy):
    """East-west cooperation (Shaoxing-Yibin): pair barriers removed, committed investment east -> west."""

    type: Literal["east_west_pairing"]
    pair: ClassVar[tuple[str, str]] = ("east", "west")
    east: str
    west: str
    barrier_level: float = Field(0.0, ge=0, le=5, description="barrier level on the pair, all factors")
    investment_100m_yuan_per_year: float = Field(
        100.0, ge=0, le=1e5, description="committed transfer, owned by east, installed in west"
    )


class TalentRecognitionPolicy(_Policy):
    """Mutual recognition of talent inside a member set (e.g. the G60 corridor)."""

    type: Literal["talent_recognition"]
    regions: RegionRef
    talent_barrier_cut: float = Field(0.5, ge=0, le=1, description="share of the talent border cost removed")
    settlement_increase: float = Field(0.05, ge=0, le=1, description="added registration conversion rate, 1/year")


class TransportLinkPolicy(_Policy):
    """Rail or road integration: effective distance d (1 - zeta) between every pair of the listed regions."""

    type: Literal["transport_link"]
    regions: RegionRef
    distance_reduction: float = Field(0.3, ge=0, le=0.95, description="zeta, share of distance removed")


class LandQuotaPolicy(_Policy):
    """Construction-land quota path and cap for a set of regions."""

    type: Literal["land_quota"]
    regions: RegionRef
    growth_rate: float = Field(ge=-0.1, le=0.3, description="annual quota growth of construction land, 1/year")
    cap_share_of_area: float | None = Field(
        None, gt=0, le=1, description="ecological cap: construction land <= share x land area"
    )


Policy = Annotated[
    BarrierPolicy
    | CoBuiltParkPolicy
    | InnovationEnclavePolicy
    | EastWestPairingPolicy
    | TalentRecognitionPolicy
    | TransportLinkPolicy
    | LandQuotaPolicy,
    Field(discriminator="type"),
]
POLICY_TYPES = (
    "barrier",
    "co_built_park",
    "innovation_enclave",
    "east_west_pairing",
    "talent_recognition",
    "transport_link",
    "land_quota",
)


@dataclass
class PolicyState:
    """What the policies in force imply for one year (N regions)."""

    barrier_level: dict[str, np.ndarray]  # factor -> N x N multiplier of the border cost
    settlement_rate: np.ndarray  # N x N, 1/year
    distance_factor: np.ndarray  # N x N, multiplies distances
    knowledge_link: np.ndarray  # N x N, lower bound on spillover weights (0 = none)
    earmarked_investment: np.ndarray  # N x N, 100m yuan/year owned by row, installed in column
    land_growth_rate: np.ndarray  # N, 1/year
    land_cap_km2: np.ndarray  # N, km2 (inf = none)
    park_strength: np.ndarray  # P, strength of each park's management agreement
    park_split: np.ndarray  # P, statistical split in force
    park_open: np.ndarray  # P, bool: park exists (opened and not closed)
    enclave_staff: np.ndarray  # E, persons

    def cost_signature(self) -> tuple:
        """Hashable summary of everything that changes the cost matrices (for caching)."""
        return tuple(
            np.round(a, 12).tobytes() for a in (*self.barrier_level.values(), self.distance_factor, self.knowledge_link)
        )


@dataclass
class ResolvedPolicies:
    """Policies with region names resolved to indices, in scenario order."""

    policies: list
    members: list[np.ndarray | None] = field(default_factory=list)  # region indices for group-based policies
    parks: list[int] = field(default_factory=list)  # positions in ``policies`` of co-built parks
    enclaves: list[int] = field(default_factory=list)

    def state(
        self,
        year: int,
        n: int,
        base_settlement: float,
        base_land_growth: float,
        land_area_km2: np.ndarray,
        index: dict[str, int],
    ) -> PolicyState:
        """Compile the policies in force in ``year`` into a PolicyState."""
        levels = {f: np.ones((n, n)) for f in FACTORS}
        settlement = np.full((n, n), base_settlement)
        distance = np.ones((n, n))
        link = np.zeros((n, n))
        earmark = np.zeros((n, n))
        growth = np.full(n, base_land_growth)
        cap = np.full(n, np.inf)
        park_strength = np.zeros(len(self.parks))
        park_split = np.zeros(len(self.parks))
        park_open = np.zeros(len(self.parks), dtype=bool)
        staff = np.zeros(len(self.enclaves))
        for k, (policy, members) in enumerate(zip(self.policies, self.members)):
            s = policy.strength(year)
            if isinstance(policy, CoBuiltParkPolicy):
                j = self.parks.index(k)
                park_open[j] = year >= policy.start
                park_strength[j] = s
                in_split = policy.start <= year < policy.start + policy.split_years
                park_split[j] = policy.statistical_split * s if in_split else 0.0
                continue
            if s == 0.0:
                continue
            if isinstance(policy, BarrierPolicy):
                pair = np.ix_(members, members)
                for f in FACTORS:
                    levels[f][pair] *= 1.0 - s * (1.0 - getattr(policy, f))
                if policy.settlement_rate is not None:
                    settlement[pair] += s * (policy.settlement_rate - settlement[pair])
            elif isinstance(policy, InnovationEnclavePolicy):
                staff[self.enclaves.index(k)] = s * policy.researchers
                h, l = index[policy.hub], index[policy.home]
                link[l, h] = max(link[l, h], s * policy.knowledge_link)
            elif isinstance(policy, EastWestPairingPolicy):
                e, w = index[policy.east], index[policy.west]
                for f in FACTORS:
                    for a, b in ((e, w), (w, e)):
                        levels[f][a, b] *= 1.0 - s * (1.0 - policy.barrier_level)
                earmark[e, w] += s * policy.investment_100m_yuan_per_year
            elif isinstance(policy, TalentRecognitionPolicy):
                pair = np.ix_(members, members)
                levels["talent"][pair] *= 1.0 - s * policy.talent_barrier_cut
                settlement[pair] += s * policy.settlement_increase
            elif isinstance(policy, TransportLinkPolicy):
                distance[np.ix_(members, members)] *= 1.0 - s * policy.distance_reduction
            elif isinstance(policy, LandQuotaPolicy):
                growth[members] += s * (policy.growth_rate - growth[members])
                if policy.cap_share_of_area is not None:
                    cap[members] = np.minimum(cap[members], policy.cap_share_of_area * land_area_km2[members])
        np.clip(settlement, 0.0, 1.0, out=settlement)
        return PolicyState(
            levels, settlement, distance, link, earmark, growth, cap, park_strength, park_split, park_open, staff
        )
