"""``calculate_files``: from files to files, the same tables as ``calculate``."""

from __future__ import annotations

import csv
import io
import types

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from attain.engine import EngineError
from attain.engine import files as engine_files
from attain.engine.files import calculate_files
from attain.engine.results import COMPONENT_PAYOUT_SCHEMA, LINE_SCHEMA, PAYOUT_SCHEMA

from .helpers import CONFORMANCE, duckdb_result, load_case, plans_folder
from .test_conformance import COMPUTED

OUTPUTS = {
    "earnings": ("lines", LINE_SCHEMA),
    "payouts": ("payouts", PAYOUT_SCHEMA),
    "component_payouts": ("component_payouts", COMPONENT_PAYOUT_SCHEMA),
}


def run_files(case, out, credits=None, **extra):
    return calculate_files(
        case.plans,
        credits or case.folder / "credits.csv",
        case.assignments,
        case.quotas,
        out=out,
        **case.options(),
        **extra,
    )


@pytest.mark.parametrize("chunk_credits", [None, 1], ids=["one-chunk", "chunk-per-rep"])
@pytest.mark.parametrize("folder", COMPUTED, ids=lambda p: p.name)
def test_same_tables_and_csv_as_calculate(folder, chunk_credits, tmp_path):
    """Whole, and (``chunk_credits=1``) with every rep in a chunk of its own: roll-ups, team
    gates, draws and floors must come out the same when the reps are calculated apart."""
    case = load_case(folder)
    expected = duckdb_result(folder)
    phases = []
    written = run_files(case, tmp_path / "out", chunk_credits=chunk_credits, progress=phases.append)
    chunks = phases.count("calculate and write a chunk of reps")
    credited = pc.filter(expected.lines, pc.is_valid(expected.lines["credit_id"]))
    credited_reps = len(pc.unique(credited["rep_id"]))
    assert chunks == 1 if chunk_credits is None else chunks >= max(credited_reps, 1)
    for name, (attribute, schema) in OUTPUTS.items():
        table = getattr(expected, attribute)
        parquet = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        assert parquet.schema.equals(schema)
        assert parquet.equals(table), name
        in_memory_csv = io.BytesIO()
        pacsv.write_csv(table, in_memory_csv)
        assert (tmp_path / "out" / f"{name}.csv").read_bytes() == in_memory_csv.getvalue()
        assert written.rows[name] == table.num_rows
    assert not [p for p in tmp_path.iterdir() if p.name != "out"], "scratch space left behind"


def test_batches_of_a_few_rows_give_the_same_lines(tmp_path, monkeypatch):
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    monkeypatch.setattr(engine_files, "BATCH_ROWS", 2)
    run_files(case, tmp_path / "out")
    lines = pq.read_table(tmp_path / "out" / "earnings.parquet")
    assert lines.equals(case.run("duckdb").lines)


def test_a_failing_writer_stops_the_run_and_leaves_no_output(tmp_path, monkeypatch):
    """The writers run in threads; a failure there reaches the caller, and nothing is left."""
    calls = []

    class FailingCSVWriter(pacsv.CSVWriter):
        def write_table(self, table):
            calls.append(table.num_rows)
            raise OSError("disk full")

    monkeypatch.setattr(engine_files, "OUTPUT_BATCH_ROWS", 1)
    csv_module = {name: getattr(pacsv, name) for name in dir(pacsv) if not name.startswith("_")}
    csv_module["CSVWriter"] = FailingCSVWriter
    monkeypatch.setattr(engine_files, "pacsv", types.SimpleNamespace(**csv_module))
    with pytest.raises(OSError, match="disk full"):
        run_files(small_case(), tmp_path / "out")
    assert calls, "the CSV writer was not called"
    assert not (tmp_path / "out").exists()


