"""The import pipeline shared by the CLI, the upload page and the API.

table of strings → header mapping → per-row conversion and checks → duplicate keys →
references resolved in bulk → existing rows loaded in bulk → created / updated / unchanged →
one transaction of bulk upserts (unless it is a dry run or anything was wrong).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from django.db import connection, models, transaction

from attain.imports.columns import REF, REFS, Column
from attain.imports.presets import Preset
from attain.imports.readers import Table, delimiter_name, likely_separator, normalize_header
from attain.imports.report import OUTCOME_CAP, ImportReport, RowError, RowOutcome
from attain.imports.specs import ENTITIES, Entity

WRITE_BATCH = 2000


def _chunk_size() -> int:
    # Stay under the backend's bound-parameter limit (999 on Django's SQLite backend).
    limit = connection.features.max_query_params or 10000
    return max(100, min(10000, limit - 10))


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Row:
    number: int
    values: list[object]  # None where the cell could not be converted
    ok: bool = True
    pk: int | None = None  # the existing record's primary key, once classified as updated
    changed: tuple[str, ...] = ()  # the columns that differ, once classified as updated


class _Plan:
    """Which entity columns the file provides and how to read them."""

    def __init__(self, entity: Entity, preset: Preset | None):
        self.entity = entity
        self.preset = preset
        self.columns: list[Column] = []
        self.labels: list[str] = []
        self.index: list[int] = []  # position in the file's row (no preset)
        self.preset_index: dict[str, int] = {}


def _map_header(entity: Entity, preset: Preset | None, table: Table, report: ImportReport):
    """Build the plan, or add header errors to the report and return None."""
    file_name = table.file_name
    header = table.header
    plan = _Plan(entity, preset)
    errors = report.errors
    if preset is not None:
        index, labels = preset.map_header(header)
        known = preset.known_headers()
        present = set(index) | set(preset.derived)
        for column in entity.columns:
            if column.name in present:
                plan.columns.append(column)
                plan.labels.append(labels.get(column.name) or preset.derived[column.name])
        plan.preset_index = index
        used = set(index.values())
        report.ignored_columns = [h for i, h in enumerate(header) if i not in used and h.strip()]
        missing = [c for c in entity.required_columns if c.name not in present]
        for column in missing:
            options = " or ".join(repr(s) for s in preset.sources.get(column.name, ()))
            errors.append(
                RowError(
                    file_name,
                    1,
                    column.name,
                    None,
                    f"missing required column: the {preset.name} preset needs {options}",
                )
            )
        if missing:
            _explain_single_column_header(table, known, errors)
        return None if missing else plan

    positions: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = normalize_header(raw)
        name = entity.header_aliases.get(name, name)
        if not name:
            continue
        if name in positions:
            errors.append(
                RowError(
                    file_name,
                    1,
                    raw.strip(),
                    None,
                    f"duplicate column (also column {positions[name] + 1})",
                )
            )
            continue
        positions[name] = i
    for column in entity.columns:
        if column.name in positions:
            plan.columns.append(column)
            plan.labels.append(column.name)
            plan.index.append(positions[column.name])
    known = set(entity.by_name) | set(entity.header_aliases)
    report.ignored_columns = [
        header[i].strip()
        for name, i in positions.items()
        if name not in entity.by_name and entity.header_aliases.get(name) is None
    ]
    missing = [c for c in entity.required_columns if c.name not in positions]
    for column in missing:
        errors.append(RowError(file_name, 1, column.name, None, "missing required column"))
    if missing:
        _explain_single_column_header(table, known, errors)
    return None if errors else plan


def _explain_single_column_header(table: Table, known: set[str], errors: list[RowError]):
    """A header that came out as one field usually means a delimiter we do not accept."""
    cells = [h for h in table.header if h.strip()]
    if table.delimiter is None or len(cells) != 1:
        return
    separator = likely_separator(cells[0], known)
    if separator is None:
        return
    errors.insert(
        0,
        RowError(
            table.file_name,
            1,
            None,
            cells[0][:80],
            f"wrong delimiter: the header does not split into the expected columns with "
            f"{delimiter_name(table.delimiter)}; it looks separated by {separator!r}. "
            "Use comma, semicolon, tab or pipe",
        ),
    )


def _convert_rows(plan: _Plan, table: Table, report: ImportReport) -> list[_Row]:
    entity, errors, file_name = plan.entity, report.errors, table.file_name
    converters = [c.converter() for c in plan.columns]
    names = [c.name for c in plan.columns]
    labels = plan.labels
    width = len(table.header)
    checks = entity.row_checks
    label_of = dict(zip(names, labels, strict=True))
    rows: list[_Row] = []
    count = 0
    preset = plan.preset
    if preset is not None:
        source_items = list(plan.preset_index.items())
    k = len(converters)
    index = plan.index
    for number, cells in table.rows:
        count += 1
        ok = True
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(
                RowError(
                    file_name,
                    number,
                    None,
                    None,
                    f"row has {len(cells)} fields but the header has {width}; "
                    "quote values that contain the delimiter",
                )
            )
            continue  # the values are shifted; errors about them would only mislead
        if preset is not None:
            raw_row = {t: (cells[i] if i < len(cells) else "") for t, i in source_items}
            mapped, problems = preset.transform(raw_row)
            failed = {column for column, _ in problems}
            for column, reason in problems:
                errors.append(
                    RowError(
                        file_name,
                        number,
                        label_of.get(column, column),
                        raw_row.get(column, ""),
                        reason,
                    )
                )
                ok = False
            raws = [mapped.get(name, "") if name not in failed else None for name in names]
        else:
            n = len(cells)
            raws = [cells[i] if i < n else "" for i in index]
        try:
            # Fast path: every cell converts (a comprehension beats an indexed loop).
            values = [convert(raw) for convert, raw in zip(converters, raws, strict=True)]
        except (ValueError, AttributeError):
            # Slow path, only for rows with a problem: collect every bad cell.
            values = [None] * k
            for j in range(k):
                if raws[j] is None:  # the preset already reported this cell
                    continue
                try:
                    values[j] = converters[j](raws[j])
                except ValueError as exc:
                    errors.append(RowError(file_name, number, labels[j], raws[j].strip(), str(exc)))
                    ok = False
        if ok and checks:
            as_dict = dict(zip(names, values, strict=True))
            for check in checks:
                for column, reason in check(as_dict):
                    value = as_dict.get(column)
                    shown = "" if value is None else str(value)
                    errors.append(
                        RowError(file_name, number, label_of.get(column, column), shown, reason)
                    )
                    ok = False
        rows.append(_Row(number, values, ok))
    report.rows = count
    return rows


def _key_positions(plan: _Plan) -> list[int]:
    names = [c.name for c in plan.columns]
    return [names.index(k) for k in plan.entity.key]


def _key_text(key: tuple) -> str:
    return " / ".join(str(part) for part in key)


def _check_duplicates(plan: _Plan, rows: list[_Row], report: ImportReport) -> None:
    positions = _key_positions(plan)
    seen: dict[tuple, int] = {}
    label = " + ".join(plan.labels[p] for p in positions)
    for row in rows:
        key = tuple(row.values[p] for p in positions)
        if None in key:
            continue
        first = seen.setdefault(key, row.number)
        if first != row.number:
            report.errors.append(
                RowError(
                    report.file_name,
                    row.number,
                    label,
                    _key_text(key),
                    f"duplicate {plan.entity.key_label} in the file (also on row {first})",
                )
            )


def _check_credit_shares(plan: _Plan, rows: list[_Row], report: ImportReport) -> None:
    """Owner and split credits of one deal may not add up to more than 100%."""
    names = [c.name for c in plan.columns]
    deal_i, role_i, share_i = names.index("deal"), names.index("role"), names.index("share")
    totals: dict[object, object] = {}
    for row in rows:
        if not row.ok or row.values[role_i] not in {"owner", "split"}:
            continue
        deal = row.values[deal_i]
        before = totals.get(deal, 0)
        totals[deal] = before + row.values[share_i]
        if totals[deal] > 1 >= before:  # report the row that crosses 100%, once per deal
            report.errors.append(
                RowError(
                    report.file_name,
                    row.number,
                    plan.labels[share_i],
                    str(row.values[share_i]),
                    f"owner and split shares of deal {deal!r} add up to {totals[deal]} "
                    "(more than 1) in this file",
                )
            )


def _spans(
    existing,
    rows: list[_Row],
    key_i: tuple[int, int, int],
    to_i: int | None,
    *,
    per_pair: bool = False,
):
    """(owner, other, valid_from) → (valid_to, row or None): the database as this file
    would change it (a row with the same key replaces the stored period), grouped by owner
    (or by (owner, other) with ``per_pair``: periods of one pair may not overlap)."""
    periods: dict[tuple, tuple] = {}
    for owner, other, start, end in existing:
        periods[(owner, other, start)] = (end, None)
    for row in rows:
        key = tuple(row.values[i] for i in key_i)
        end = row.values[to_i] if to_i is not None else periods.get(key, (None, None))[0]
        periods[key] = (end, row)
    by_owner: dict[object, list] = {}
    for (owner, other, start), (end, row) in periods.items():
        group = (owner, other) if per_pair else owner
        by_owner.setdefault(group, []).append((start, end, other, row))
    return by_owner


def _ends_later(end, other_end) -> bool:
    return end is None or end > other_end


def _report_overlaps(plan: _Plan, report: ImportReport, by_owner: dict, from_i: int, say):
    """An error on the file's row for every two periods of one owner that overlap;
    ``say(owner, other, start, until)`` words it."""
    for owner, spans in by_owner.items():
        spans.sort(key=lambda span: span[0])
        # Each period is compared with the one of those before it that ends last (an end of
        # None is open-ended), so an overlap with any earlier period is found.
        reach = None
        for second in spans:
            first = reach
            if first is None or (first[1] is not None and _ends_later(second[1], first[1])):
                reach = second
            if first is None or (first[1] is not None and first[1] <= second[0]):
                continue
            if second[3] is not None:
                blamed, other = second[3], first
            elif first[3] is not None:
                blamed, other = first[3], second
            else:
                continue  # an overlap already in the database; not this file's doing
            other_start, other_end, other_key, _ = other
            until = f" to {other_end}" if other_end else " (open-ended)"
            report.errors.append(
                RowError(
                    report.file_name,
                    blamed.number,
                    plan.labels[from_i],
                    str(blamed.values[from_i]),
                    say(owner, other_key, other_start, until),
                )
            )


def _check_membership_overlaps(plan: _Plan, rows: list[_Row], report: ImportReport) -> None:
    """A rep is a member of one team at a time: member periods (the database as changed by
    this file) must not overlap, or the hierarchy in force on a day would be ambiguous."""
    from attain.people.models import Rep, Team, TeamMembership

    names = [c.name for c in plan.columns]
    rep_i, team_i, role_i = names.index("rep"), names.index("team"), names.index("role")
    from_i = names.index("valid_from")
    to_i = names.index("valid_to") if "valid_to" in names else None
    members = [r for r in rows if r.values[role_i] == TeamMembership.Role.MEMBER]
    if not members:
        return
    existing = TeamMembership.objects.filter(
        rep_id__in={r.values[rep_i] for r in members}, role=TeamMembership.Role.MEMBER
    ).values_list("rep_id", "team_id", "valid_from", "valid_to")
    by_rep = _spans(existing, members, (rep_i, team_i, from_i), to_i)
    rep_ids = dict(Rep.objects.filter(id__in=by_rep).values_list("id", "external_id"))
    team_ids = dict(Team.objects.values_list("id", "external_id"))

    def say(rep, team, start, until):
        return (
            f"overlaps {rep_ids.get(rep, rep)}'s membership of {team_ids.get(team, team)} "
            f"from {start}{until}; a rep is a member of one team at a time: end that period "
            "(valid_to) first"
        )

    _report_overlaps(plan, report, by_rep, from_i, say)


def _check_plan_assignments(plan: _Plan, rows: list[_Row], report: ImportReport) -> None:
    """Each plan id must be a plan in the app, and a rep is on one plan at a time."""
    from attain.people.models import Rep
    from attain.plans.models import PlanAssignment, PlanDocument

    names = [c.name for c in plan.columns]
    rep_i, plan_i, from_i = names.index("rep"), names.index("plan_id"), names.index("valid_from")
    to_i = names.index("valid_to") if "valid_to" in names else None
    known = set(PlanDocument.objects.values_list("plan_id", flat=True))
    for row in rows:
        if row.values[plan_i] not in known:
            report.errors.append(
                RowError(
                    report.file_name,
                    row.number,
                    plan.labels[plan_i],
                    str(row.values[plan_i]),
                    "no plan with this id; add the plan first (Plans page or POST /api/plans)",
                )
            )
    existing = PlanAssignment.objects.filter(
        rep_id__in={r.values[rep_i] for r in rows}
    ).values_list("rep_id", "plan_id", "valid_from", "valid_to")
    by_rep = _spans(existing, rows, (rep_i, plan_i, from_i), to_i)
    rep_ids = dict(Rep.objects.filter(id__in=by_rep).values_list("id", "external_id"))

    def say(rep, plan_id, start, until):
        return (
            f"overlaps {rep_ids.get(rep, rep)}'s assignment to {plan_id} from {start}{until}; "
            "a rep is paid on one plan at a time: end that assignment (valid_to) first"
        )

    _report_overlaps(plan, report, by_rep, from_i, say)


def _check_fx_overlaps(plan: _Plan, rows: list[_Row], report: ImportReport) -> None:
    """One rate per currency pair on a day (the database as changed by this file): two
    would make the conversion of a credit ambiguous, and the engine refuses them."""
    from attain.sales.models import FxRate

    names = [c.name for c in plan.columns]
    from_i, to_i = names.index("from_currency"), names.index("to_currency")
    start_i = names.index("valid_from")
    end_i = names.index("valid_to") if "valid_to" in names else None
    pairs = {(row.values[from_i], row.values[to_i]) for row in rows}
    existing = [
        stored
        for stored in FxRate.objects.filter(
            from_currency__in={source for source, _ in pairs}
        ).values_list("from_currency", "to_currency", "valid_from", "valid_to")
        if stored[:2] in pairs
    ]
    by_pair = _spans(existing, rows, (from_i, to_i, start_i), end_i, per_pair=True)

    def say(pair, _target, start, until):
        return (
            f"overlaps the {pair[0]} → {pair[1]} rate from {start}{until}; one rate per "
            "currency pair is in force on a day: end that rate (valid_to) first"
        )

    _report_overlaps(plan, report, by_pair, start_i, say)


# --- references ------------------------------------------------------------------------


def _lookup_external_ids(model: type[models.Model], values: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(values)
    for chunk in _chunks(ordered, _chunk_size()):
        found.update(model.objects.filter(external_id__in=chunk).values_list("external_id", "id"))
    return found


def _lookup_any(
    model: type[models.Model], values: set[str], fields: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, str]]:
    """Match by external id, else (case-insensitively) by each other field in turn.
    Returns (matches, ambiguous value -> reason)."""
    found = _lookup_external_ids(model, values)
    ambiguous: dict[str, str] = {}
    rest = {v for v in values if v not in found}
    other = [f for f in fields if f != "external_id"]
    if not rest or not other:
        return found, ambiguous
    indexes: dict[str, dict[str, set[int]]] = {f: {} for f in other}
    for row in model.objects.values_list("id", *other):
        for f, value in zip(other, row[1:], strict=True):
            if value:
                indexes[f].setdefault(str(value).strip().lower(), set()).add(row[0])
    for value in rest:
        needle = value.strip().lower()
        for f in other:
            ids = indexes[f].get(needle)
            if not ids:
                continue
            if len(ids) > 1:
                ambiguous[value] = f"ambiguous: {len(ids)} records have this {f}"
            else:
                found[value] = next(iter(ids))
            break
    return found, ambiguous


def _check_cycles(plan: _Plan, rows: list[_Row], report: ImportReport, j: int, key_i: int):
    """A parent chain (database as changed by this file) must not loop."""
    model = plan.entity.model
    field_name = model._meta.get_field(plan.columns[j].attname).name
    parents = dict(model.objects.values_list("external_id", f"{field_name}__external_id"))
    parents.update({row.values[key_i]: row.values[j] for row in rows if row.ok})
    for row in rows:
        start = row.values[key_i]
        if not row.ok or row.values[j] is None:
            continue
        chain, node = [start], parents.get(start)
        while node is not None and node not in chain and len(chain) <= len(parents):
            chain.append(node)
            node = parents.get(node)
        if node == start:
            report.errors.append(
                RowError(
                    report.file_name,
                    row.number,
                    plan.labels[j],
                    str(row.values[j]),
                    "parent loop: " + " → ".join([*chain, start]),
                )
            )


def _resolve_references(plan: _Plan, rows: list[_Row], report: ImportReport) -> None:
    entity = plan.entity
    lookups = plan.preset.lookups if plan.preset else {}
    for j, column in enumerate(plan.columns):
        if column.kind not in (REF, REFS):
            continue
        target = ENTITIES[column.ref]
        noun = target.name.rstrip("s") if target.name != "territories" else "territory"
        if column.kind == REF:
            wanted = {row.values[j] for row in rows if row.values[j] is not None}
        else:
            wanted = {v for row in rows if row.values[j] for v in row.values[j]}
        fields = lookups.get(column.name, ("external_id",))
        found, ambiguous = _lookup_any(target.model, wanted, fields)
        if target is entity:
            # Self references (a team's parent) may point at rows of the same file; they
            # are kept as external ids and written after the rows themselves.
            key_i = _key_positions(plan)[0]
            in_file = {row.values[key_i] for row in rows}
            found = {v: v for v in wanted if v in found or v in in_file}
            _check_cycles(plan, rows, report, j, key_i)
        spelled = [f.replace("_", " ") for f in fields]
        how = spelled[0] if len(spelled) == 1 else f"{', '.join(spelled[:-1])} or {spelled[-1]}"
        where = "in the database or this file" if target is entity else "in the database"
        for row in rows:
            value = row.values[j]
            if value is None or value == ():
                continue
            if column.kind == REF:
                resolved = found.get(value)
                if resolved is None:
                    reason = ambiguous.get(value) or (
                        f"unknown {column.name}: no {noun} with this {how} {where}"
                    )
                    report.errors.append(
                        RowError(report.file_name, row.number, plan.labels[j], value, reason)
                    )
                else:
                    row.values[j] = resolved
            else:
                missing = [v for v in value if v not in found]
                if missing:
                    report.errors.append(
                        RowError(
                            report.file_name,
                            row.number,
                            plan.labels[j],
                            " ".join(missing),
                            f"unknown {noun}(s): no {noun} with this external id {where}",
                        )
                    )
                else:
                    row.values[j] = frozenset(found[v] for v in value)


# --- existing rows, classification and writing -----------------------------------------


class _Shape:
    """How the entity's columns map onto model attributes for comparing and writing."""

    def __init__(self, plan: _Plan):
        entity = plan.entity
        self.model = entity.model
        self.key_pos = _key_positions(plan)
        key_columns = [plan.columns[p] for p in self.key_pos]
        self.key_attnames = [c.attname for c in key_columns]
        self.key_fields = [self.model._meta.get_field(a).name for a in self.key_attnames]
        self.compare_pos: list[int] = []
        self.compare_lookups: list[str] = []
        self.self_ref_pos: int | None = None
        self.m2m_pos: int | None = None
        self.m2m_column: Column | None = None
        for j, column in enumerate(plan.columns):
            if j in self.key_pos:
                continue
            if column.kind == REFS:
                self.m2m_pos, self.m2m_column = j, column
                continue
            self.compare_pos.append(j)
            if column.kind == REF and ENTITIES[column.ref] is entity:
                self.self_ref_pos = j
                field_name = self.model._meta.get_field(column.attname).name
                self.compare_lookups.append(f"{field_name}__external_id")
            else:
                self.compare_lookups.append(column.attname)
        self.names = [c.name for c in plan.columns]
        self.write_pos = [j for j in self.compare_pos if j != self.self_ref_pos]
        self.attnames = {j: plan.columns[j].attname for j in range(len(plan.columns))}
        self.constants = entity.constants
        self.update_by_pk = entity.update_by_pk
        auto_now = [
            f.name for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)
        ]
        self.update_fields = [
            self.model._meta.get_field(self.attnames[j]).name for j in self.write_pos
        ] + auto_now


