"""Golden regression: refactors leave the complete results tables bit-identical.

The tables in tests/golden/ pin replication 0 of `baseline` and `full_coordination`, mean-field and
stochastic. A deliberate model change regenerates them (tools/regenerate_golden.py) in its own commit,
with the difference explained in the commit message.

Bit-identity holds on the platform the tables were written on (tests/golden/platform.json): numpy's
exp, log and power take different SIMD code paths on AVX2 and AVX-512 CPUs, and OpenBLAS picks its kernels
by CPU, so the last bits of a float differ between machines (measured: at most 5e-13 relative, on policy
transfers that sum to nearly zero; 1e-14 elsewhere). On another platform the test still requires every
person count (whole persons) to be identical and every other value to agree to 1e-9 of its variable's
largest magnitude, and says which platform the tables came from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from golden_cases import CASES, GOLDEN, golden_table, platform_signature, recorded_platform

CROSS_PLATFORM_TOLERANCE = 1e-9  # of the variable's largest |value|; float rounding differs ~1e-13
PERSON_UNITS = ("persons", "persons/year")


def _differences(expected: pd.DataFrame, actual: pd.DataFrame, changed: np.ndarray) -> str:
    rows = expected.loc[changed, ["region", "variable", "year"]].assign(
        golden=expected.value[changed], now=actual.value[changed]
    )
    return f"{changed.sum()} values differ from the golden table, e.g.\n{rows.head(10).to_string()}"


@pytest.mark.parametrize("case", CASES)
def test_results_table_is_bit_identical_to_golden(case):
    expected = pd.read_parquet(GOLDEN / f"{case}.parquet")
    actual = golden_table(case)
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    for column in ("region", "variable", "unit", "year"):
        assert actual[column].tolist() == expected[column].tolist(), column
    golden_value, value = expected.value.to_numpy(), actual.value.to_numpy()
    if recorded_platform() == platform_signature():
        changed = ~np.equal(value, golden_value)
        if changed.any():
            pytest.fail(_differences(expected, actual, changed))
        return
    people = expected.unit.isin(PERSON_UNITS).to_numpy()
    scale = expected.value.abs().groupby(expected.variable).transform("max").to_numpy()
    apart = np.abs(value - golden_value) > CROSS_PLATFORM_TOLERANCE * scale
    changed = np.where(people, ~np.equal(value, golden_value), apart)
    if changed.any():
        pytest.fail(
            f"on a platform other than the golden tables' ({recorded_platform()} vs {platform_signature()}): "
            + _differences(expected, actual, changed)
        )


def test_the_golden_platform_is_recorded():
    """tools/regenerate_golden.py writes platform.json next to the tables, with what decides the last bits."""
    recorded = recorded_platform()
    assert recorded is not None and set(recorded) == set(platform_signature())
    assert recorded["numpy_simd_dispatch"], "the SIMD code paths of the golden platform"
