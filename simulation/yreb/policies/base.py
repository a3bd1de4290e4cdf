"""The policy base class, the registry of policy types and the yearly policy state they compile into.

Every policy has a ``start`` year, an optional ``end`` year (the last year it is in force) and an optional
linear ramp: its strength in year t is 0 before ``start``, min(1, (t - start) / ramp_years) from
``start`` (1 at once when ramp_years = 0) and 0 after ``end``. Each policy interpolates between the status
quo (strength 0) and its full setting (strength 1) (docs/MODEL.md 7.1).

A policy type is one subclass of ``PolicyBase`` in its own module of this package. It declares

- ``type``: its tag in scenario files, a one-value ``Literal`` field;
- its fields, each made with ``unit_field`` (range, meaning and unit);
- ``region_fields``: the fields naming one region each (checked against the region table; distinct);
- ``group_field``: the field naming a group or a list of regions, resolved to ``PolicyContext.members``;
- ``member_fields``: region fields that must name one of the group's regions (checked when resolved);
- ``claim``: the base-year stock of one region it draws on (checked when the scenario is resolved);
- ``unit_kind``: ``"park"`` or ``"enclave"`` when the model opens a unit (agent) for it;
- ``apply``: how it changes the year's ``PolicyState`` at strength s.

Defining the class registers it under its type in ``REGISTRY``; the package imports every module in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticUndefined

FACTORS = ("goods", "talent", "labour", "capital", "technology")
COST_CUT_FACTORS = ("goods", "talent", "labour")  # costs a ``cost_cut`` can scale proportionally
SECTORS = ("primary", "secondary", "tertiary")  # the model's sectors, in the order of its sector arrays
EMITTERS = (*SECTORS, "households")  # who emits CO2: the sectors, then households (docs/MODEL.md 7.13)
RegionRef = str | list[str]  # a group name, or a list of region names
UNIT_KINDS = ("park", "enclave")  # units the model opens for a policy (parks: production units)

REGISTRY: dict[str, type[PolicyBase]] = {}  # policy type -> class, in the order the modules are imported


def unit_field(default: Any, unit: str, description: str, **constraints: Any) -> Any:
    """A policy field: pydantic ``Field`` with its unit in ``json_schema_extra`` (``...`` = required)."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **constraints)


def field_unit(cls: type[BaseModel], name: str) -> str:
    """The unit declared for field ``name`` of a policy class."""
    return (cls.model_fields[name].json_schema_extra or {})["unit"]


@dataclass(frozen=True)
class Claim:
    """Part of one region's base-year stock a policy takes while in force (together at most half of it)."""

    amount: str  # field holding the amount (its unit is the field's unit)
    region: str  # region field naming the region whose stock it draws on
    stock: str  # RegionTable attribute holding the stock
    message: str  # what is wrong when the claims in force on one region exceed half its stock


@dataclass
class PolicyState:
    """What the policies in force imply for one year (N regions)."""

    barrier_level: dict[str, np.ndarray]  # factor -> N x N multiplier of the border cost
    settlement_rate: np.ndarray  # N x N, 1/year
    distance_factor: np.ndarray  # N x N, multiplies distances
    cost_factor: dict[str, np.ndarray]  # goods/talent/labour -> N x N multiplier of the whole cost (tau, mu)
    knowledge_link: np.ndarray  # N x N, lower bound on spillover weights (0 = none)
    earmarked_investment: np.ndarray  # N x N, 100m yuan/year owned by row, installed in column
    land_growth_rate: np.ndarray  # N, 1/year
    land_cap_km2: np.ndarray  # N, km2 (inf = none)
    park_strength: np.ndarray  # P, strength of each park's management agreement
    park_split: np.ndarray  # P, statistical split in force
    park_open: np.ndarray  # P, bool: park exists (opened and not closed)
    enclave_staff: np.ndarray  # E, persons
    goods_sector_level: np.ndarray  # S x N x N, multiplies the goods border-cost level by sector
    tfp_factor: np.ndarray  # S x N, multiplies sector TFP
    co2_intensity_factor: np.ndarray  # EMITTERS x N, multiplies the baseline CO2 intensity paths
    transfer_share: np.ndarray  # N x N, net income transferred to row per unit of column's value added

    @classmethod
    def status_quo(
        cls, n: int, base_settlement: float, base_land_growth: float, parks: int, enclaves: int
    ) -> PolicyState:
        """The state with no policy in force: N regions, ``parks`` park and ``enclaves`` enclave slots."""
        return cls(
            barrier_level={f: np.ones((n, n)) for f in FACTORS},
            settlement_rate=np.full((n, n), base_settlement),
            distance_factor=np.ones((n, n)),
            cost_factor={f: np.ones((n, n)) for f in COST_CUT_FACTORS},
            knowledge_link=np.zeros((n, n)),
            earmarked_investment=np.zeros((n, n)),
            land_growth_rate=np.full(n, base_land_growth),
            land_cap_km2=np.full(n, np.inf),
            park_strength=np.zeros(parks),
            park_split=np.zeros(parks),
            park_open=np.zeros(parks, dtype=bool),
            enclave_staff=np.zeros(enclaves),
            goods_sector_level=np.ones((len(SECTORS), n, n)),
            tfp_factor=np.ones((len(SECTORS), n)),
            co2_intensity_factor=np.ones((len(EMITTERS), n)),
            transfer_share=np.zeros((n, n)),
        )

    def cost_signature(self) -> tuple:
        """Hashable summary of everything that changes the cost matrices (for caching)."""
        return tuple(
            np.round(a, 12).tobytes()
            for a in (
                *self.barrier_level.values(),
                *self.cost_factor.values(),
                self.goods_sector_level,
                self.distance_factor,
                self.knowledge_link,
            )
        )