def write_credits(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def credit(n, **changes):
    row = {
        "credit_id": f"C{n}",
        "deal_id": f"D{n}",
        "rep_id": "R1",
        "share": "1",
        "event_date": "2026-01-15",
        "amount": "1000.00",
    }
    return row | changes


def small_case():
    case = load_case(CONFORMANCE / "01_marginal_tiers_on_attainment")
    return case


def test_the_first_bad_row_is_reported_though_batches_are_checked_together(tmp_path, monkeypatch):
    monkeypatch.setattr(engine_files, "BATCH_ROWS", 2)  # Parquet batches: rows 1–2, 3–4
    source = tmp_path / "credits.parquet"
    rows = [credit(1), credit(2, share="0"), credit(3, amount="x"), credit(4)]
    pq.write_table(pa.Table.from_pylist(rows), source)
    with pytest.raises(EngineError, match=r"credits, row 2, column 'share': share must be"):
        run_files(small_case(), tmp_path / "out", credits=source)


def test_a_bad_row_in_a_later_batch_is_named_by_its_row_in_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(engine_files, "BATCH_ROWS", 2)
    source = tmp_path / "credits.csv"
    write_credits(source, [credit(1), credit(2), credit(3), credit(4, amount="12.345")])
    with pytest.raises(EngineError, match=r"credits, row 4, column 'amount': .*decimal places"):
        run_files(small_case(), tmp_path / "out", credits=source)
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == [source], "scratch space left behind"


@pytest.mark.parametrize("batch_rows", [2, 500_000], ids=["across-batches", "in-one-batch"])
def test_a_repeated_credit_id_is_refused(tmp_path, monkeypatch, batch_rows):
    monkeypatch.setattr(engine_files, "BATCH_ROWS", batch_rows)
    source = tmp_path / "credits.csv"
    write_credits(source, [credit(1), credit(2), credit(3), credit(1, deal_id="D9")])
    with pytest.raises(EngineError, match="credits: credit_id 'C1' appears twice"):
        run_files(small_case(), tmp_path / "out", credits=source)
    assert not (tmp_path / "out").exists()


def test_parquet_credits_and_an_empty_file(tmp_path):
    case = small_case()
    source = tmp_path / "credits.parquet"
    pq.write_table(case.credits, source)
    run_files(case, tmp_path / "out", credits=source)
    assert pq.read_table(tmp_path / "out" / "earnings.parquet").equals(case.run("duckdb").lines)

    empty = tmp_path / "empty.parquet"
    pq.write_table(case.credits.slice(0, 0), empty)
    written = run_files(case, tmp_path / "none", credits=empty)
    assert written.rows == {"earnings": 0, "payouts": 0, "component_payouts": 0}
    header = (tmp_path / "none" / "earnings.csv").read_text().splitlines()
    assert header == [",".join(f'"{name}"' for name in LINE_SCHEMA.names)]


def _write_parts(folder, table: pa.Table, sizes: list[int]) -> None:
    """``table`` split into Parquet part files of ``sizes`` rows, named as Spark names them,
    with a ``_SUCCESS`` marker and a hidden file, which are not data."""
    folder.mkdir()
    start = 0
    for n, size in enumerate(sizes):
        pq.write_table(table.slice(start, size), folder / f"part-{n:05d}-x.snappy.parquet")
        start += size
    assert start == table.num_rows
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-00000-x.snappy.parquet.crc").write_text("not parquet")


@pytest.mark.parametrize("typed", [True, False], ids=["typed-read-in-place", "checked-copy"])
def test_a_folder_of_parquet_files_is_read_as_one_credits_table(tmp_path, typed):
    """A dataset folder (Spark's output, a partitioned export): its part files in name
    order, as one table; typed parts are read in place, others checked into a copy."""
    case = load_case(CONFORMANCE / "24_monthly_plan_splits_and_overlay")
    credits = _typed_with_defaults_left_out(case.credits) if typed else case.credits
    folder = tmp_path / "credits"
    _write_parts(folder, credits, [2, 0, credits.num_rows - 2])
    checked = engine_files.check_credits_file(folder, tmp_path / "checked.parquet")
    assert checked.as_input is typed
    assert (tmp_path / "checked.parquet").exists() is not typed
    run_files(case, tmp_path / "out", credits=folder)
    assert pq.read_table(tmp_path / "out" / "earnings.parquet").equals(case.run("duckdb").lines)


def test_a_bad_row_in_a_folder_is_named_by_its_file_and_row(tmp_path, monkeypatch):
    monkeypatch.setattr(engine_files, "BATCH_ROWS", 2)
    rows = [credit(1), credit(2), credit(3), credit(4, share="0"), credit(5)]
    _write_parts(tmp_path / "credits", pa.Table.from_pylist(rows), [2, 3])
    with pytest.raises(
        EngineError, match=r"credits, file part-00001-x.snappy.parquet, row 2, column 'share'"
    ):
        run_files(small_case(), tmp_path / "out", credits=tmp_path / "credits")
    assert not (tmp_path / "out").exists()


def test_a_credit_id_repeated_across_files_of_a_folder_is_refused(tmp_path):
    rows = [credit(1), credit(2), credit(3), credit(1, deal_id="D9")]
    _write_parts(tmp_path / "credits", pa.Table.from_pylist(rows), [2, 2])
    with pytest.raises(EngineError, match="credits: credit_id 'C1' appears twice"):
        run_files(small_case(), tmp_path / "out", credits=tmp_path / "credits")


def test_a_folder_without_parquet_or_with_unlike_parts_is_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "_SUCCESS").write_text("")
    with pytest.raises(EngineError, match=r"empty: no Parquet file \(\*\.parquet\)"):
        run_files(small_case(), tmp_path / "out", credits=empty)
    unlike = tmp_path / "unlike"
    unlike.mkdir()
    pq.write_table(pa.Table.from_pylist([credit(1)]), unlike / "a.parquet")
    pq.write_table(pa.Table.from_pylist([credit(2, units="3")]), unlike / "b.parquet")
    with pytest.raises(EngineError, match=r"b.parquet: its columns or their types differ"):
        run_files(small_case(), tmp_path / "out", credits=unlike)
    assert not (tmp_path / "out").exists()


