"""The Parquet writer and `attain demo --no-db --parquet DIR` (no database involved)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from attain.demo.config import DemoConfig
from attain.demo.generator import generate
from attain.demo.services import stream
from attain.demo.writer_parquet import ParquetSink, decimal_array
from tests.demo.conftest import AS_OF

TABLES = [
    "teams", "reps", "memberships", "accounts", "products", "territories",
    "territory_owners", "deals", "deal_lines", "credits", "activities",
]  # fmt: skip
SMALL = DemoConfig(as_of=AS_OF, reps=20, deals=2_000, accounts=500)


def _write(directory, config=SMALL):
    stream(generate(config), [ParquetSink(directory)])
    return directory


def test_parquet_is_byte_identical_for_the_same_config(tmp_path):
    first = _write(tmp_path / "a")
    second = _write(tmp_path / "b")
    for table in TABLES:
        assert (first / f"{table}.parquet").read_bytes() == (
            second / f"{table}.parquet"
        ).read_bytes(), table
    assert (first / "manifest.json").read_text() == (second / "manifest.json").read_text()
    assert not list(first.glob("*.tmp"))


def test_parquet_types_and_exact_money(tmp_path):
    directory = _write(tmp_path)
    deals = pq.read_table(directory / "deals.parquet")
    assert deals.num_rows == 2_000
    assert deals.schema.field("amount").type == pa.decimal128(18, 2)
    assert deals.schema.field("close_date").type == pa.date32()
    assert deals.column("external_id")[0].as_py() == "D-00000001"
    assert isinstance(deals.column("amount")[0].as_py(), Decimal)
    credits = pq.read_table(directory / "credits.parquet")
    assert credits.schema.field("share").type == pa.decimal128(7, 4)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["rows"]["deals"] == 2_000
    assert manifest["config"]["as_of"] == AS_OF.isoformat()

    con = duckdb.connect()
    path = str(directory)
    mismatched = con.execute(f"""
        select count(*) from '{path}/deals.parquet' d
        join (select deal_id, sum(quantity * unit_price) as revenue,
                     sum(quantity * (unit_price - unit_cost)) as margin
              from '{path}/deal_lines.parquet' group by deal_id) l on l.deal_id = d.id
        where l.revenue <> d.amount or l.margin <> d.margin
    """).fetchone()[0]
    assert mismatched == 0
    shares = con.execute(f"""
        select min(s), max(s) from (select deal_id, sum(share) s
        from '{path}/credits.parquet' where role in ('owner', 'split') group by deal_id)
    """).fetchone()
    assert shares == (Decimal("1.0000"), Decimal("1.0000"))
    roles = {
        r for (r,) in con.execute(f"select distinct role from '{path}/credits.parquet'").fetchall()
    }
    assert roles == {"owner", "split", "overlay"}
    lines = con.execute(f"select external_id from '{path}/deal_lines.parquet' limit 1").fetchone()
    assert lines[0] == "D-00000001-1"
    no_deal = con.execute(
        f"select count(*) from '{path}/activities.parquet' where deal_id is null"
    ).fetchone()[0]
    assert no_deal > 0


def test_decimal_array_is_exact_for_negative_and_large_values():
    values = np.array([0, 1, -1, 12_345, -987_654_321, 10**17 - 1], np.int64)
    array = decimal_array(values, 18, 2)
    assert array.to_pylist() == [Decimal(int(v)).scaleb(-2) for v in values]


def test_cli_no_db_writes_parquet(tmp_path, capsys):
    from attain.cli import build_parser

    args = build_parser().parse_args(
        ["demo", "--no-db", "--parquet", str(tmp_path), "--reps", "20", "--deals", "2000",
         "--accounts", "500", "--as-of", "2026-11-27"]
    )  # fmt: skip
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "2,000 deals" in out
    assert "Demo logins" not in out  # nothing was loaded into a database
    assert pq.read_metadata(tmp_path / "deals.parquet").num_rows == 2_000
    reference = _write(tmp_path / "ref")
    assert (tmp_path / "deals.parquet").read_bytes() == (reference / "deals.parquet").read_bytes()


def test_cli_rejects_no_db_without_parquet(capsys):
    from attain.cli import build_parser

    args = build_parser().parse_args(["demo", "--no-db"])
    assert args.func(args) == 2
    assert "--no-db needs --parquet" in capsys.readouterr().err


def test_as_of_changes_the_window():
    later = generate(DemoConfig(as_of=dt.date(2027, 3, 15), reps=20, deals=500, accounts=200))
    assert later.config.window_start == dt.date(2025, 4, 1)
