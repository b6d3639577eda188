"""The SVG chart helpers: well-formed, named, scaled by their viewBox, readable colours,
series told apart by more than colour, and every text escaped."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from kluis.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314  (our own markup, no entities)


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_every_series_colour_has_3_to_1_contrast_on_the_background(colour):
    assert charts.contrast(colour, charts.BACKGROUND) >= 3


def test_text_and_grid_are_readable():
    assert charts.contrast(charts.INK, charts.BACKGROUND) >= 4.5
    assert charts.contrast(charts.GRID, charts.BACKGROUND) >= 3


def test_a_bar_chart_is_named_by_its_title_and_description():
    svg = parse(
        charts.bar_chart("c1", "Hires <&> leavers", "Two & more", ["Jan", "Feb"],
                         [charts.Series("Hires", [1, 2]), charts.Series("Leavers", [0, 1])])
    )  # fmt: skip
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Hires <&> leavers"
    assert svg.find(f"{SVG}desc").text == "Two & more"
    assert svg.get("viewBox") == "0 0 640 320" and svg.get("width") is None
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Hires" in texts and "Leavers" in texts  # a legend in words
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text for b in bars] == [
        "Jan, Hires: 1", "Jan, Leavers: 0", "Feb, Hires: 2", "Feb, Leavers: 1",
    ]  # fmt: skip


def test_stacked_parts_are_separated_and_totalled():
    svg = parse(
        charts.bar_chart("c2", "t", "d", ["A"],
                         [charts.Series("x", [3]), charts.Series("y", [2])], stacked=True)
    )  # fmt: skip
    parts = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert all(p.get("stroke") == charts.BACKGROUND for p in parts)  # a white gap between
    assert "5" in [t.text for t in svg.iter(f"{SVG}text")]  # the total above the bar


def test_lines_differ_by_marker_and_dash_and_break_at_a_missing_value():
    series = [charts.Series("one", [1, 2, None, 4]), charts.Series("two", [2, 3, 4, 5])]
    svg = parse(charts.line_chart("c3", "t", "d", ["a", "b", "c", "d"], series))
    lines = list(svg.iter(f"{SVG}polyline"))
    # "one" breaks at the gap (its lone last point has no line), "two" is one line, dashed.
    assert len(lines) == 2 and lines[1].get("stroke-dasharray")
    squares = [r for r in svg.iter(f"{SVG}rect") if r.get("width") == "8"]
    assert len(list(svg.iter(f"{SVG}circle"))) == 4 and len(squares) == 5  # 3 + 1, 4 + 1 in legends


def test_the_value_axis_ends_at_a_round_number():
    assert [charts.nice_top(v) for v in (0, 3, 7, 11, 230, 0.4)] == [1, 5, 10, 20, 250, 0.5]


@pytest.mark.parametrize("count", [1, 2, 10, 11, 12, 13, 24, 36])
def test_axis_labels_never_run_into_each_other_and_the_last_is_named(count):
    """Twelve months used to label Oct and Nov side by side ("Oct 20Nov 2026")."""
    labels = [f"M{i:02d} 2026" for i in range(count)]
    svg = parse(charts.line_chart("c9", "t", "d", labels, [charts.Series("s", [1] * count)]))
    named = [t for t in svg.iter(f"{SVG}text") if (t.text or "").startswith("M")]
    assert named[-1].text == labels[-1]
    assert len(named) <= 11
    xs = [float(t.get("x")) for t in named]
    every = max(1, -(-count // 10))
    gap = (xs[-1] - xs[0]) / (count - 1) * every if count > 1 else 0
    assert all(b - a >= gap - 0.5 for a, b in itertools.pairwise(xs)), xs


def ticks(markup: str) -> list[str]:
    """The value axis's labels: the texts right-aligned at the left of the plot."""
    svg = parse(markup)
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([12, 50], ["0", "10", "20", "30", "40", "50"]),  # was 0 12.5 25 37.5 50
        ([1, 5], ["0", "1", "2", "3", "4", "5"]),  # was 0 1.2 2.5 3.8 5
        ([2, 7], ["0", "2", "4", "6", "8"]),
        ([0, 0], ["0", "1"]),
        ([3, 230], ["0", "50", "100", "150", "200", "250"]),
    ],
)
def test_counts_of_people_get_whole_number_ticks(values, expected):
    bars = charts.bar_chart("c10", "t", "d", ["a", "b"], [charts.Series("People", values)])
    line = charts.line_chart("c11", "t", "d", ["a", "b"], [charts.Series("People", values)])
    assert ticks(bars) == expected
    assert ticks(line) == expected


def test_a_stack_of_counts_gets_whole_number_ticks_up_to_its_height():
    series = [charts.Series("x", [4, 1]), charts.Series("y", [5, 0])]
    assert ticks(charts.bar_chart("c12", "t", "d", ["a", "b"], series, stacked=True)) == [
        "0", "2", "4", "6", "8", "10",
    ]  # fmt: skip


def test_ticks_and_values_follow_the_readers_number_format():
    from django.utils import translation

    series = [charts.Series("Rate", [1.5, 5])]
    with translation.override("en"):
        assert ticks(charts.line_chart("c13", "t", "d", ["a", "b"], series)) == [
            "0", "1.25", "2.5", "3.75", "5",
        ]  # fmt: skip
    with translation.override("nl"):
        markup = charts.line_chart("c14", "t", "d", ["a", "b"], series)
        assert ticks(markup) == ["0", "1,25", "2,5", "3,75", "5"]
        assert "a, Rate: 1,5" in markup
