"""The compiled program: built from expressions, portable to other SQL dialects."""

from __future__ import annotations

import pytest
import sqlglot

from attain.engine.compiler import compile_program, for_dialect
from attain.engine.prepare import prepare

from .helpers import load_case
from .test_conformance import COMPUTED


@pytest.mark.parametrize("folder", COMPUTED[::3], ids=lambda p: p.name)
@pytest.mark.parametrize("dialect", ["spark", "postgres"])
def test_every_step_transpiles_and_parses_back(folder, dialect):
    case = load_case(folder)
    prepared = prepare(case.plans, case.credits, case.assignments, case.quotas, **case.options())
    for step in compile_program(prepared):
        text = for_dialect(step.query, dialect)
        assert "INT128" not in text and "HUGEINT" not in text
        # Spark and PostgreSQL parse their own text back into the same shape of query.
        assert sqlglot.parse_one(text, read=dialect).find(sqlglot.exp.Select) is not None
