"""Scenario files (TOML): schema, loading, validation against the region set, and resolution.

A scenario file names the region table, the years, the seed and replications, parameter overrides and
a list of timed policies. Unknown keys, wrong types and out-of-range values are rejected with a message
that names the file, the field (and its line where it can be found) and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from yreb.errors import UserInputError
from yreb.inputs.history import HistoryTargets, covered_years, default_history_paths, history_targets, load_history
from yreb.inputs.library import shipped_folder
from yreb.inputs.limits import MAX_NESTING, MAX_TOML_BYTES, check_file_size, check_nesting
from yreb.inputs.regions import DEFAULT_REGION_TABLE, SUBREGIONS, RegionTable, load_region_table, read_text
from yreb.model.parameters import ModelParameters
from yreb.policies import POLICY_TYPES, Policy, ResolvedPolicies, field_unit

MAX_SIMULATED_YEARS = 200
MAX_REPLICATIONS = 1000  # more needs --force: a typo like 10000 would otherwise run for hours
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}\Z")  # \Z: no trailing newline
BUILTIN_GROUPS = ("belt", "all", "downstream", "midstream", "upstream", "outside")


class HistorySpec(BaseModel):
    """``[history]``: the observed years the baseline reproduces (docs/MODEL.md section 7.12)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    fit_until: int | None = Field(
        None,
        ge=1900,
        le=2300,
        description="last year whose observed real GDP and residents the baseline reproduces; default: the last "
        "year the observed files cover (2019 for the shipped data), at most end_year; start_year: no fitted years",
    )
    observed: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="further tidy observed-data CSVs, relative to the scenario file; their rows replace the "
        "shipped ones with the same region, year, variable and sector",
    )


