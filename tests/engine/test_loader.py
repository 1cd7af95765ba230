from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from attain.engine import PlanError, RuleError, load_plan, parse_plan, plan_json_schema
from attain.engine.loader import select_plan_version

PLAN = """\
id: ae
version: 1
name: AE
valid_from: 2026-01-01
period: quarter
measures:
  revenue: {source: amount}
components:
  - id: commission
    name: Commission
    measure: revenue
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        tiers:
          - {from: 0, to: 100, rate: 2.15}
          - {from: 100, rate: 3}
"""


def test_a_valid_plan_loads_with_exact_decimals(tmp_path):
    path = tmp_path / "ae.yaml"
    path.write_text(PLAN)
    plan = load_plan(path)
    rate = plan.components[0].rate_tables[0].tiers[0].rate
    assert rate == Decimal("2.15") and isinstance(rate, Decimal)
    assert plan.valid_from == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("{from: 100, rate: 3}", "{from: 200, rate: 3}"),
            "ae.yaml:13: components[0].rate_tables[0]: tiers must be contiguous",
        ),
        (
            ("semantic: marginal", "semantic: steps"),
            "ae.yaml:15: components[0].rate_tables[0].semantic: Input should be 'retroactive'",
        ),
        (
            ("measure: revenue", "measure: bookings"),
            "ae.yaml:11: components[0].measure: component 'commission' uses unknown measure",
        ),
        (("period: quarter", "period: fortnight"), "ae.yaml:5: period: Input should be"),
        (
            ("revenue: {source: amount}", "revenue: {source: amount, where: 'amount >> 1'}"),
            "ae.yaml:7: measures.revenue.where: expected a value, found '>' at position 9",
        ),
        (
            ("rate: 2.15", "rate: 2.1234567"),
            "components[0].rate_tables[0].tiers[0]: rate 2.1234567 has more than 6 decimal places",
        ),
        (("name: AE", "name: AE\nbonus: 1"), "ae.yaml:4: bonus: Extra inputs are not permitted"),
    ],
)
def test_errors_name_the_file_the_path_and_the_reason(tmp_path, change, message):
    path = tmp_path / "ae.yaml"
    path.write_text(PLAN.replace(*change))
    with pytest.raises(PlanError) as error:
        load_plan(path)
    assert message in str(error.value)
    assert str(error.value).startswith(str(path))


def test_yaml_syntax_errors_have_a_line():
    with pytest.raises(PlanError, match=r"x.yaml:3: \(document\): not valid YAML"):
        parse_plan("id: a\nname: [\n: :\n", "x.yaml")


def test_json_schema_is_exported():
    schema = plan_json_schema()
    json.dumps(schema)
    assert "components" in schema["properties"]
    assert "RateTable" in schema["$defs"]
    assert "from" in schema["$defs"]["Tier"]["properties"]
    assert {"roll_up", "territory"} <= set(schema["$defs"]["Crediting"]["properties"])
    assert "team" in schema["$defs"]["Gate"]["properties"]
    assert "roles" in schema["$defs"]["Component"]["properties"]


def test_plan_version_selection_on_the_as_of_date():
    v1 = parse_plan(
        PLAN.replace(
            "valid_from: 2026-01-01\nperiod", "valid_from: 2026-01-01\nvalid_to: 2026-07-01\nperiod"
        )
    )
    v2 = parse_plan(
        PLAN.replace("version: 1", "version: 2").replace(
            "valid_from: 2026-01-01\nperiod", "valid_from: 2026-07-01\nperiod"
        )
    )
    assert select_plan_version([v1, v2], "ae", dt.date(2026, 6, 30)).version == 1
    assert select_plan_version([v1, v2], "ae", dt.date(2026, 7, 1)).version == 2
    with pytest.raises(RuleError, match="no version of plan 'ae' is in force on 2025-12-31"):
        select_plan_version([v1, v2], "ae", dt.date(2025, 12, 31))
    v3 = parse_plan(PLAN.replace("version: 1", "version: 3"))
    with pytest.raises(RuleError, match="ambiguous on 2026-08-01: v2, v3"):
        select_plan_version([v1, v2, v3], "ae", dt.date(2026, 8, 1))
    with pytest.raises(RuleError, match="no plan 'se' was given"):
        select_plan_version([v1], "se", dt.date(2026, 8, 1))