def _typed_with_defaults_left_out(credits: pa.Table) -> pa.Table:
    """The credits in the canonical types, as a typed Parquet export would hold them: an
    optional column left out where every value is its default (or null), emptied (null)
    where a value equals its default."""
    from attain.engine.inputs import CREDIT_SPECS, normalise_credits

    typed = normalise_credits(credits)
    for spec in CREDIT_SPECS.values():
        if spec.required or spec.name not in typed.column_names:
            continue
        column = typed[spec.name]
        if spec.default is None:
            if column.null_count == len(column):
                typed = typed.drop_columns([spec.name])
            continue
        is_default = pc.equal(column, pa.scalar(spec.default, spec.type))
        if pc.all(is_default).as_py():
            typed = typed.drop_columns([spec.name])
        else:
            emptied = pc.if_else(is_default, pa.scalar(None, spec.type), column)
            position = typed.column_names.index(spec.name)
            typed = typed.set_column(position, spec.name, emptied)
    return typed


def _with_optional_credit_columns(folder) -> bool:
    from attain.engine.inputs import CREDIT_SPECS

    header = (folder / "credits.csv").read_text().splitlines()[0].split(",")
    return any(name in CREDIT_SPECS and not CREDIT_SPECS[name].required for name in header)


# The first example (every optional column missing) and each with an optional column given.
TYPED_CASES = [f for f in COMPUTED if f.name.startswith("01_") or _with_optional_credit_columns(f)]


