"""The conformance suite: every folder under conformance/ is one worked example.

Each example is computed by both the DuckDB backend and the oracle; both must match the
hand calculation, and each other to the byte.
"""

from __future__ import annotations

import pytest

from attain.engine import EngineError

from .helpers import CONFORMANCE, compare, load_case

CASES = sorted(p for p in CONFORMANCE.iterdir() if (p / "case.yaml").exists())
COMPUTED = [p for p in CASES if "error" not in (p / "case.yaml").read_text()]
FAILING = [p for p in CASES if p not in COMPUTED]


@pytest.mark.parametrize("folder", COMPUTED, ids=lambda p: p.name)
def test_worked_example(folder):
    case = load_case(folder)
    results = {backend: case.run(backend) for backend in ("oracle", "duckdb")}
    for backend, result in results.items():
        problems = compare(folder / "expected_lines.csv", result.lines)
        problems += compare(folder / "expected_payouts.csv", result.payouts)
        assert not problems, f"{backend}:\n" + "\n".join(problems)
    oracle, duckdb = results["oracle"], results["duckdb"]
    assert duckdb.lines.equals(oracle.lines)
    assert duckdb.payouts.equals(oracle.payouts)
    assert duckdb.component_payouts.equals(oracle.component_payouts)


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
@pytest.mark.parametrize("folder", FAILING, ids=lambda p: p.name)
def test_example_fails_with_a_clear_error(folder, backend):
    case = load_case(folder)
    assert case.error
    with pytest.raises(EngineError, match=case.error):
        case.run(backend)


def test_suite_covers_enough_examples():
    assert len(CASES) >= 15
    for folder in CASES:
        readme = folder / "README.md"
        assert readme.exists(), f"{folder.name} has no README with the hand calculation"
