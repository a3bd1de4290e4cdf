"""The sweep file: what a user types, validated (pydantic) before anything runs.

A sweep file (TOML) names a base scenario, the settings held fixed, the parameters to vary (dotted paths into
the scenario document, e.g. ``parameters.rechoice_rate`` or ``policies.0.researchers``) with a range or a
value list, a design (one of ``yreb.sweep.designs.DESIGNS``), its sample size, replications, a root seed and
the outputs kept per run (registered metrics, ``yreb.analysis.metrics.METRICS``).
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from yreb.analysis.metrics import METRICS
from yreb.errors import UserInputError
from yreb.inputs.scenario import MAX_REPLICATIONS, NAME_RE, raise_validation_error
from yreb.sweep.designs import DESIGNS
from yreb.sweep.paths import PATH_RE, RESERVED_FIELDS

MAX_DESIGN_POINTS = 100_000  # design points of one sweep (computed from the sweep file before sampling)
MAX_SWEEP_RUNS = 1_000_000  # design points x replications
MIN_REPORT_POINTS = {"lhs": 40}  # points below which SALib's delta analysis fails for some samples
COLUMN_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")
# belt rows kept per run unless the sweep file says otherwise
DEFAULT_OUTPUTS = ("gdp_100m_yuan", "belt_share_national_gdp", "theil_t_between")
DesignName = Literal[tuple(DESIGNS)]  # the registered designs


class VaryParameter(BaseModel):
    """One parameter to vary: where it goes in the scenario document and which values it takes."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    path: str | list[str] = Field(
        description="dotted path into the scenario document; a list of paths all "
        "receive the same value (e.g. one barrier level for every factor)"
    )
    name: str | None = Field(None, description="column name in tables and plots (default: the path)")
    label: str | None = Field(None, max_length=200, description="axis label with unit, for plots")
    range: tuple[float, float] | None = Field(None, description="[low, high] for continuous values")
    values: list[Any] | None = Field(None, min_length=2, description="explicit values (numbers, strings or booleans)")
    levels: int | None = Field(None, ge=2, le=10_000, description="grid design: evenly spaced values across range")
    integer: bool = Field(False, description="round values drawn from range to whole numbers")

    @field_validator("path")
    @classmethod
    def _paths(cls, v):
        for path in [v] if isinstance(v, str) else v:
            if not PATH_RE.match(path):
                raise ValueError(
                    f"'{path}' is not a dotted path like 'parameters.rechoice_rate' or 'policies.0.researchers'"
                )
            if path.split(".")[0] in RESERVED_FIELDS:
                raise ValueError(f"'{path}' is set by the sweep file itself (name, seed, replications)")
        if isinstance(v, list) and (not v or len(set(v)) != len(v)):
            raise ValueError("a list of paths must be non-empty and without repeats")
        return v

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.range is None) == (self.values is None):
            raise ValueError("give exactly one of 'range' ([low, high]) and 'values' (a list)")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range low ({self.range[0]}) must be below high ({self.range[1]})")
        if self.values is not None:
            if self.levels is not None or self.integer:
                raise ValueError("'levels' and 'integer' apply to 'range' only")
            _check_values(self.values)
        if self.name is None:
            if not isinstance(self.path, str):
                raise ValueError("a parameter with several paths needs a 'name'")
            self.name = self.path
        if not COLUMN_RE.match(self.name):
            raise ValueError(f"name '{self.name}' must be 1-100 letters, digits, '_', '.' or '-'")
        return self

    @property
    def paths(self) -> list[str]:
        """The dotted paths that receive this parameter's value."""
        return [self.path] if isinstance(self.path, str) else list(self.path)

    @property
    def axis_label(self) -> str:
        """Label for plot axes: the label, or the name."""
        return self.label or self.name

    def bounds(self) -> list[float]:
        """Bounds in the sampler's space: the range, or [0, number of values] (value i covers [i, i+1))."""
        return list(self.range) if self.range is not None else [0.0, float(len(self.values))]

    def value_at(self, x: float):
        """The value written into the scenario for sample coordinate x."""
        if self.values is not None:
            return self.values[min(int(math.floor(x)), len(self.values) - 1)]
        return int(round(x)) if self.integer else float(x)


def _check_values(values: list) -> None:
    kinds = {bool if isinstance(v, bool) else (float if isinstance(v, (int, float)) else type(v)) for v in values}
    if len(kinds) != 1 or kinds.pop() not in (bool, float, str):
        raise ValueError("values must be all numbers, all strings or all booleans")
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise ValueError("values must be finite numbers")
    if len(set(values)) != len(values):
        raise ValueError("values must not repeat")