@pytest.mark.parametrize("folder", TYPED_CASES, ids=lambda p: p.name)
def test_typed_parquet_credits_are_read_in_place_with_their_defaults(folder, tmp_path, monkeypatch):
    """Parquet credits already in the canonical types are checked but not copied: DuckDB
    reads the input file, filling in the defaults of missing or empty optional columns
    (role ``owner``, units 0) as the check would have."""
    case = load_case(folder)
    source = tmp_path / "credits.parquet"
    pq.write_table(_typed_with_defaults_left_out(case.credits), source)
    in_place = []
    check = engine_files._check_in_place
    monkeypatch.setattr(
        engine_files, "_check_in_place", lambda s, parts: in_place.append(s) or check(s, parts)
    )
    run_files(case, tmp_path / "out", credits=source)
    assert in_place == [source]
    expected = duckdb_result(folder)
    for name, (attribute, _) in OUTPUTS.items():
        table = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        assert table.equals(getattr(expected, attribute)), name


def test_a_bad_row_of_typed_parquet_credits_is_named(tmp_path):
    from attain.engine.inputs import normalise_credits

    case = load_case(COMPUTED[0])
    typed = normalise_credits(case.credits)
    shares = typed["share"].to_pylist()
    shares[-1] = shares[-1] * 0
    position = typed.column_names.index("share")
    typed = typed.set_column(position, "share", pa.array(shares, typed["share"].type))
    source = tmp_path / "credits.parquet"
    pq.write_table(typed, source)
    with pytest.raises(EngineError, match=f"row {typed.num_rows}.*share must be above 0"):
        run_files(case, tmp_path / "out", credits=source)
    assert not (tmp_path / "out").exists()


def test_memory_limit_spills_and_gives_the_same_lines(tmp_path):
    """A limit far below what the join needs in memory: DuckDB spills to the scratch folder."""
    case = small_case()
    rows = [credit(n, rep_id="R1", event_date=f"2026-0{1 + n % 3}-1{n % 10}") for n in range(60)]
    source = tmp_path / "credits.csv"
    write_credits(source, rows)
    calculate_files(
        case.plans,
        source,
        case.assignments,
        case.quotas,
        period=case.period,
        out=tmp_path / "out",
        memory_limit="64MB",
    )
    from attain.engine import calculate

    expected = calculate(
        case.plans,
        pa.Table.from_pylist(rows),
        case.assignments,
        case.quotas,
        period=case.period,
    )
    assert pq.read_table(tmp_path / "out" / "earnings.parquet").equals(expected.lines)


def test_cli_on_duckdb_writes_through_files(tmp_path, capsys):
    from attain.engine.cli import main

    case = CONFORMANCE / "01_marginal_tiers_on_attainment"
    plans = plans_folder(tmp_path, case)
    code = main(
        [
            "--plans", str(plans),
            "--credits", str(case / "credits.csv"),
            "--assignments", str(case / "assignments.csv"),
            "--quotas", str(case / "quotas.csv"),
            "--period", "2026-Q1",
            "--memory-limit", "256MB",
            "--out", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    expected = duckdb_result(case).lines
    assert pq.read_table(tmp_path / "out" / "earnings.parquet").equals(expected)


def _first_example_arguments(tmp_path, backend: str) -> list[str]:
    """``attain calc`` arguments for the first worked example, without ``--out``."""
    case = CONFORMANCE / "01_marginal_tiers_on_attainment"
    return [
        "--plans", str(plans_folder(tmp_path, case)),
        "--credits", str(case / "credits.csv"),
        "--assignments", str(case / "assignments.csv"),
        "--quotas", str(case / "quotas.csv"),
        "--period", "2026-Q1",
        "--backend", backend,
    ]  # fmt: skip


@pytest.mark.parametrize("backend", ["duckdb", "oracle"])
def test_cli_formats_choose_the_files_written(tmp_path, capsys, backend):
    from attain.engine.cli import main

    arguments = _first_example_arguments(tmp_path, backend)
    assert main([*arguments, "--formats", "parquet", "--out", str(tmp_path / "p")]) == 0
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "component_payouts.parquet", "earnings.parquet", "payouts.parquet"
    ]  # fmt: skip
    assert main([*arguments, "--formats", "csv", "--out", str(tmp_path / "c")]) == 0
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "component_payouts.csv", "earnings.csv", "payouts.csv"
    ]  # fmt: skip
    capsys.readouterr()
    assert main([*arguments, "--formats", "xlsx", "--out", str(tmp_path / "x")]) == 1
    assert "output formats must be one or more of parquet, csv; got xlsx" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("backend", ["duckdb", "oracle"])