def _load_existing(shape: _Shape, rows: list[_Row]) -> dict[tuple, tuple]:
    """Existing rows by natural key: key -> (pk, compared values...)."""
    model = shape.model
    first = shape.key_attnames[0]
    wanted = sorted({row.values[shape.key_pos[0]] for row in rows}, key=str)
    wanted_keys = {tuple(row.values[p] for p in shape.key_pos) for row in rows}
    nkey = len(shape.key_attnames)
    existing: dict[tuple, tuple] = {}
    columns = ("pk", *shape.key_attnames, *shape.compare_lookups)
    if model.objects.count() <= 3 * len(wanted):
        # Reading the whole table beats building thousands of IN (...) parameters.
        queries = [model.objects.values_list(*columns)]
    else:
        queries = [
            model.objects.filter(**{f"{first}__in": chunk}).values_list(*columns)
            for chunk in _chunks(wanted, _chunk_size())
        ]
    places = {}
    for i, name in enumerate(columns):
        field = model._meta.pk if name == "pk" else _field_or_none(model, name)
        if isinstance(field, models.DecimalField):
            places[i] = field.decimal_places
    for query in queries:
        for record in _records(query, places):
            key = tuple(record[1 : 1 + nkey])
            if key in wanted_keys:
                existing[key] = (record[0], *record[1 + nkey :])
    return existing


