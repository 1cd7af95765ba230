"""An offline map of a territory plan as inline SVG. Pure (no Django, no tiles, no CDN).

Accounts are dots coloured by territory on a plain longitude/latitude projection
(longitude scaled by the cosine of the middle latitude so shapes are not stretched);
each territory is outlined by the convex hull of its accounts.
"""

from __future__ import annotations

import colorsys
import math
from html import escape


def colour(index: int) -> str:
    """Distinct colours: hues spread by the golden angle, two lightness levels."""
    hue = (index * 0.618033988749895) % 1.0
    light = 0.42 if index % 2 == 0 else 0.55
    r, g, b = colorsys.hls_to_rgb(hue, light, 0.65)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; counter-clockwise, without repeating the first point."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def render(
    points: list[tuple[float, float, int]],
    names: list[str],
    *,
    width: int = 720,
    height: int = 440,
    label: str = "Territory map",
) -> str:
    """SVG for ``points`` = (longitude, latitude, territory index); ``names`` per index."""
    pad = 12
    if not points:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(label)}"><text x="20" y="30">No accounts with '
            "coordinates</text></svg>"
        )
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    mid = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * mid, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(pad + (lon - min(lons)) * mid * scale, 1),
            round(height - pad - (lat - min(lats)) * scale, 1),
        )

    by_territory: dict[int, list[tuple[float, float]]] = {}
    for lon, lat, t in points:
        by_territory.setdefault(t, []).append(xy(lon, lat))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="territory-map" role="img" aria-label="{escape(label)}">',
        f'<rect width="{width}" height="{height}" fill="#f8fafc"/>',
    ]
    for t in sorted(by_territory):
        hull = convex_hull(by_territory[t])
        name = escape(names[t] if 0 <= t < len(names) else "no territory")
        c = colour(t) if t >= 0 else "#94a3b8"
        if len(hull) >= 3 and t >= 0:
            path = " ".join(f"{x},{y}" for x, y in hull)
            parts.append(
                f'<polygon points="{path}" fill="{c}" fill-opacity="0.10" stroke="{c}" '
                f'stroke-width="1.5" data-territory="{t}"><title>{name}</title></polygon>'
            )
        dots = "".join(f'<circle cx="{x}" cy="{y}" r="2.6"/>' for x, y in by_territory[t])
        parts.append(f'<g fill="{c}"><title>{name}</title>{dots}</g>')
    parts.append("</svg>")
    return "".join(parts)
