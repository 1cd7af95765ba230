from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from attain.demo.config import DemoConfig
from attain.demo.generator import DemoData, generate

AS_OF = dt.date(2026, 11, 27)


def collect(data: DemoData) -> dict[str, dict[str, np.ndarray]]:
    """Every table of a generated data set, streamed tables concatenated."""
    chunks = list(data.chunks())
    tables = dict(data.small_tables)
    for name in ("deals", "deal_lines", "credits", "activities"):
        parts = [getattr(c, name) for c in chunks if getattr(c, name) is not None]
        tables[name] = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return tables


@pytest.fixture(scope="session")
def default_data() -> DemoData:
    return generate(DemoConfig(as_of=AS_OF))


@pytest.fixture(scope="session")
def default_tables(default_data) -> dict[str, dict[str, np.ndarray]]:
    return collect(default_data)
