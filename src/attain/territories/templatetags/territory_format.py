from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def signed_percent(value) -> str:
    """A ratio as a signed percentage with one decimal: 0.0123 → "+1.2%"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:+.1f}%"


@register.filter
def ratio_percent(value) -> str:
    """A ratio as a percentage with one decimal: 0.0123 → "1.2%"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
