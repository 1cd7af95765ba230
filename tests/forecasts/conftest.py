"""Forecast tests are seen on 2026-02-20, in Q1 2026 (tests/forecasts/scenario.py)."""

from __future__ import annotations

import pytest

from tests.forecasts.scenario import TODAY
from tests.web.conftest import set_today


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    set_today(monkeypatch, TODAY)