@dataclass(frozen=True)
class PolicyContext:
    """What a policy may read while applying its lever: the year, region indices and sizes."""

    year: int
    n: int  # number of regions
    index: Mapping[str, int]  # region name -> row and column of the state's matrices
    land_area_km2: np.ndarray  # N, land area of each region
    value_added_100m_yuan: np.ndarray  # S x N, base-year value added by sector
    members: np.ndarray | None = None  # region indices of the policy's group (``group_field``), else None
    slot: int | None = None  # position of the policy's unit among the scenario's units of its kind


class PolicyBase(BaseModel):
    """Fields and timing shared by every policy type; subclasses are registered under their ``type``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    region_fields: ClassVar[tuple[str, ...]] = ()  # fields naming one region each (distinct regions)
    group_field: ClassVar[str | None] = None  # field naming a group or a list of regions
    member_fields: ClassVar[tuple[str, ...]] = ()  # region fields that must name a region of the group
    claim: ClassVar[Claim | None] = None  # the base-year stock of one region it draws on
    unit_kind: ClassVar[str | None] = None  # "park" or "enclave": the model opens a unit for the policy
    # the unit stays after ``end`` (a park and its land; an enclave closes): ``apply`` is called in every
    # year from ``start`` (also at strength 0) and the claim counts until the last simulated year
    unit_outlasts_end: ClassVar[bool] = False

    name: str | None = unit_field(None, "-", "label used in outputs and messages", max_length=80)
    start: int = unit_field(..., "year", "first year in force", ge=1900, le=2300)
    end: int | None = unit_field(None, "year", "last year in force (default: never ends)", ge=1900, le=2300)
    ramp_years: int = unit_field(0, "years", "years of linear phase-in from start", ge=0, le=100)

    @model_validator(mode="after")
    def _end_not_before_start(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @model_validator(mode="after")
    def _distinct_regions(self):
        for i, a in enumerate(self.region_fields):
            for b in self.region_fields[i + 1 :]:
                if getattr(self, a) == getattr(self, b):
                    raise ValueError(f"{a} and {b} must be different regions")
        return self

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Register a concrete policy type (one with a ``type`` field), checking what it declares."""
        super().__pydantic_init_subclass__(**kwargs)
        if "type" not in cls.model_fields:
            return  # an intermediate base class
        tag = cls.model_fields["type"].annotation
        if get_origin(tag) is not Literal or len(get_args(tag)) != 1:
            raise TypeError(f"{cls.__name__}.type must be a Literal of one policy type name")
        (name,) = get_args(tag)
        if name in REGISTRY:
            raise TypeError(f"policy type {name!r} of {cls.__name__} is already {REGISTRY[name].__name__}")
        declared = [*cls.region_fields, *([cls.group_field] if cls.group_field else [])]
        if not set(cls.member_fields) <= set(cls.region_fields) or (cls.member_fields and not cls.group_field):
            raise TypeError(f"{cls.__name__}.member_fields must be region_fields of a type with a group_field")
        if cls.claim is not None:
            declared += [cls.claim.amount, cls.claim.region]
        missing = [f for f in declared if f not in cls.model_fields]
        if missing:
            raise TypeError(f"{cls.__name__} declares fields it does not have: {', '.join(missing)}")
        if cls.claim is not None and cls.claim.region not in cls.region_fields:
            raise TypeError(f"{cls.__name__}.claim.region must be one of its region_fields")
        no_unit = [
            f for f, info in cls.model_fields.items() if f != "type" and "unit" not in (info.json_schema_extra or {})
        ]
        if no_unit:
            raise TypeError(f"{cls.__name__}: fields without a unit (use unit_field): {', '.join(no_unit)}")
        if cls.unit_kind is not None and cls.unit_kind not in UNIT_KINDS:
            raise TypeError(f"{cls.__name__}.unit_kind must be one of {UNIT_KINDS}")
        if cls.apply is PolicyBase.apply:
            raise TypeError(f"{cls.__name__} does not define apply")
        REGISTRY[name] = cls

    def strength(self, year: int) -> float:
        """0 before start and after end; linear ramp from start over ramp_years; else 1."""
        if year < self.start or (self.end is not None and year > self.end):
            return 0.0
        if self.ramp_years == 0:
            return 1.0
        return min(1.0, (year - self.start) / self.ramp_years)

    def state_key(self, year: int) -> tuple:
        """What the policy's lever in ``year`` depends on (the model compiles the state again when it changes):
        its strength and whether it has started."""
        return (self.strength(year), year >= self.start)

    def acts_in(self, year: int, s: float) -> bool:
        """Whether the policy changes the state of ``year`` (strength ``s``): while in force, and for a unit
        that outlasts the policy in every year from start."""
        return s != 0.0 or (self.unit_outlasts_end and year >= self.start)

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Move this policy's lever in ``state`` (in place) from the status quo towards its setting by ``s``."""
        raise NotImplementedError


