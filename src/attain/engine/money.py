"""Exact money: rationals in, one half-even rounding to cents out."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def round_half_even(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """Round an exact value to ``places`` decimals, ties to even, without any float."""
    if isinstance(value, Decimal) and value.is_finite():  # nothing to round: no Fraction
        sign, digits, exponent = value.as_tuple()
        if exponent >= -places:
            whole = int("".join(map(str, digits))) * 10 ** (exponent + places)
            return Decimal(-whole if sign else whole).scaleb(-places)
    exact = Fraction(value)
    scaled = exact * 10**places
    whole, remainder = divmod(scaled.numerator, scaled.denominator)  # floor division
    twice = 2 * remainder
    if twice > scaled.denominator or (twice == scaled.denominator and whole % 2 == 1):
        whole += 1
    return Decimal(whole).scaleb(-places)


def round_money(value: Fraction | Decimal | int) -> Decimal:
    return round_half_even(value, 2)