def _field_or_none(model: type[models.Model], name: str):
    try:
        return model._meta.get_field(name)
    except Exception:  # a lookup across a relation, e.g. parent__external_id
        return None


def _records(query, places: dict[int, int]) -> Iterable[tuple]:
    """The rows of a values_list query. On SQLite they are fetched raw and only the decimal
    columns converted (SQLite hands back REAL/INTEGER): Django's per-value converters made
    this the slowest step of a re-import. Dates already come back as dates (the backend
    registers a converter), and PostgreSQL returns Decimal and date natively."""
    if connection.vendor != "sqlite":
        return query
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        records = cursor.fetchall()
    if not places:
        return records
    quanta = [(i, Decimal(1).scaleb(-p)) for i, p in places.items()]
    converted = []
    for record in records:
        record = list(record)
        for i, quantum in quanta:
            value = record[i]
            if value is not None:
                number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
                record[i] = number.quantize(quantum)
        converted.append(tuple(record))
    return converted


def _load_m2m(shape: _Shape, pks: list[int]) -> dict[int, frozenset]:
    field = shape.model._meta.get_field(shape.m2m_column.name)
    through = field.remote_field.through
    source = field.m2m_field_name() + "_id"
    target = field.m2m_reverse_field_name() + "_id"
    sets: dict[int, set] = {pk: set() for pk in pks}
    for chunk in _chunks(pks, _chunk_size()):
        for owner, other in through.objects.filter(**{f"{source}__in": chunk}).values_list(
            source, target
        ):
            sets[owner].add(other)
    return {pk: frozenset(s) for pk, s in sets.items()}


