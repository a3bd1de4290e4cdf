"""Sweep designs: the registry of samplers and of the sensitivity indices computed from their points.

Each design is one class registered in ``DESIGNS`` under its name (the sweep file's ``design``):

- ``check(spec)``: the sweep-file settings it needs (a ValueError's message is shown to the user);
- ``sample(spec, stream)``: the points x parameters matrix of sample coordinates (in each parameter's
  ``bounds``), seeded from ``stream`` = SeedSequence(root seed, spawn_key=(DESIGN_STREAM,));
- ``analyse(spec, sample, y, values, seed)``: its sensitivity indices of one outcome and year, with the
  half-widths of their 95% confidence intervals;
- ``indices``: index name -> label, the main index (the ranking of the influence table) first.

- grid: Cartesian product of the levels (the first parameter varies slowest); main-effect share
  S_i = Var(E[Y given x_i]) / Var(Y) over the full-factorial grid, CI by a bootstrap over replications;
- lhs: scipy.stats.qmc.LatinHypercube; Borgonovo's moment-independent delta (balanced bins) and S1
  (SALib.analyze.delta, bootstrap CIs);
- sobol: SALib.sample.sobol (Saltelli scheme, first and total order); total ST and first-order S1
  (SALib.analyze.sobol, Saltelli/Jansen estimators, bootstrap CIs);
- morris: SALib.sample.morris (elementary-effect trajectories); mu* (mean absolute elementary effect,
  bootstrap CI) and sigma (SALib.analyze.morris).

Adding a design = one registered class here, one row in the design tables of docs/sweeps.md and one test in
tests/test_sweep.py; the sweep file's ``design`` field, its settings validation and ``yreb sweep-report``
find it in the registry.
"""

from __future__ import annotations

import itertools
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from SALib.analyze import delta as delta_analysis
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_sampling
from SALib.sample import sobol as sobol_sampling
from scipy.stats import norm, qmc

if TYPE_CHECKING:
    from yreb.sweep.schema import SweepFile

DESIGN_STREAM = 2**32 - 1  # SeedSequence spawn key of the design sampler; replications use keys 0..999
CONF_LEVEL = 0.95
RESAMPLES = 200
INDEX_COLUMNS = ["parameter", "index", "value", "conf", "note"]


class Design(ABC):
    """A sweep design: how its points are sampled and which sensitivity indices are computed from them."""

    name: ClassVar[str]
    indices: ClassVar[dict[str, str]]  # index name -> label; the first is the main index

    @property
    def main_index(self) -> str:
        """The index that ranks the parameters in the influence table."""
        return next(iter(self.indices))

    def check(self, spec: SweepFile) -> None:
        """Raise ValueError if the sweep file's settings do not fit the design (default: a sampled design)."""
        if spec.samples is None:
            raise ValueError(f"a {self.name} design needs 'samples'")
        if any(v.levels is not None for v in spec.vary):
            raise ValueError("'levels' applies to grid designs only")

    @abstractmethod
    def sample(self, spec: SweepFile, stream: np.random.SeedSequence) -> np.ndarray:
        """Points x parameters matrix of sample coordinates (in each parameter's ``bounds``)."""

    @abstractmethod
    def analyse(
        self, spec: SweepFile, sample: np.ndarray, y: np.ndarray, values: pd.DataFrame, seed: int
    ) -> pd.DataFrame:
        """Indices of every varied parameter (columns INDEX_COLUMNS; conf = 95% half-width).

        ``sample`` is the design's points x parameters matrix, ``y`` the outcome's mean over the replications
        of each point (design order), ``values`` one row per run (point, replication, value).
        """

    def index_axis(self, outcome_unit: str) -> str:
        """Axis label of the index values in plots."""
        return "share of variance"


DESIGNS: dict[str, Design] = {}  # name -> design, in the order of the documentation


def register(cls: type[Design]) -> type[Design]:
    """Class decorator: add a design to ``DESIGNS`` under its ``name``."""
    if cls.name in DESIGNS:
        raise ValueError(f"design '{cls.name}' is registered twice")
    DESIGNS[cls.name] = cls()
    return cls


def design_sample(spec: SweepFile, seed: int) -> np.ndarray:
    """Points x parameters matrix of the sweep's design, its sampler seeded from
    SeedSequence(seed, spawn_key=(DESIGN_STREAM,))."""
    return DESIGNS[spec.design].sample(spec, np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,)))


