"""Golden regression: refactors leave the complete results tables bit-identical.

The tables in tests/golden/ pin replication 0 of `baseline` and `full_coordination`, mean-field and
stochastic. A deliberate model change regenerates them (tools/regenerate_golden.py) in its own commit,
with the difference explained in the commit message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from golden_cases import CASES, ROOT, golden_table


@pytest.mark.parametrize("case", CASES)
def test_results_table_is_bit_identical_to_golden(case):
    expected = pd.read_parquet(ROOT / "tests" / "golden" / f"{case}.parquet")
    actual = golden_table(case)
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    for column in ("region", "variable", "unit", "year"):
        assert actual[column].tolist() == expected[column].tolist(), column
    changed = ~np.equal(actual.value.to_numpy(), expected.value.to_numpy())
    if changed.any():
        rows = expected.loc[changed, ["region", "variable", "year"]].assign(
            golden=expected.value[changed], now=actual.value[changed]
        )
        pytest.fail(f"{changed.sum()} values differ from the golden table, e.g.\n{rows.head(10).to_string()}")