def _classify(shape: _Shape, rows: list[_Row], existing: dict, report: ImportReport):
    created: list[_Row] = []
    updated: list[_Row] = []
    m2m_existing: dict[int, frozenset] = {}
    if shape.m2m_pos is not None:
        m2m_existing = _load_m2m(shape, [v[0] for v in existing.values()])
    outcomes = report.outcomes
    compare_pos = shape.compare_pos
    for row in rows:
        values = row.values
        key = tuple(values[p] for p in shape.key_pos)
        current = existing.get(key)
        changed: tuple[str, ...] = ()
        if current is None:
            created.append(row)
            outcome = "created"
        else:
            new = tuple(values[j] for j in compare_pos)
            if new != current[1:]:
                changed = tuple(
                    shape.names[j]
                    for j, old in zip(compare_pos, current[1:], strict=True)
                    if values[j] != old
                )
            m2m = shape.m2m_pos
            if (
                m2m is not None
                and values[m2m] is not None
                and values[m2m] != m2m_existing.get(current[0], frozenset())
            ):
                changed = (*changed, shape.names[m2m])
            if changed:
                row.pk = current[0]
                row.changed = changed
                updated.append(row)
                outcome = "updated"
            else:
                outcome = "unchanged"
        if len(outcomes) < OUTCOME_CAP:
            outcomes.append(RowOutcome(row.number, _key_text(key), outcome, changed))
    report.created = len(created)
    report.updated = len(updated)
    report.unchanged = len(rows) - len(created) - len(updated)
    return created, updated


