"""Write the demo data set as Parquet files, one per table, streamed chunk by chunk.

Money is DECIMAL(18,2) (Arrow ``decimal128``), built straight from the integer cents, so
it is exact and reads back as DECIMAL in DuckDB and Spark. Same config → same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from attain.demo.codes import CODED
from attain.demo.columns import CURRENCY, ID_FORMATS, STREAMED, TABLES
from attain.demo.generator import Chunk, DemoData
from attain.demo.people import NO_DAY

DECIMALS = {"money": (18, 2, 1), "share": (7, 4, 1), "qty": (14, 2, 100), "micro": (9, 6, 1)}
PLAIN = {"id": pa.int64(), "int16": pa.int16(), "int32": pa.int32(), "float": pa.float64()}


def decimal_array(values: np.ndarray, precision: int, scale: int) -> pa.Array:
    """Integers in units of 10**-scale → decimal128, without going through floats."""
    v = np.ascontiguousarray(values, dtype=np.int64)
    words = np.empty((len(v), 2), np.int64)
    words[:, 0] = v
    words[:, 1] = v >> 63  # sign-extend to 128 bits (little-endian)
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale), len(v), [None, pa.py_buffer(words)]
    )


def _derived_ids(table: str, columns: dict[str, np.ndarray]) -> pa.Array:
    if table == "deal_lines":
        deal = _derived_ids("deals", {"id": columns["deal_id"]})
        number = pc.cast(pa.array(columns["line_number"]), pa.string())
        return pc.binary_join_element_wise(deal, number, "-")
    prefix, width = ID_FORMATS[table]
    digits = pc.utf8_lpad(pc.cast(pa.array(columns["id"]), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _column(table: str, name: str, kind: str, columns: dict[str, np.ndarray]) -> pa.Array:
    if kind == "derived":
        return _derived_ids(table, columns)
    values = columns[name]
    if kind in PLAIN:
        return pa.array(values, type=PLAIN[kind])
    if kind == "id?":
        return pa.array(values, type=pa.int64(), mask=values == 0)
    if kind == "date":
        return pa.array(values.astype(np.int32), type=pa.date32(), mask=values == NO_DAY)
    if kind in DECIMALS:
        precision, scale, factor = DECIMALS[kind]
        return decimal_array(values * factor, precision, scale)
    if kind == "code":
        return pa.DictionaryArray.from_arrays(
            pa.array(values, pa.int8()), pa.array(CODED[name], pa.string())
        )
    if kind == "str":
        return pa.array(values.tolist(), type=pa.string())
    raise ValueError(f"unknown column kind {kind!r}")


def to_arrow(table: str, columns: dict[str, np.ndarray]) -> pa.Table:
    arrays = {name: _column(table, name, kind, columns) for name, kind in TABLES[table]}
    if table == "deals":
        n = len(columns["id"])
        arrays["currency"] = pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(n, np.int8)), pa.array([CURRENCY])
        )
    return pa.table(arrays)


class ParquetSink:
    """Receives the small tables, then chunks; writes ``DIR/<table>.parquet``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def _path(self, table: str) -> Path:
        return self.directory / f"{table}.parquet"

    def _write(self, table: str, columns: dict[str, np.ndarray]) -> None:
        arrow = to_arrow(table, columns)
        writer = self.writers.get(table)
        if writer is None:
            tmp = self._path(table).with_suffix(".parquet.tmp")
            writer = pq.ParquetWriter(
                tmp,
                arrow.schema,
                compression="zstd",
                use_dictionary=_dictionary_columns(table, arrow.schema),
            )
            self.writers[table] = writer
        writer.write_table(arrow, row_group_size=1_000_000)
        self.rows[table] = self.rows.get(table, 0) + arrow.num_rows

    def begin(self, data: DemoData) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for table, columns in data.small_tables.items():
            self._write(table, columns)

    def write_chunk(self, chunk: Chunk) -> None:
        for table in STREAMED:
            columns = getattr(chunk, table)
            if columns is not None and len(columns["id"]):
                self._write(table, columns)

    def finish(self, data: DemoData) -> None:
        for table, writer in self.writers.items():
            writer.close()
            os.replace(self._path(table).with_suffix(".parquet.tmp"), self._path(table))
        cfg = data.config
        manifest = {
            "generator": "attain demo",
            "config": {
                "seed": cfg.seed,
                "reps": cfg.reps,
                "deals": cfg.deals,
                "months": cfg.months,
                "accounts": cfg.accounts,
                "as_of": cfg.as_of.isoformat(),
            },
            "money": "decimal128(18,2); credit share decimal128(7,4), 1.0000 = 100%",
            "rows": dict(sorted(self.rows.items())),
        }
        (self.directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def _dictionary_columns(table: str, schema: pa.Schema) -> list[str]:
    """Dictionary-encode low-cardinality text only; unique ids would just waste time."""
    unique = {"external_id", "name", "email"}
    return [
        f.name
        for f in schema
        if (pa.types.is_string(f.type) or pa.types.is_dictionary(f.type)) and f.name not in unique
    ]