class SweepFile(BaseModel):
    """The contents of a sweep file, as typed by the user."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(description="identifier; also the sweep's result folder name")
    description: str = Field("", max_length=4000)
    base: str = Field(description="base scenario file, relative to the sweep file")
    design: DesignName = Field(description="a registered design: " + ", ".join(DESIGNS))
    samples: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="lhs: points; sobol: base sample N "
        "(power of 2; N x (D + 2) points); morris: trajectories (N x (D + 1) points)",
    )
    morris_levels: int = Field(4, ge=2, le=100, description="morris: grid levels of each parameter")
    replications: int = Field(1, ge=1, le=MAX_REPLICATIONS, description="replications of every design point")
    seed: int | None = Field(None, ge=0, lt=2**63, description="root seed (default: the base scenario's)")
    keep_regions: bool = Field(False, description="also keep every region-year variable (large)")
    outputs: list[str] = Field(
        default_factory=lambda: list(DEFAULT_OUTPUTS),
        min_length=1,
        description="registered metrics kept per run and year (region 'Belt')",
    )
    fixed: dict[str, Any] = Field(default_factory=dict, description="settings held fixed, by dotted path")
    vary: list[VaryParameter] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError("must be 1-64 letters, digits, '_' or '-', starting with a letter or digit")
        return v

    @field_validator("outputs")
    @classmethod
    def _registered_metrics(cls, v: list[str]) -> list[str]:
        for name in v:
            if name not in METRICS:
                raise ValueError(f"'{name}' is not a registered metric; one of {', '.join(METRICS)}")
        if len(set(v)) != len(v):
            raise ValueError("outputs must not repeat")
        return v

    @model_validator(mode="after")
    def _design_settings(self):
        names = [v.name for v in self.vary]
        if len(set(names)) != len(names):
            raise ValueError("each varied parameter needs a distinct name")
        paths = [p for v in self.vary for p in v.paths]
        if len(set(paths)) != len(paths):
            raise ValueError("a path is varied twice")
        DESIGNS[self.design].check(self)
        points = design_size(self)
        if points is not None and points > MAX_DESIGN_POINTS:
            raise ValueError(
                f"the {self.design} design has {points:,} points, more than the limit of {MAX_DESIGN_POINTS:,} "
                "(reduce 'samples', 'levels' or the values)"
            )
        if points is not None and points * self.replications > MAX_SWEEP_RUNS:
            raise ValueError(
                f"{points:,} points x {self.replications} replications = {points * self.replications:,} runs, more "
                f"than the limit of {MAX_SWEEP_RUNS:,}"
            )
        return self

    def salib_problem(self) -> dict:
        """The SALib problem dict: number of parameters, their names and their bounds in the sampler's space."""
        return {
            "num_vars": len(self.vary),
            "names": [v.name for v in self.vary],
            "bounds": [v.bounds() for v in self.vary],
        }


def design_size(spec: SweepFile) -> int | None:
    """Number of design points, computed from the sweep file without sampling (None for a design whose size is
    known only once sampled)."""
    d = len(spec.vary)
    if spec.design == "grid":
        size = 1
        for v in spec.vary:
            size *= len(v.values) if v.values is not None else (v.levels or 1)
        return size
    if spec.samples is None:
        return None
    per_sample = {"lhs": 1, "sobol": d + 2, "morris": d + 1}.get(spec.design)
    return None if per_sample is None else spec.samples * per_sample


def check_reportable(sweep: dict | None, points: int | None, file: str) -> None:
    """Refuse, before any work, a sweep too small for its design's sensitivity indices (``MIN_REPORT_POINTS``)."""
    design = sweep.get("design") if isinstance(sweep, dict) else None
    minimum = MIN_REPORT_POINTS.get(design)
    if minimum is not None and isinstance(points, int) and points < minimum:
        raise UserInputError(
            f"a {design} sweep of {points} points is too small for its sensitivity indices",
            file=file,
            field="samples",
            value=points,
            expected=f"at least {minimum} points (run a larger sweep)",
        )


def parse_sweep(data: dict, name: str = "<sweep>", text: str = "") -> SweepFile:
    """Validate a sweep document; UserInputError naming the file, line and field otherwise."""
    try:
        return SweepFile.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(exc, name, text)
