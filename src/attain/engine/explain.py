"""One plain sentence per earning line, built from the line's own columns.

This is the readable definition of every sentence, used by the oracle and for small
results; ``explain_sql.py`` builds the same text in DuckDB for large ones. Because a
sentence is made from the line's columns, it can never disagree with the numbers beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from .money import round_money

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


def money(value: Decimal, currency: str) -> str:
    """Half-even to the cent, thousands separators, and no ``.00`` on whole amounts."""
    symbol = SYMBOLS.get(currency, f"{currency} ")
    cents = round_money(value)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    text = f"{cents:,.0f}" if cents == cents.to_integral_value() else f"{cents:,.2f}"
    return f"{sign}{symbol}{text}"


def number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def percent(value: Decimal) -> str:
    return f"{number(value)}%"


def _measure(value: Decimal, line: dict) -> str:
    if line["rate_kind"] == "per_unit":
        return f"{number(value)} unit" if value == 1 else f"{number(value)} units"
    return money(value, line["currency"])


def tier_range(line: dict) -> str:
    low, high = line["tier_from"], line["tier_to"]
    if line["basis"] == "attainment":
        if high is None:
            return f"{percent(low)} of quota and above"
        return f"{number(low)}–{percent(high)} of quota"
    if line["rate_kind"] == "per_unit":
        return (
            f"{number(low)} units and above"
            if high is None
            else f"{number(low)}–{number(high)} units"
        )
    currency = line["currency"]
    if high is None:
        return f"{money(low, currency)} and above"
    return f"{money(low, currency)}–{money(high, currency)}"


def rate_text(line: dict, column: str = "rate") -> str:
    kind = line["rate_kind"]
    if kind == "percent":
        return percent(line[column])
    if kind == "per_unit":
        return f"{money(line[column], line['currency'])} per unit"
    if kind == "per_deal":
        return f"{money(line[column], line['currency'])} per deal"
    return percent(line[column])


def _modifiers(line: dict) -> str:
    notes = []
    if line["gated"]:
        notes.append("Not paid: the attainment gate for this period was not met.")
    elif line["multiplier"] is not None and line["multiplier"] != 1:
        notes.append(f"Includes a multiplier of {number(line['multiplier'])}.")
    if line["cap_reduction"]:
        notes.append(
            f"The cap reduces it by {money(line['cap_reduction'], line['currency'])} "
            f"to {money(line['amount'], line['currency'])}."
        )
    if line["proration"] is not None and line["proration"] != 1:
        notes.append(
            f"Quota and target incentive are prorated to {percent(line['proration'] * 100)}."
        )
    if line["deal_currency"] is not None and line["deal_currency"] != line["currency"]:
        notes.append(_converted(line))
    return "".join(f" {n}" for n in notes)


def _converted(line: dict) -> str:
    source, rate = line["deal_currency"], number(line["fx_rate"])
    via = line["fx_via"]
    if via is None:
        return f"Converted from {source} at {rate}."
    return (
        f"Converted from {source} at {rate} via {via} ({source}→{via} "
        f"{number(line['fx_rate_to_via'])} × {via}→{line['currency']} "
        f"{number(line['fx_rate_from_via'])})."
    )


# The total that picks a cumulative retroactive tier, by ``evaluation``.
TOTAL_NAMES = {"cumulative": "period total", "cumulative_ytd": "year-to-date total"}


def _earning(line: dict) -> str:
    cur = line["currency"]
    amount = money(line["amount_before_cap"], cur)
    deal = line["deal_id"]
    base = _measure(line["base"], line)
    tier = f"tier {line['tier']} ({tier_range(line)})"
    if line["semantic"] == "interpolated":
        return (
            f"{base} of deal {deal} fell in curve segment {line['tier']} ({tier_range(line)}), "
            f"where payout rises from {percent(line['rate_from'])} to {percent(line['rate'])} "
            f"of the {money(line['target_incentive'], cur)} target incentive: {amount}."
        )
    if line["semantic"] == "marginal":
        return f"{base} of deal {deal} fell in {tier} at {rate_text(line)}: {amount}."
    if line["evaluation"] in TOTAL_NAMES:
        total = _measure(line["period_total"], line)
        return (
            f"Deal {deal} ({base}) is paid at the rate of {tier}, reached by the "
            f"{TOTAL_NAMES[line['evaluation']]} of {total}: {rate_text(line)} = {amount}."
        )
    return f"Deal {deal} ({base}) falls in {tier} at {rate_text(line)}: {amount}."


def _true_up(line: dict) -> str:
    cur = line["currency"]
    return (
        f"True-up: deal {line['deal_id']} ({_measure(line['base'], line)}), paid at "
        f"{rate_text(line, 'rate_from')} in an earlier period of the year, is re-rated at "
        f"{rate_text(line)}, the rate of tier {line['tier']} ({tier_range(line)}) reached by "
        f"the year-to-date total of {_measure(line['period_total'], line)}: "
        f"{money(line['amount_before_cap'], cur)}."
    )


def _spiff(line: dict) -> str:
    cur = line["currency"]
    if line["rate_kind"] == "spiff_fixed":
        how = f"{money(line['rate'], cur)} per deal × {percent(line['base'] * 100)} credit share"
    else:
        how = f"{percent(line['rate'])} of {money(line['base'], cur)}"
    return (
        f"SPIFF {line['component_id']}: deal {line['deal_id']} closed on {line['event_date']} "
        f"within the SPIFF window: {how} = {money(line['amount'], cur)}."
    )


def _clawback(line: dict) -> str:
    cur = line["currency"]
    what = "SPIFF" if line["tier"] is None else f"tier {line['tier']}"
    # A reversed true-up: a retroactive line that has the rate it was re-rated from.
    true_up = line["semantic"] == "retroactive" and line["rate_from"] is not None
    return (
        f"Clawback: deal {line['deal_id']} was cancelled on {line['event_date']}, within the "
        f"clawback window; this reverses the {money(-line['amount'], cur)}"
        f"{' true-up' if true_up else ''} it earned ({line['component_id']}, {what})."
    )


def _floor(line: dict) -> str:
    cur = line["currency"]
    if line["rate_kind"] == "plan_floor":
        return (
            f"Plan floor: the plan's components paid {money(line['base'], cur)} in this period, "
            f"below the plan's floor of {money(line['rate'], cur)}: topped up by "
            f"{money(line['amount'], cur)}."
        )
    if line["rate_kind"] == "plan_year_floor":
        return (
            f"Annual plan floor: the plan's components paid {money(line['base'], cur)} in "
            f"{line['event_date'].year}, below the plan's annual floor of "
            f"{money(line['rate'], cur)}: topped up by {money(line['amount'], cur)} in the "
            f"year's last period."
        )
    return (
        f"Floor: {line['component_id']} paid {money(line['base'], cur)} in this period, below "
        f"its floor of {money(line['rate'], cur)}: topped up by {money(line['amount'], cur)}."
    )


def _draw(line: dict) -> str:
    cur = line["currency"]
    if line["rate_kind"] == "recoverable":
        return (
            f"Recoverable draw of {money(line['rate'], cur)}: net pay this period was "
            f"{money(line['base'], cur)}, so the draw advances {money(line['amount'], cur)}, "
            f"recovered later from pay above the draw; outstanding balance "
            f"{money(line['period_total'], cur)}."
        )
    return (
        f"Guaranteed pay (non-recoverable draw) of {money(line['rate'], cur)}: net pay this "
        f"period was {money(line['base'], cur)}, so the guarantee adds "
        f"{money(line['amount'], cur)}, never recovered."
    )


def _draw_recovery(line: dict) -> str:
    cur = line["currency"]
    if line["rate"] == 0:
        return (
            f"Draw recovery: no draw this period; {money(-line['amount'], cur)} of the net pay "
            f"of {money(line['base'], cur)} recovers the outstanding draw balance, now "
            f"{money(line['period_total'], cur)}."
        )
    return (
        f"Draw recovery: net pay this period was {money(line['base'], cur)}, "
        f"{money(line['base'] - line['rate'], cur)} above the draw of "
        f"{money(line['rate'], cur)}; {money(-line['amount'], cur)} of it recovers the "
        f"outstanding draw balance, now {money(line['period_total'], cur)}."
    )


# Pay on cash: what a deal is released on, per mode (``rate_kind`` of the cash lines), and
# what takes it back (a credit note, a refund).
CASH_DONE = {"invoice": "invoiced", "collection": "collected"}
CASH_UNDONE = {"invoice": "credited back", "collection": "refunded"}


def _hold(line: dict) -> str:
    cur, deal_cur = line["currency"], line["deal_currency"] or line["currency"]
    return (
        f"Pay on {line['rate_kind']}: the {money(line['rate'], cur)} deal {line['deal_id']} "
        f"earned ({line['component_id']}) is held, and released as the "
        f"{money(line['rate_from'], deal_cur)} deal is {CASH_DONE[line['rate_kind']]}."
    )


def _release(line: dict) -> str:
    cur, deal_cur = line["currency"], line["deal_currency"] or line["currency"]
    if line["base"] < 0:  # a day of credit notes (refunds): the release shrinks
        return (
            f"Deal {line['deal_id']}: {money(-line['base'], deal_cur)} "
            f"{CASH_UNDONE[line['rate_kind']]} by {line['event_date']}, "
            f"{money(line['period_total'], deal_cur)} of {money(line['rate_from'], deal_cur)} "
            f"{CASH_DONE[line['rate_kind']]} so far, takes back "
            f"{money(-line['amount'], cur)} of the {money(line['rate'], cur)} it earned "
            f"({line['component_id']})."
        )
    return (
        f"Deal {line['deal_id']}: {money(line['base'], deal_cur)} "
        f"{CASH_DONE[line['rate_kind']]} by {line['event_date']}, "
        f"{money(line['period_total'], deal_cur)} of {money(line['rate_from'], deal_cur)} "
        f"so far, releases {money(line['amount'], cur)} of the {money(line['rate'], cur)} "
        f"it earned ({line['component_id']})."
    )


def _hold_reversal(line: dict) -> str:
    cur = line["currency"]
    return (
        f"Deal {line['deal_id']} was cancelled on {line['event_date']}: the clawback reverses "
        f"the {money(line['rate'], cur)} it earned ({line['component_id']}), of which "
        f"{money(line['base'], cur)} was released; the {money(line['amount'], cur)} still "
        f"held is never paid, so the hold is lifted."
    )


CASH_SENTENCES = {"hold": _hold, "release": _release, "hold_reversal": _hold_reversal}


def explain_line(line: dict) -> str:
    if line["line_kind"] in CASH_SENTENCES:
        return CASH_SENTENCES[line["line_kind"]](line)
    if line["line_kind"] == "draw":
        return _draw(line)
    if line["line_kind"] == "draw_recovery":
        return _draw_recovery(line)
    if line["line_kind"] == "floor":
        return _floor(line)
    if line["line_kind"] == "spiff":
        return _spiff(line)
    if line["line_kind"] == "clawback":
        return _clawback(line)
    if line["line_kind"] == "true_up":
        return _true_up(line) + _modifiers(line)
    return _earning(line) + _modifiers(line)


EXPLAINED_BY = [
    "line_kind", "component_id", "deal_id", "event_date", "tier", "basis", "semantic",
    "evaluation", "rate_kind", "tier_from", "tier_to", "rate_from", "rate", "base",
    "period_total", "target_incentive", "proration", "multiplier", "gated",
    "deal_currency", "fx_rate", "fx_via", "fx_rate_to_via", "fx_rate_from_via",
    "amount_before_cap", "cap_reduction", "amount", "currency",
]  # fmt: skip


def add_explanations(lines: pa.Table) -> pa.Table:
    # Only the columns a sentence uses are converted to Python, column by column.
    columns = [lines[name].to_pylist() for name in EXPLAINED_BY]
    texts = [
        explain_line(dict(zip(EXPLAINED_BY, row, strict=True)))
        for row in zip(*columns, strict=True)
    ]
    index = lines.schema.get_field_index("explanation")
    array = pa.array(texts, type=pa.string())
    if index >= 0:
        return lines.set_column(index, "explanation", array)
    return lines.append_column("explanation", array)