def _instances(shape: _Shape, rows: list[_Row]) -> list[models.Model]:
    model = shape.model
    attnames = [shape.attnames[j] for j in shape.key_pos + shape.write_pos]
    positions = shape.key_pos + shape.write_pos
    return [
        model(
            **{a: row.values[j] for a, j in zip(attnames, positions, strict=True)},
            **shape.constants,
        )
        for row in rows
    ]


# "sql" writes with one prepared INSERT ... ON CONFLICT (natural key) DO UPDATE statement
# (executemany on SQLite, multi-row VALUES on PostgreSQL). "orm" uses bulk_create(...,
# update_conflicts=True), which does the same in SQL but prepares every value through the
# field machinery: about 6x slower on 100,000 deals (docs/benchmarks.md).
WRITER = "sql"
PG_ROWS_PER_STATEMENT = 500
SQLITE_IMPORT_CACHE_KIB = -262144  # negative: KiB, i.e. up to 256 MiB


def _write(shape: _Shape, created: list[_Row], updated: list[_Row]) -> None:
    if shape.update_by_pk:
        _write_sql(shape, created, upsert=False)
        _update_by_pk(shape, updated)
    elif WRITER == "orm":
        _write_orm(shape, created, updated)
    else:
        _write_sql(shape, created, upsert=False)
        _write_sql(shape, updated, upsert=True)
    if shape.self_ref_pos is not None or shape.m2m_pos is not None:
        _write_after(shape, [*created, *updated])