def salib_seed(stream: np.random.SeedSequence) -> int:
    """The integer seed handed to SALib's samplers."""
    return int(stream.generate_state(1)[0])


def varies(y: np.ndarray) -> bool:
    """Whether an outcome varies across design points beyond rounding (indices are undefined otherwise)."""
    return bool(np.nanstd(y) > 1e-12 * max(1.0, float(np.nanmax(np.abs(y)))))


def index_frame(
    names: list[str], si: dict, pairs: tuple[tuple[str, str], ...], notes: list[str] | None = None
) -> pd.DataFrame:
    """Indices in the INDEX_COLUMNS layout from a SALib result: one block of rows per (index, conf) pair."""
    notes = notes if notes is not None else [""] * len(names)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "parameter": names,
                    "index": index,
                    "value": np.asarray(si[index], float),
                    "conf": np.asarray(si[conf], float),
                    "note": notes,
                }
            )
            for index, conf in pairs
        ],
        ignore_index=True,
    )


# --- the designs ---------------------------------------------------------------------------------


def main_effect_shares(matrix: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """S_i = Var over the levels of x_i of mean(Y | x_i) / Var(Y), for a full-factorial grid.

    ``matrix`` is points x replications; ``levels`` is points x parameters. Y = mean over the replications
    that completed.
    """
    y = np.nanmean(matrix, axis=1)  # a point without any completed replication makes every share NaN
    total = y.var()
    if not varies(y):
        return np.full(levels.shape[1], np.nan)
    shares = []
    for i in range(levels.shape[1]):
        _, groups = np.unique(levels[:, i], return_inverse=True)
        conditional = np.bincount(groups, weights=y) / np.bincount(groups)
        shares.append(conditional[groups].var() / total)
    return np.array(shares)


@register
class Grid(Design):
    """Full factorial: every combination of the parameters' values (the first parameter varies slowest)."""

    name = "grid"
    indices = {"main_effect": "main-effect share"}

    def check(self, spec: SweepFile) -> None:
        """No 'samples'; every range needs 'levels'."""
        if spec.samples is not None:
            raise ValueError("a grid design takes no 'samples' (its size is the product of the levels)")
        for v in spec.vary:
            if v.range is not None and v.levels is None:
                raise ValueError(f"grid design: give 'levels' (or 'values') for '{v.name}'")

    def sample(self, spec: SweepFile, stream: np.random.SeedSequence) -> np.ndarray:
        """The Cartesian product of the levels (value indices for value lists); no randomness."""
        axes = [
            np.linspace(*v.range, v.levels) if v.range is not None else np.arange(len(v.values), dtype=float)
            for v in spec.vary
        ]
        return np.array(list(itertools.product(*axes)), dtype=float)

    def analyse(
        self, spec: SweepFile, sample: np.ndarray, y: np.ndarray, values: pd.DataFrame, seed: int
    ) -> pd.DataFrame:
        """Main-effect shares; CI from RESAMPLES bootstrap resamples of the replications (none with one)."""
        names = [v.name for v in spec.vary]
        matrix = values.pivot(index="point", columns="replication", values="value").sort_index().to_numpy()
        estimate = main_effect_shares(matrix, sample)
        reps = matrix.shape[1]
        if reps > 1:
            rng = np.random.default_rng(seed)
            with warnings.catch_warnings():  # a resample may hold only failed replications of a point: NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                boot = np.array(
                    [main_effect_shares(matrix[:, rng.integers(0, reps, reps)], sample) for _ in range(RESAMPLES)]
                )
            conf = norm.ppf(0.5 + CONF_LEVEL / 2) * np.nanstd(boot, axis=0, ddof=1)
        else:
            conf = np.full(len(names), np.nan)
        return pd.DataFrame({"parameter": names, "index": "main_effect", "value": estimate, "conf": conf, "note": ""})