def test_earnings_parquet_keeps_statistics_to_filter_on_but_none_of_sentences(
    tmp_path, capsys, backend
):
    """Both ways of writing (chunks streamed on DuckDB, one table otherwise): a reader can
    skip row groups by rep, period and date; no minimum and maximum of sentences is kept."""
    from attain.engine.cli import main

    out = tmp_path / "out"
    arguments = [*_first_example_arguments(tmp_path, backend), "--formats", "parquet"]
    assert main([*arguments, "--out", str(out)]) == 0, capsys.readouterr().err
    group = pq.ParquetFile(out / "earnings.parquet").metadata.row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    for name in ("rep_id", "period", "event_date", "credit_id", "amount"):
        assert columns[name].is_stats_set, name
    assert columns["rep_id"].statistics.min <= columns["rep_id"].statistics.max
    assert not columns["explanation"].is_stats_set
    assert "RLE_DICTIONARY" in columns["line_kind"].encodings
    assert "RLE_DICTIONARY" not in columns["explanation"].encodings


@pytest.mark.parametrize("folder", COMPUTED, ids=lambda p: p.name)
def test_a_run_for_some_reps_gives_their_lines_of_a_full_run(folder, tmp_path):
    """Recalculating only some reps (say, those whose credits changed) gives exactly their
    lines and payouts of a run over every rep: roll-ups, team gates and draws included."""
    case = load_case(folder)
    expected = duckdb_result(folder)
    reps = sorted(set(expected.payouts["rep_id"].to_pylist()))
    chosen = reps[::2]  # every other rep: a selection that splits teams
    written = run_files(case, tmp_path / "out", reps=chosen)
    for name, (attribute, _) in OUTPUTS.items():
        table = getattr(expected, attribute)
        wanted = table.filter(pc.is_in(table["rep_id"], pa.array(chosen, pa.string())))
        assert pq.read_table(tmp_path / "out" / f"{name}.parquet").equals(wanted), name
        assert written.rows[name] == wanted.num_rows


def test_reps_must_have_a_plan_assignment(tmp_path):
    with pytest.raises(EngineError, match=r"reps: no plan assignment for 'R404', 'nobody'"):
        run_files(small_case(), tmp_path / "out", reps=["R404", "nobody"])
    with pytest.raises(EngineError, match="reps: no rep id given"):
        run_files(small_case(), tmp_path / "out", reps=[" "])
    assert not (tmp_path / "out").exists()


def test_cli_reps_limit_the_run(tmp_path, capsys):
    from attain.engine.cli import main

    case = CONFORMANCE / "38_manager_roll_up_hierarchy_change"
    full = duckdb_result(case).payouts
    reps = sorted(set(full["rep_id"].to_pylist()))
    listed = tmp_path / "reps.txt"
    listed.write_text(f"rep_id\n{reps[-1]}\n", encoding="utf-8")
    arguments = ["--plans", str(plans_folder(tmp_path, case))]
    for name in ("credits", "assignments", "quotas", "hierarchy"):
        if (case / f"{name}.csv").exists():
            arguments += [f"--{name}", str(case / f"{name}.csv")]
    arguments += ["--period", load_case(case).options()["period"]]
    code = main(
        [*arguments, "--reps", reps[0], "--reps-file", str(listed), "--out", str(tmp_path / "o")]
    )
    assert code == 0, capsys.readouterr().err
    payouts = pq.read_table(tmp_path / "o" / "payouts.parquet")
    assert sorted(set(payouts["rep_id"].to_pylist())) == [reps[0], reps[-1]]
    code = main(
        [*arguments, "--reps", reps[0], "--backend", "oracle", "--out", str(tmp_path / "x")]
    )
    assert code == 1
    assert "--reps and --reps-file need the duckdb backend" in capsys.readouterr().err