def _write_sql(shape: _Shape, rows: list[_Row], *, upsert: bool) -> None:
    """Insert new rows, or upsert changed ones by natural key, with raw parameters (Decimal,
    date, str, int, None go to the driver as they are, as the ORM would pass them).

    New rows get a plain INSERT: ON CONFLICT DO UPDATE costs SQLite twice the time per row,
    and we already know these keys are absent. Should another writer add one of them in the
    meantime, the unique index refuses it and the whole import rolls back."""
    if not rows:
        return
    from django.utils import timezone

    model, ops = shape.model, connection.ops
    opts = model._meta
    positions = shape.key_pos + shape.write_pos
    fields = [opts.get_field(shape.attnames[j]) for j in positions]
    written = {f.attname for f in fields}
    constants: list[object] = []
    constant_fields = []
    now = timezone.now()
    updated_columns = [f.column for f in fields[len(shape.key_pos) :]]
    for field in opts.concrete_fields:
        if field.primary_key or field.attname in written:
            continue
        if field.attname in shape.constants:
            value = shape.constants[field.attname]
            updated_columns.append(field.column)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
            if field.auto_now:
                updated_columns.append(field.column)
        else:
            value = field.get_default()
        constant_fields.append(field)
        constants.append(field.get_db_prep_save(value, connection))
    columns = [f.column for f in fields] + [f.column for f in constant_fields]
    quote = ops.quote_name
    key_columns = [opts.get_field(a).column for a in shape.key_attnames]
    if updated_columns:
        conflict = "DO UPDATE SET " + ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updated_columns
        )
    else:
        conflict = "DO NOTHING"
    head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    tail = f" ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) {conflict}"
    if not upsert:
        tail = ""
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    constants_tuple = tuple(constants)
    pick = itemgetter(*positions) if len(positions) > 1 else lambda v: (v[positions[0]],)
    params = [pick(row.values) + constants_tuple for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # With the default 2 MB page cache a large import thrashes the deal indexes (the
            # write got several times slower per row at 100,000 rows than at 20,000); let
            # this connection's cache grow while writing, then put it back.
            cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {SQLITE_IMPORT_CACHE_KIB}")
            try:
                cursor.executemany(head + one + tail, params)
            finally:
                cursor.execute(f"PRAGMA cache_size = {int(cache)}")
            return
        if connection.vendor == "postgresql":
            _copy_upsert(cursor, opts.db_table, columns, params, tail)
            return
        for chunk in _chunks(params, PG_ROWS_PER_STATEMENT):
            sql = head + ", ".join([one] * len(chunk)) + tail
            cursor.execute(sql, [value for row in chunk for value in row])


def _copy_upsert(cursor, table: str, columns: list[str], params: list[tuple], tail: str):
    """PostgreSQL: COPY the rows into a temporary table (binary-fast, no SQL text to build
    or parse per value), then one INSERT ... SELECT ... ON CONFLICT into the real table."""
    quote = connection.ops.quote_name
    scratch = quote(f"attain_import_{table}")
    column_list = ", ".join(quote(c) for c in columns)
    cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
        f"SELECT {column_list} FROM {quote(table)} WITH NO DATA"
    )
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(f"COPY {scratch} ({column_list}) FROM STDIN") as copy:
        for row in params:
            copy.write_row(row)
    cursor.execute(
        f"INSERT INTO {quote(table)} ({column_list}) SELECT {column_list} FROM {scratch}{tail}"
    )
    cursor.execute(f"DROP TABLE {scratch}")