@register
class LatinHypercube(Design):
    """Latin hypercube sample of ``samples`` points (scipy.stats.qmc.LatinHypercube)."""

    name = "lhs"
    indices = {"delta": "Borgonovo delta (balanced bins)", "S1": "first-order S1"}

    def sample(self, spec: SweepFile, stream: np.random.SeedSequence) -> np.ndarray:
        """``samples`` points, one in each of ``samples`` strata of every parameter."""
        problem = spec.salib_problem()
        bounds = np.array(problem["bounds"])
        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(stream)).random(spec.samples)
        return qmc.scale(unit, bounds[:, 0], bounds[:, 1])

    def analyse(
        self, spec: SweepFile, sample: np.ndarray, y: np.ndarray, values: pd.DataFrame, seed: int
    ) -> pd.DataFrame:
        """Borgonovo's delta with balanced bins and S1 (SALib.analyze.delta); SALib's notes on bias kept."""
        names = [v.name for v in spec.vary]
        formatter = warnings.formatwarning
        with warnings.catch_warnings(record=True):  # SALib warns per parameter (it resets the filters) and
            si = delta_analysis.analyze(
                spec.salib_problem(),
                sample,
                y,
                num_resamples=RESAMPLES,
                conf_level=CONF_LEVEL,
                seed=seed,
                method="all",
            )  # returns the same text as 'notes'
        warnings.formatwarning = formatter  # SALib replaces the global formatter
        si["delta"], si["delta_conf"] = si["delta_balanced"], si["delta_balanced_conf"]
        notes = [
            "; ".join(
                part.strip()
                for part in note.split(";")  # we use balanced bins, not the step method
                if part.strip() and not part.strip().startswith("Step:")
            )
            for note in si["notes"]
        ]
        return index_frame(names, si, (("delta", "delta_conf"), ("S1", "S1_conf")), notes)

    def index_axis(self, outcome_unit: str) -> str:
        """Delta and S1 are between 0 and 1."""
        return "index (0-1)"


@register
class Sobol(Design):
    """Saltelli's scheme for first- and total-order Sobol indices: N x (D + 2) points, N = ``samples``."""

    name = "sobol"
    indices = {"ST": "total-order ST", "S1": "first-order S1"}

    def check(self, spec: SweepFile) -> None:
        """'samples' (a power of 2), no 'levels'."""
        super().check(spec)
        if spec.samples & (spec.samples - 1):
            raise ValueError(f"sobol 'samples' must be a power of 2 (got {spec.samples}), e.g. 64 or 128")

    def sample(self, spec: SweepFile, stream: np.random.SeedSequence) -> np.ndarray:
        """SALib.sample.sobol without second-order terms."""
        return sobol_sampling.sample(
            spec.salib_problem(), spec.samples, calc_second_order=False, seed=salib_seed(stream)
        )

    def analyse(
        self, spec: SweepFile, sample: np.ndarray, y: np.ndarray, values: pd.DataFrame, seed: int
    ) -> pd.DataFrame:
        """S1 and ST (SALib.analyze.sobol: Saltelli and Jansen estimators, bootstrap CIs)."""
        si = sobol_analysis.analyze(
            spec.salib_problem(), y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
        )
        return index_frame([v.name for v in spec.vary], si, (("S1", "S1_conf"), ("ST", "ST_conf")))


@register
class Morris(Design):
    """Morris elementary-effect trajectories: N x (D + 1) points on ``morris_levels`` levels, N = ``samples``."""

    name = "morris"
    indices = {"mu_star": "Morris mu*", "sigma": "Morris sigma"}

    def sample(self, spec: SweepFile, stream: np.random.SeedSequence) -> np.ndarray:
        """SALib.sample.morris."""
        return morris_sampling.sample(
            spec.salib_problem(), spec.samples, num_levels=spec.morris_levels, seed=salib_seed(stream)
        )

    def analyse(
        self, spec: SweepFile, sample: np.ndarray, y: np.ndarray, values: pd.DataFrame, seed: int
    ) -> pd.DataFrame:
        """mu* (bootstrap CI) and sigma (no CI) (SALib.analyze.morris)."""
        names = [v.name for v in spec.vary]
        si = morris_analysis.analyze(
            spec.salib_problem(),
            sample,
            y,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=spec.morris_levels,
            seed=seed,
        )
        si["sigma_conf"] = np.full(len(names), np.nan)
        return index_frame(names, si, (("mu_star", "mu_star_conf"), ("sigma", "sigma_conf")))

    def index_axis(self, outcome_unit: str) -> str:
        """mu* and sigma are in outcome units per step of the normalised parameter."""
        return f"{outcome_unit} per unit step"
