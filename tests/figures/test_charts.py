"""The SVG bar charts: text escaped and wrapped, bars in proportion, a text alternative."""

import re

from cta_learning.figures.charts import WIDTH, Chart, Row


def draw(app, chart: Chart) -> str:
    with app.test_request_context("/figures"):
        return str(chart.svg())


def test_labels_are_escaped_and_long_ones_wrap(app):
    label = "A <b>very</b> long label " * 6
    svg = draw(app, Chart("test", "T & t", [("n", "Count")], [Row("a", label, [3])]))
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert '<title id="chart-test-title">T &amp; t</title>' in svg
    assert len(re.findall(r"<text [^>]*>A &lt;b&gt;", svg)) >= 3  # one line each


def test_bars_are_in_proportion_and_fit_the_drawing(app):
    chart = Chart("test", "T", [("n", "Count")], [Row("a", "A", [10]), Row("b", "B", [5])])
    widths = [
        float(w) for w in re.findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)"', draw(app, chart))
    ]
    assert widths[0] == 2 * widths[1]
    assert max(widths) < WIDTH


def test_a_stacked_bar_adds_its_parts_and_says_its_total(app):
    chart = Chart(
        "test", "T", [("a", "Africa"), ("e", "Europe")], [Row("1", "One", [2, 3])], stacked=True
    )
    svg = draw(app, chart)
    assert ">5</text>" in svg
    assert "One: Africa 2, Europe 3" in svg  # the <desc>


def test_an_empty_chart_says_so(app):
    svg = draw(app, Chart("test", "T", [("n", "Count")], []))
    assert "No data for these filters." in svg