def _update_by_pk(shape: _Shape, rows: list[_Row]) -> None:
    """Changed rows of an entity whose natural key has no unique constraint (so no ON
    CONFLICT): update them by the primary key found when they were classified."""
    if not rows:
        return
    from django.utils import timezone

    model = shape.model
    now = timezone.now()
    auto_now = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    objs = []
    for row in rows:
        values = {shape.attnames[j]: row.values[j] for j in shape.write_pos}
        values.update(shape.constants)
        values.update(dict.fromkeys(auto_now, now))
        objs.append(model(pk=row.pk, **values))
    fields = [model._meta.get_field(shape.attnames[j]).name for j in shape.write_pos] + [
        model._meta.get_field(a).name for a in [*shape.constants, *auto_now]
    ]
    model.objects.bulk_update(objs, fields, batch_size=WRITE_BATCH)


def _write_orm(shape: _Shape, created: list[_Row], updated: list[_Row]) -> None:
    manager = shape.model.objects
    if created:
        manager.bulk_create(_instances(shape, created), batch_size=WRITE_BATCH)
    if updated and shape.update_fields:
        manager.bulk_create(
            _instances(shape, updated),
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=shape.key_fields,
            update_fields=shape.update_fields
            + [shape.model._meta.get_field(a).name for a in shape.constants],
        )