class ScenarioFile(BaseModel):
    """The contents of a scenario file, as typed by the user."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(description="identifier; also the result folder name")
    description: str = Field("", max_length=4000)
    seed: int = Field(20150101, ge=0, lt=2**63, description="root seed; replication k uses SeedSequence(seed).spawn")
    replications: int = Field(5, ge=1, description="number of replications (paired by seed across scenarios)")
    start_year: int = Field(2015, ge=1900, le=2300, description="base year of the region table")
    end_year: int = Field(2035, ge=1900, le=2300, description="last simulated year")
    region_table: str | None = Field(
        None, description="CSV region table, relative to the scenario file (default: shipped 2015 data)"
    )
    regions: list[str] | None = Field(None, description="subset of the table's regions to simulate")
    groups: dict[str, list[str]] = Field(default_factory=dict, description="user-defined region groups")
    parameters: ModelParameters = Field(default_factory=ModelParameters)
    policies: list[Policy] = Field(default_factory=list)
    history: HistorySpec = Field(default_factory=HistorySpec)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError(
                "must be 1-64 letters, digits, '_' or '-', starting with a letter or digit "
                "(no spaces, path separators or '..')"
            )
        return v

    @model_validator(mode="after")
    def _years(self):
        if self.end_year <= self.start_year:
            raise ValueError(f"end_year ({self.end_year}) must be after start_year ({self.start_year})")
        if self.end_year - self.start_year > MAX_SIMULATED_YEARS:
            raise ValueError(f"at most {MAX_SIMULATED_YEARS} simulated years")
        fit_until = self.history.fit_until
        if fit_until is not None and not self.start_year <= fit_until <= self.end_year:
            raise ValueError(
                f"history.fit_until ({fit_until}) must be from start_year ({self.start_year}) to end_year "
                f"({self.end_year})"
            )
        return self


@dataclass(frozen=True)
class ResolvedHistory:
    """The observed years the baseline is fitted to: the files, the last fitted year and the targets."""

    files: tuple[Path, ...]
    fit_until: int
    targets: HistoryTargets | None  # None when nothing after the base year is fitted

    def fingerprint(self) -> str:
        """SHA-256 of the fitted targets (what the fit depends on besides the table and parameters)."""
        digest = hashlib.sha256(str(self.fit_until).encode())
        if self.targets is not None:
            for array in (self.targets.value_added_100m_yuan, self.targets.population_persons):
                digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


@dataclass
class ResolvedScenario:
    """A validated scenario bound to its region table: what the model needs to run."""

    spec: ScenarioFile
    table: RegionTable
    groups: dict[str, np.ndarray]
    policies: ResolvedPolicies
    source: str
    history: ResolvedHistory

    @property
    def params(self) -> ModelParameters:
        """The scenario's model parameters (defaults with the file's overrides)."""
        return self.spec.parameters

    @property
    def years(self) -> list[int]:
        """Every simulated year, base year included."""
        return list(range(self.spec.start_year, self.spec.end_year + 1))

    def canonical(self) -> dict[str, Any]:
        """The resolved scenario as plain data (region table by content hash), for metadata and run keys."""
        doc = self.spec.model_dump(mode="json")
        doc["region_table_sha256"] = self.table.fingerprint()
        doc["region_names"] = list(self.table.names)
        doc["history_fit"] = {"fit_until": self.history.fit_until, "targets_sha256": self.history.fingerprint()}
        return doc

    @property
    def fit_until(self) -> int:
        """The last year the baseline reproduces observed statistics (the base year: none)."""
        return self.history.fit_until

    def baseline(self) -> ResolvedScenario:
        """The same scenario without its policies and mean-field: the run the fundamentals are fitted to."""
        params = self.spec.parameters.model_copy(update={"stochastic": False})
        spec = self.spec.model_copy(update={"policies": [], "parameters": params})
        return ResolvedScenario(spec, self.table, self.groups, ResolvedPolicies([], []), self.source, self.history)

    def history_key(self) -> str:
        """Content hash of what the fitted fundamentals depend on: table, parameters, years, targets."""
        params = self.spec.parameters.model_dump(
            mode="json",
            exclude={"stochastic", "tfp_shock_sd", "projection_half_life_years", "projection_shrink_to_mean"},
        )
        doc = [self.table.fingerprint(), params, self.spec.start_year, self.history.fingerprint()]
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()

    def key(self) -> str:
        """Short content hash of the resolved scenario (16 hex digits), used as a run key."""
        return hashlib.sha256(json.dumps(self.canonical(), sort_keys=True).encode()).hexdigest()[:16]


# --- reading and error reporting -------------------------------------------------------------


def _find_line(text: str, loc: tuple) -> int | None:
    """Line of a validation location in the TOML text: the key inside its ``[table]`` or the k-th
    ``[[array]]`` entry (that entry's header line when the key is not written); None when not found."""
    parts = [p for p in loc if p not in POLICY_TYPES]  # pydantic adds the union tag of a policy to the path
    headers = list(re.finditer(r"^[ \t]*\[(\[?)[ \t]*([A-Za-z0-9_\-]+)[ \t]*\]", text, re.M))
    section, start, end = None, 0, headers[0].start() if headers else len(text)
    if parts and isinstance(parts[0], str):
        if len(parts) > 1 and isinstance(parts[1], int):
            entries = [h for h in headers if h.group(1) and h.group(2) == parts[0]]
            if parts[1] < len(entries):
                section, parts = entries[parts[1]], parts[2:]
        else:
            tables = [h for h in headers if not h.group(1) and h.group(2) == parts[0]]
            if tables:
                section, parts = tables[0], parts[1:]
    if section is not None:
        start = section.start()
        end = next((h.start() for h in headers if h.start() > start), len(text))
    keys = [p for p in parts if isinstance(p, str)]
    match = re.compile(r"^[ \t]*" + re.escape(keys[0]) + r"[ \t]*=", re.M).search(text, start, end) if keys else None
    where = match or section
    return text.count("\n", 0, where.start()) + 1 if where else None


def _format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in POLICY_TYPES and out.endswith("]"):
            continue  # pydantic adds the union tag to the path; the index already says which policy
        else:
            out += ("." if out else "") + str(part)
    return out


def read_toml(path: Path) -> tuple[dict, str]:
    """Parse a TOML file; unreadable, non-UTF-8, empty, malformed, oversized (``MAX_TOML_BYTES``) or too deeply
    nested (``MAX_NESTING``) files raise UserInputError."""
    name = str(path)
    check_file_size(Path(path), "TOML", MAX_TOML_BYTES)
    text = read_text(path, "TOML")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        msg = getattr(exc, "msg", str(exc))
        raise UserInputError(f"malformed TOML: {msg}", file=name, line=line) from exc
    except RecursionError:
        raise UserInputError(
            "tables and arrays are nested too deeply to be read", file=name, expected=f"at most {MAX_NESTING} levels"
        ) from None
    check_nesting(data, name)
    return data, text


def raise_validation_error(exc: ValidationError, name: str, text: str) -> None:
    """Turn the first pydantic error into a UserInputError naming file, line, field and expectation."""
    err = exc.errors(include_url=False)[0]
    loc = err["loc"]
    field = _format_loc(loc) or None
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input") if err["type"] not in ("missing",) and not isinstance(err.get("input"), dict) else None
    if isinstance(value, float) and not math.isfinite(value):
        msg = "must be a finite number"
    expected = None
    if err["type"] == "extra_forbidden":
        msg, value = "unknown key (check the spelling)", None
    ctx = err.get("ctx") or {}
    if "expected_tags" in ctx:
        expected = "one of " + ctx["expected_tags"]
    raise UserInputError(
        msg, file=name, field=field, value=value, expected=expected, line=_find_line(text, loc)
    ) from None


def parse_scenario(data: dict, name: str = "<scenario>", text: str = "") -> ScenarioFile:
    """Validate a scenario document (strict types); errors raise UserInputError naming ``name`` and the line."""
    try:
        # strict: a boolean, a quoted number or 3.0 where a whole number is expected is a wrong type
        return ScenarioFile.model_validate(data, strict=True)
    except ValidationError as exc:
        raise_validation_error(exc, name, text)


def _resolve_ref(ref, groups: dict[str, np.ndarray], index: dict[str, int], file: str, field: str) -> np.ndarray:
    if isinstance(ref, str):
        if ref not in groups:
            raise UserInputError(
                "unknown region group",
                file=file,
                field=field,
                value=ref,
                expected="one of " + ", ".join(sorted(groups)),
            )
        return groups[ref]
    if not ref:
        raise UserInputError("empty region list", file=file, field=field, expected="at least one region")
    repeated = sorted({r for r in ref if list(ref).count(r) > 1})
    if repeated:
        raise UserInputError(
            "a region is listed more than once", file=file, field=field, value=repeated[0], expected="distinct regions"
        )
    return np.array([_region_index(r, index, file, field) for r in ref], dtype=int)


def _region_index(name: str, index: dict[str, int], file: str, field: str) -> int:
    if name not in index:
        raise UserInputError(
            "unknown region", file=file, field=field, value=name, expected="one of " + ", ".join(index)
        )
    return index[name]


def _check_claims(spec: ScenarioFile, table: RegionTable, index: dict[str, int], source: str) -> None:
    """Policies drawing on one region's stock (their type's ``claim``) fit together: in every simulated year
    the total of each type in force on one region (e.g. enclave staff in a hub; park land in a host, kept after
    the agreement ends when the type's unit outlasts it) is at most half the region's base-year stock.
    (Committed east-west investment depends on each year's income: the model checks it as it runs.)"""
    years = np.arange(spec.start_year, spec.end_year + 1)
    totals: dict[tuple, np.ndarray] = {}
    for k, policy in enumerate(spec.policies):
        claim = policy.claim
        if claim is None:
            continue
        region, amount = getattr(policy, claim.region), getattr(policy, claim.amount)
        unit = field_unit(type(policy), claim.amount)
        last = spec.end_year if policy.end is None or policy.unit_outlasts_end else policy.end
        total = totals.setdefault((type(policy), region), np.zeros(len(years)))
        total += amount * ((years >= policy.start) & (years <= last))
        limit = 0.5 * getattr(table, claim.stock)[index[region]]
        if total.max() > limit:
            peak = int(np.argmax(total))
            message = claim.message
            if total[peak] > amount:
                message += f" (with the others in force in {years[peak]}: {total[peak]:g} {unit} in all)"
            raise UserInputError(
                message,
                file=source,
                field=f"policies[{k}].{claim.amount}",
                value=amount,
                expected=f"at most {limit:.0f} {unit} for {region}",
            )


def resolve(spec: ScenarioFile, base_dir: Path, source: str = "<scenario>") -> ResolvedScenario:
    """Bind a parsed scenario to its region table, checking every region and group reference."""
    table_path = DEFAULT_REGION_TABLE if spec.region_table is None else (base_dir / spec.region_table)
    table = load_region_table(table_path)
    if spec.regions is not None:
        index = {n: i for i, n in enumerate(table.names)}
        for i, r in enumerate(spec.regions):
            _region_index(r, index, source, f"regions[{i}]")
        if len(set(spec.regions)) != len(spec.regions) or len(spec.regions) < 2:
            raise UserInputError("regions must be distinct and at least two", file=source, field="regions")
        table = table.subset(spec.regions)
    index = {n: i for i, n in enumerate(table.names)}
    belt = np.flatnonzero(table.in_belt)
    groups: dict[str, np.ndarray] = {"all": np.arange(table.n), "belt": belt}
    for sub in SUBREGIONS:
        groups[sub] = np.flatnonzero(np.asarray(table.subregion) == sub)
    for gname, members in spec.groups.items():
        if gname in BUILTIN_GROUPS or gname in index:
            raise UserInputError(
                "group name clashes with a built-in group or a region",
                file=source,
                field=f"groups.{gname}",
                expected="a new name",
            )
        if not NAME_RE.match(gname):
            raise UserInputError(
                "invalid group name", file=source, field=f"groups.{gname}", expected="letters, digits, '_' or '-'"
            )
        groups[gname] = _resolve_ref(list(members), groups, index, source, f"groups.{gname}")
    members: list[np.ndarray | None] = []
    for k, policy in enumerate(spec.policies):
        where = f"policies[{k}]"
        group = None
        if policy.group_field is not None:
            ref = getattr(policy, policy.group_field)
            group = _resolve_ref(ref, groups, index, source, f"{where}.{policy.group_field}")
        for attr in policy.region_fields:
            _region_index(getattr(policy, attr), index, source, f"{where}.{attr}")
        for attr in policy.member_fields:
            if index[getattr(policy, attr)] not in group:
                raise UserInputError(
                    f"{attr} must be one of the policy's {policy.group_field}",
                    file=source,
                    field=f"{where}.{attr}",
                    value=getattr(policy, attr),
                    expected="one of " + ", ".join(table.names[i] for i in group),
                )
        if policy.start > spec.end_year or policy.start < spec.start_year:
            raise UserInputError(
                "policy starts outside the simulated years",
                file=source,
                field=f"{where}.start",
                value=policy.start,
                expected=f"a year from {spec.start_year} to {spec.end_year}",
            )
        members.append(group)
    _check_claims(spec, table, index, source)
    history = resolve_history(spec, table, base_dir, source)
    return ResolvedScenario(spec, table, groups, ResolvedPolicies(list(spec.policies), members), source, history)


def history_regions(table: RegionTable) -> list[str]:
    """The region names observed files may use: the table's and the shipped table's (the shipped files name the
    shipped regions; a table with other regions simply has no observed years)."""
    return list(dict.fromkeys([*table.names, *load_region_table(DEFAULT_REGION_TABLE).names]))


def resolve_history(spec: ScenarioFile, table: RegionTable, base_dir: Path, source: str) -> ResolvedHistory:
    """The observed files (shipped, then the scenario's own), the last fitted year and its targets.

    A ``fit_until`` the files do not cover is an error; without ``fit_until`` the baseline is fitted through
    the last year they cover for every region (none after the base year: no fitted years).
    """
    extra = [base_dir / name for name in spec.history.observed]
    for i, path in enumerate(extra):
        if not path.is_file():
            raise UserInputError(
                "observed-data file not found",
                file=source,
                field=f"history.observed[{i}]",
                value=str(path),
                expected="a tidy CSV (region, year, variable, value), relative to the scenario file",
            )
    files = tuple(default_history_paths(extra))
    start, wanted = spec.start_year, spec.history.fit_until
    if wanted == start:
        return ResolvedHistory(files, start, None)
    # the same files (by content), table and years give the same history: a sweep's points share one reading
    try:
        contents = tuple((str(path), hashlib.sha256(path.read_bytes()).hexdigest()) for path in files)
    except OSError:  # unreadable: reading it again reports the file
        return _read_history(files, table, start, wanted, spec.end_year, source)
    key = (contents, table.fingerprint(), start, wanted, spec.end_year)  # the fingerprint covers in_belt too
    if key not in _HISTORY_CACHE:
        history = _read_history(files, table, start, wanted, spec.end_year, source)
        if history.targets is not None:  # shared by every scenario resolved from these inputs: read-only
            targets = history.targets
            for array in (targets.gdp_100m_yuan, targets.value_added_100m_yuan, targets.population_persons):
                array.setflags(write=False)
        if len(_HISTORY_CACHE) >= HISTORY_CACHE_SIZE:
            _HISTORY_CACHE.pop(next(iter(_HISTORY_CACHE)))
        _HISTORY_CACHE[key] = history
    return _HISTORY_CACHE[key]


HISTORY_CACHE_SIZE = 8  # distinct (files, table, years) combinations kept in one process
_HISTORY_CACHE: dict[tuple, ResolvedHistory] = {}


def _read_history(
    files: tuple[Path, ...], table: RegionTable, start: int, wanted: int | None, end_year: int, source: str
) -> ResolvedHistory:
    """``resolve_history`` once its files are known: read them, check ``fit_until``, build the targets."""
    observed = load_history(files, history_regions(table))
    covered = covered_years(observed, table, start)
    if wanted is not None and (not covered or covered[-1] < wanted):
        have = f"{covered[0]}-{covered[-1]}" if covered else f"none from {start} on"
        raise UserInputError(
            f"the observed data do not cover every region up to {wanted} (covered: {have})",
            file=source,
            field="history.fit_until",
            value=wanted,
            expected=f"a year from {start} to {covered[-1] if covered else start}, or observed files that cover it",
        )
    fit_until = wanted if wanted is not None else min(covered[-1] if covered else start, end_year)
    if fit_until <= start:
        return ResolvedHistory(files, start, None)
    return ResolvedHistory(files, fit_until, history_targets(observed, table, start, fit_until))


def shipped_scenarios() -> list[str]:
    """Names of the shipped scenarios."""
    return sorted(path.stem for path in shipped_folder().glob("*.toml"))


def find_scenario_file(name_or_path: str | Path, kind: str = "scenario") -> Path:
    """A scenario (or sweep, ``kind="sweep"``) file given by path, or by the name of a shipped one.

    An existing path wins; otherwise a bare name (with or without ``.toml``) is looked up in the shipped
    library. Anything else is returned unchanged, so that reading it reports the missing file.
    """
    path = Path(name_or_path)
    if path.exists() or len(path.parts) != 1:
        return path
    folder = shipped_folder() / ("sweeps" if kind == "sweep" else "")
    shipped = folder / (path.name if path.suffix == ".toml" else f"{path.name}.toml")
    return shipped if shipped.is_file() else path


def load_scenario(
    path: str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    force: bool = False,
    fit_until: int | None = None,
    observed: list[str | Path] = (),
) -> ResolvedScenario:
    """Read, validate and resolve a scenario file (a path, or the name of a shipped scenario).

    Overrides of the replications, the seed, the last fitted year and further observed files (added after the
    file's own ``history.observed``) are validated like the file's own values.
    """
    path = find_scenario_file(path)
    data, text = read_toml(path)
    if replications is not None:
        data["replications"] = replications
    if seed is not None:
        data["seed"] = seed
    if fit_until is not None or observed:
        history = dict(data.get("history", {}))
        if fit_until is not None:
            history["fit_until"] = fit_until
        history["observed"] = [*history.get("observed", []), *(str(Path(f).resolve()) for f in observed)]
        data["history"] = history
    spec = parse_scenario(data, str(path), text)
    if spec.replications > MAX_REPLICATIONS and not force:
        raise UserInputError(
            "too many replications",
            file=str(path),
            field="replications",
            value=spec.replications,
            expected=f"at most {MAX_REPLICATIONS} (pass {{force}} to run more)",
        )
    return resolve(spec, path.parent, str(path))


def default_scenario(**overrides) -> ResolvedScenario:
    """The baseline with default data and parameters: lets the model be built with no arguments."""
    spec = ScenarioFile(name="default", **overrides)
    return resolve(spec, Path.cwd(), "<default>")
