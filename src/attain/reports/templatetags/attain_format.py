"""Display helpers: money with thousands separators and currency, percentages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from attain.common import DEFAULT_CURRENCY
from attain.reports.selectors import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = DEFAULT_CURRENCY) -> str:
    """``{{ deal.amount|money:deal.currency }}`` → ``USD 12,000.00``; empty → ``—``."""
    if amount is None or amount == "":
        return "—"
    return format_money(Decimal(amount), currency or DEFAULT_CURRENCY)


@register.filter
def percent(value) -> str:
    """A percentage already scaled to 0–100, or ``—`` when there is none."""
    if value is None:
        return "—"
    return f"{value}%"


@register.filter
def share(value) -> str:
    """A credit share (1.0000 = 100%) as a percentage."""
    if value is None:
        return "—"
    pct = (Decimal(value) * 100).normalize()
    return f"{pct:f}%"


@register.simple_tag(takes_context=True)
def page_link(context, param: str, number: int) -> str:
    """The current URL's query with ``param`` set to ``number``: the link to another page
    of one of several paginated lists on a page (``{% querystring %}`` takes a fixed key)."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()