def _write_after(shape: _Shape, rows: list[_Row]) -> None:
    """Self references and account lists need the rows' primary keys first."""
    model = shape.model
    key_pos = shape.key_pos[0]
    if shape.self_ref_pos is not None:
        j = shape.self_ref_pos
        wanted = {row.values[key_pos] for row in rows} | {
            row.values[j] for row in rows if row.values[j]
        }
        ids = _lookup_external_ids(model, wanted)
        objs = []
        for row in rows:
            parent = row.values[j]
            objs.append(
                model(
                    pk=ids[row.values[key_pos]],
                    **{shape.attnames[j]: ids[parent] if parent else None},
                )
            )
        field_name = model._meta.get_field(shape.attnames[j]).name
        model.objects.bulk_update(objs, [field_name], batch_size=WRITE_BATCH)
    if shape.m2m_pos is not None:
        j = shape.m2m_pos
        with_list = [row for row in rows if row.values[j] is not None]
        if not with_list:
            return
        ids = _lookup_external_ids(model, {row.values[key_pos] for row in with_list})
        field = model._meta.get_field(shape.m2m_column.name)
        through = field.remote_field.through
        source = field.m2m_field_name() + "_id"
        target = field.m2m_reverse_field_name() + "_id"
        owners = [ids[row.values[key_pos]] for row in with_list]
        for chunk in _chunks(owners, _chunk_size()):
            through.objects.filter(**{f"{source}__in": chunk}).delete()
        links = [
            through(**{source: ids[row.values[key_pos]], target: other})
            for row in with_list
            for other in sorted(row.values[j])
        ]
        through.objects.bulk_create(links, batch_size=WRITE_BATCH)


def run(
    entity: Entity, table: Table, *, preset: Preset | None, dry_run: bool, report: ImportReport
) -> None:
    """Validate, classify and (unless dry run or invalid) write. Fills ``report``."""
    # Hundreds of thousands of small lists and tuples stay alive until the end; the cyclic
    # garbage collector would rescan them over and over (quadratic time) for no gain.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _run(entity, table, preset=preset, dry_run=dry_run, report=report)
    finally:
        if collecting:
            gc.enable()


def _run(
    entity: Entity, table: Table, *, preset: Preset | None, dry_run: bool, report: ImportReport
) -> None:
    plan = _map_header(entity, preset, table, report)
    if plan is None:
        return
    rows = _convert_rows(plan, table, report)
    if report.rows == 0 and not report.errors:
        report.errors.append(
            RowError(table.file_name, None, None, None, "the file has a header but no data rows")
        )
        return
    _check_duplicates(plan, rows, report)
    if entity.name == "credits":
        _check_credit_shares(plan, rows, report)
    # References are checked on every row, even one with other errors, so that a single
    # pass lists every problem.
    _resolve_references(plan, rows, report)
    if entity.name == "team_memberships" and not report.errors:
        _check_membership_overlaps(plan, rows, report)
    if entity.name == "plan_assignments" and not report.errors:
        _check_plan_assignments(plan, rows, report)
    if entity.name == "fx_rates" and not report.errors:
        _check_fx_overlaps(plan, rows, report)
    if report.errors:
        report.errors.sort(key=lambda e: e.row or 0)  # stable: a row's errors stay in order
        return
    shape = _Shape(plan)
    existing = _load_existing(shape, rows)
    created, updated = _classify(shape, rows, existing, report)
    if dry_run or not (created or updated):
        return
    with transaction.atomic():
        _write(shape, created, updated)
        if entity.name == "deals":
            _record_stage_changes(shape, updated)


def _record_stage_changes(shape: _Shape, updated: list[_Row]) -> None:
    """A deal whose stage the import changed entered the new stage today (the first day
    Attain saw it there). New deals get no history here: the export does not say when they
    reached their stage (the deal_stages import brings that)."""
    if "stage" not in shape.names:
        return
    from attain.people.selectors import today
    from attain.sales.models import DealStageChange

    j = shape.names.index("stage")
    day = today()
    changes = [
        DealStageChange(deal_id=row.pk, stage=row.values[j], entered_on=day)
        for row in updated
        if "stage" in row.changed and row.values[j]
    ]
    DealStageChange.objects.bulk_create(changes, batch_size=WRITE_BATCH, ignore_conflicts=True)
