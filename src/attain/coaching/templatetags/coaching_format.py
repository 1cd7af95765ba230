"""Display helpers for coaching pages: rates as percentages and interval bars."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value, places: int = 0) -> str:
    """A 0–1 rate as a percentage, or ``—``."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(places)}f}%"


@register.filter
def number(value, places: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{int(places)}f}"


@register.filter
def bar_style(estimate) -> str:
    """Inline position of a 0–1 posterior interval on a 0–100% track."""
    low, high = estimate.low * 100, estimate.high * 100
    return f"left:{low:.1f}%;width:{max(high - low, 0.8):.1f}%"


@register.filter
def marker_style(value) -> str:
    return "display:none" if value is None else f"left:{value * 100:.1f}%"


@register.filter
def verdict(flag: str, worse: str = "below") -> str:
    """CSS class of a flagged gap: "worse" when the gap is in the ``worse`` direction
    ("below" for win rate and deal size, "above" for cycle length), else "better"."""
    if not flag:
        return ""
    return "worse" if flag == worse else "better"


@register.filter
def approx_money(amount, currency: str = "USD") -> str:
    """An estimate in whole currency units: ``USD 128,258``."""
    if amount is None:
        return "—"
    return f"{currency} {amount:,.0f}"
