"""attain.territories.design.svgmap: hulls, colours and escaping of the offline map."""

from __future__ import annotations

from attain.territories.design import svgmap


def test_convex_hull_drops_inner_and_collinear_points():
    square = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0)]
    assert svgmap.convex_hull(square) == [(0, 0), (2, 0), (2, 2), (0, 2)]
    assert svgmap.convex_hull([(1, 1), (1, 1)]) == [(1, 1)]


def test_map_draws_a_dot_per_account_and_an_outline_per_territory_and_escapes_names():
    points = [(-122.0, 37.0, 0), (-121.0, 37.5, 0), (-121.5, 38.0, 0), (-74.0, 40.7, 1)]
    svg = svgmap.render(points, ["Bay <Area>", "New York"])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 4
    assert svg.count("<polygon") == 1  # one point cannot make an outline
    assert "Bay &lt;Area&gt;" in svg and "<Area>" not in svg
    assert svgmap.colour(0) != svgmap.colour(1)


def test_empty_map_says_so():
    assert "No accounts with coordinates" in svgmap.render([], [])