def policy_field_rows() -> list[dict]:
    """Rows (type, field, default, unit, meaning) of every policy field for documentation: the fields every
    type shares first (type ``None``), then each registered type's own fields."""
    shared = list(PolicyBase.model_fields)
    blocks = [(None, PolicyBase, shared)] + [
        (name, cls, [f for f in cls.model_fields if f != "type" and f not in shared]) for name, cls in REGISTRY.items()
    ]
    rows = []
    for name, cls, fields in blocks:
        for f in fields:
            info = cls.model_fields[f]
            if info.default is PydanticUndefined:
                default = "required"
            elif info.default is None:
                default = "none"
            elif isinstance(info.default, str):
                default = f'`"{info.default}"`'
            else:
                default = str(info.default)
            rows.append(
                {"type": name, "field": f, "default": default, "unit": field_unit(cls, f), "meaning": info.description}
            )
    return rows


@dataclass
class ResolvedPolicies:
    """Policies with region names resolved to indices, in scenario order."""

    policies: list[PolicyBase]
    members: list[np.ndarray | None]  # region indices for group-based policies, None for the others

    def units(self, kind: str) -> list[int]:
        """Positions in ``policies`` of the policies opening a unit of ``kind`` (``"park"``, ``"enclave"``)."""
        return [k for k, policy in enumerate(self.policies) if policy.unit_kind == kind]

    @property
    def parks(self) -> list[int]:
        """Positions in ``policies`` of the co-built parks (slot j of the model's parks is ``parks[j]``)."""
        return self.units("park")

    @property
    def enclaves(self) -> list[int]:
        """Positions in ``policies`` of the innovation enclaves."""
        return self.units("enclave")

    def state(
        self,
        year: int,
        n: int,
        base_settlement: float,
        base_land_growth: float,
        land_area_km2: np.ndarray,
        value_added_100m_yuan: np.ndarray,
        index: dict[str, int],
    ) -> PolicyState:
        """Compile the policies in force in ``year`` into a PolicyState (each policy applies its lever, in
        scenario order; settlement rates are then clipped to [0, 1])."""
        slots = {kind: self.units(kind) for kind in UNIT_KINDS}
        state = PolicyState.status_quo(n, base_settlement, base_land_growth, len(slots["park"]), len(slots["enclave"]))
        context = PolicyContext(year, n, index, land_area_km2, value_added_100m_yuan)
        for k, (policy, members) in enumerate(zip(self.policies, self.members)):
            s = policy.strength(year)
            if not policy.acts_in(year, s):
                continue
            slot = slots[policy.unit_kind].index(k) if policy.unit_kind else None
            policy.apply(state, s, replace(context, members=members, slot=slot))
        np.clip(state.settlement_rate, 0.0, 1.0, out=state.settlement_rate)
        return state
