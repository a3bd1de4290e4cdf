"""Time paths of the fundamentals (docs/MODEL.md section 7.12): fitted to history, then projected.

The fundamentals are what the model takes as given each year: the growth of fundamental TFP by sector and
region (g_sjt), a shift of every region's amenity (a_jt, in log-odds of choosing j), and the rate of natural
population change (n_t). In the fitted years (base year to ``fit_until``) they are backed out of the observed
statistics by ``yreb.model.fitting`` so that the baseline reproduces them; after ``fit_until`` they follow the
projection rule of section 7.12: each fitted trend, shrunk toward its mean across regions, decays toward its
long-run value with a half-life. Without fitted years (``fit_until`` = base year) every year is a projection
year without trends, which is model 2's balanced-growth baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def damped_trend(trend, long_run, half_life_years: float, years_ahead):
    """x(fit_until + k) = x_long + (x_trend - x_long) 2^(-k / h) (7.12); h = 0 drops the trend at once.

    ``years_ahead`` k >= 0 counts the projection years after the last fitted one (k = 0: the year ``fit_until``
    itself, whose fundamentals for the move to the next year are already a projection).
    """
    weight = 0.0 if half_life_years == 0 else 0.5 ** (years_ahead / half_life_years)
    return long_run + (np.asarray(trend, float) - long_run) * weight


def shrunk_toward_mean(values: np.ndarray, weights: np.ndarray, shrink: float) -> np.ndarray:
    """x~_j = xbar + (1 - lambda) (x_j - xbar), xbar = sum_j w_j x_j / sum_j w_j over the last axis (7.12)."""
    values = np.asarray(values, float)
    mean = (values * weights).sum(axis=-1, keepdims=True) / weights.sum()
    return mean + (1.0 - shrink) * (values - mean)


@dataclass(frozen=True)
class Fundamentals:
    """Fitted fundamentals of years ``base_year`` .. ``fit_until`` - 1 and the rule that projects them.

    Row y of each fitted array belongs to year base_year + y and governs the move from that year to the next
    (TFP growth and natural change in phase 7, the amenity shift in phase 5 of that year).
    """

    base_year: int
    fit_until: int
    tfp_log_growth: np.ndarray  # F x S x N, g_sjt
    amenity_log_shift: np.ndarray  # F x N, a_jt (log-odds units; weighted mean 0 each year)
    natural_growth_rate: np.ndarray  # F, n_t
    region_weights: np.ndarray  # N, GDP of the last fitted year (weights of the mean across regions)
    long_run_tfp_growth: float  # g_long, every sector and region
    long_run_natural_growth_rate: float  # n_long
    half_life_years: float  # h of the projection rule
    shrink_to_mean: float  # lambda of the projection rule

    @classmethod
    def unfitted(cls, base_year: int, sectors: int, regions: int, params) -> Fundamentals:
        """No fitted years: constant TFP growth and natural change of the parameters, no amenity shifts."""
        return cls(
            base_year,
            base_year,
            np.zeros((0, sectors, regions)),
            np.zeros((0, regions)),
            np.zeros(0),
            np.ones(regions),
            params.tfp_growth,
            params.natural_growth_rate,
            params.projection_half_life_years,
            params.projection_shrink_to_mean,
        )

    @property
    def fitted_years(self) -> list[int]:
        """Years whose moves to the next year are fitted (base year .. fit_until - 1)."""
        return list(range(self.base_year, self.fit_until))

    def _row(self, year: int) -> int | None:
        """Row of ``year`` in the fitted arrays, or None for a projection year."""
        row = year - self.base_year
        return row if 0 <= row < len(self.natural_growth_rate) else None

    def _projected(self, fitted: np.ndarray, long_run, year: int, centre: str | None) -> np.ndarray:
        """The projection of one fundamental for ``year`` >= fit_until (7.12): the fitted mean, its regional
        deviations shrunk toward the weighted mean (``centre="mean"``) or toward 0 (``"zero"``), damped."""
        trend = fitted.mean(axis=0)
        if centre == "mean":
            trend = shrunk_toward_mean(trend, self.region_weights, self.shrink_to_mean)
        elif centre == "zero":
            trend = (1.0 - self.shrink_to_mean) * trend
        return damped_trend(trend, long_run, self.half_life_years, year - self.fit_until)

    def tfp_growth(self, year: int) -> np.ndarray | float:
        """g_sjt (S x N): fitted, or the projection; a float when every year is unfitted (the parameter)."""
        row = self._row(year)
        if row is not None:
            return self.tfp_log_growth[row]
        if len(self.natural_growth_rate) == 0:
            return self.long_run_tfp_growth
        return self._projected(self.tfp_log_growth, self.long_run_tfp_growth, year, "mean")

    def amenity_shift(self, year: int) -> np.ndarray | None:
        """a_jt (N), or None when there are no fitted years (no shift)."""
        row = self._row(year)
        if row is not None:
            return self.amenity_log_shift[row]
        if len(self.natural_growth_rate) == 0:
            return None
        return self._projected(self.amenity_log_shift, 0.0, year, "zero")

    def natural_growth(self, year: int) -> float:
        """n_t: fitted, or the projection of the fitted mean."""
        row = self._row(year)
        if row is not None:
            return float(self.natural_growth_rate[row])
        if len(self.natural_growth_rate) == 0:
            return self.long_run_natural_growth_rate
        rate = self._projected(self.natural_growth_rate, self.long_run_natural_growth_rate, year, None)
        return float(rate)

    def shocks_allowed(self, year: int) -> bool:
        """TFP shocks move TFP from ``year`` to the next only where that next year is not fitted."""
        return year + 1 > self.fit_until

    def with_rule(self, half_life_years: float, shrink_to_mean: float) -> Fundamentals:
        """The same fitted years projected by another rule."""
        return Fundamentals(
            self.base_year,
            self.fit_until,
            self.tfp_log_growth,
            self.amenity_log_shift,
            self.natural_growth_rate,
            self.region_weights,
            self.long_run_tfp_growth,
            self.long_run_natural_growth_rate,
            half_life_years,
            shrink_to_mean,
        )
