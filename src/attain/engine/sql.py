"""Small builders of sqlglot expressions, so that no SQL is ever pasted from strings."""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

HUGEINT = exp.DataType.build("INT128")


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def num(value: int | Decimal | str) -> exp.Literal:
    return exp.Literal.number(str(value))


def text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def null() -> exp.Null:
    return exp.Null()


def true() -> exp.Boolean:
    return exp.Boolean(this=True)


def false() -> exp.Boolean:
    return exp.Boolean(this=False)


def decimal_type(precision: int, scale: int) -> exp.DataType:
    return exp.DataType.build(f"DECIMAL({precision}, {scale})")


def cast(expression: exp.Expression, to: exp.DataType | str) -> exp.Cast:
    target = to if isinstance(to, exp.DataType) else exp.DataType.build(to)
    return exp.Cast(this=expression, to=target)


def dec(value: Decimal | int | None, precision: int, scale: int) -> exp.Expression:
    if value is None:
        return cast(null(), decimal_type(precision, scale))
    return cast(text(str(value)), decimal_type(precision, scale))


def date(value) -> exp.Cast:
    return cast(text(value.isoformat()), "DATE")


def paren(expression: exp.Expression) -> exp.Paren:
    return exp.Paren(this=expression)


def add(*terms: exp.Expression) -> exp.Expression:
    result = terms[0]
    for term in terms[1:]:
        result = exp.Add(this=result, expression=term)
    return paren(result)


def sub(left: exp.Expression, right: exp.Expression) -> exp.Expression:
    return paren(exp.Sub(this=left, expression=right))


def mul(*factors: exp.Expression) -> exp.Expression:
    result = factors[0]
    for factor in factors[1:]:
        result = exp.Mul(this=result, expression=factor)
    return paren(result)


def neg(expression: exp.Expression) -> exp.Expression:
    return exp.Neg(this=paren(expression))


def and_(*conditions: exp.Expression) -> exp.Expression:
    conditions = [c for c in conditions if c is not None]
    if not conditions:
        return true()
    result = conditions[0]
    for condition in conditions[1:]:
        result = exp.And(this=result, expression=condition)
    return paren(result)


def or_(*conditions: exp.Expression) -> exp.Expression:
    result = conditions[0]
    for condition in conditions[1:]:
        result = exp.Or(this=result, expression=condition)
    return paren(result)


def eq(left: exp.Expression, right: exp.Expression) -> exp.EQ:
    return exp.EQ(this=left, expression=right)


def case(whens: list[tuple[exp.Expression, exp.Expression]], default: exp.Expression) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in whens], default=default)


def greatest(*args: exp.Expression) -> exp.Expression:
    return exp.Greatest(this=args[0], expressions=list(args[1:]))


def least(*args: exp.Expression) -> exp.Expression:
    return exp.Least(this=args[0], expressions=list(args[1:]))


def coalesce(*args: exp.Expression) -> exp.Expression:
    return exp.Coalesce(this=args[0], expressions=list(args[1:]))


def alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(expression, name)


def running_sum(
    value: exp.Expression, partition: list[exp.Expression], order: list[exp.Expression]
) -> exp.Window:
    """SUM(value) over the partition, rows up to and including the current one."""
    return exp.Window(
        this=exp.Sum(this=value),
        partition_by=partition,
        order=exp.Order(expressions=[exp.Ordered(this=o, nulls_first=True) for o in order]),
        spec=exp.WindowSpec(
            kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
        ),
    )


def to_integer(value: exp.Expression, scale: int) -> exp.Expression:
    """An exact decimal with at most ``scale`` places, as a scaled 128-bit integer."""
    return cast(mul(value, num(10**scale)), HUGEINT)


def round_half_even_division(
    numerator: exp.Expression, denominator: exp.Expression
) -> exp.Expression:
    """ROUND_HALF_EVEN(numerator / denominator) for integers, denominator > 0, in whole units.

    Written out with integer operations because engines disagree on decimal division
    (DuckDB returns a DOUBLE) and on integer division of negatives (truncate or floor):
    the quotient is taken of the absolute value, so truncation and floor agree.
    """
    magnitude = exp.Abs(this=numerator)
    quotient = exp.IntDiv(this=magnitude, expression=denominator)
    remainder = sub(magnitude, mul(quotient, denominator))
    twice = mul(num(2), remainder)
    bump = case(
        [
            (exp.GT(this=twice, expression=denominator), num(1)),
            (
                and_(
                    eq(twice, denominator),
                    eq(exp.Mod(this=quotient, expression=num(2)), num(1)),
                ),
                num(1),
            ),
        ],
        num(0),
    )
    return mul(cast(exp.Sign(this=numerator), HUGEINT), add(quotient, bump))


def cents_to_money(cents: exp.Expression) -> exp.Expression:
    return cast(
        mul(cast(cents, decimal_type(38, 0)), dec(Decimal("0.01"), 3, 2)), decimal_type(18, 2)
    )


def in_force(table: str, day: exp.Expression) -> exp.Expression:
    """``table``'s row is in force on ``day``: ``valid_from <= day < valid_to`` (no
    ``valid_to``: open-ended)."""
    return and_(
        exp.LTE(this=col("valid_from", table), expression=day),
        or_(
            exp.Is(this=col("valid_to", table), expression=null()),
            exp.LT(this=day, expression=col("valid_to", table)),
        ),
    )
