"""The programme summary's and the survey funnel's figures: pure functions of plain data, no
database."""

import json

from dashboards import funnel_charts, summary_charts
from surveys.metrics import ResponseRate


def test_the_response_rate_sits_over_the_norm_band_with_the_previous_rate_as_a_diamond():
    figure = summary_charts.response_rate_figure(
        ResponseRate(part=7, whole=8), ResponseRate(part=2, whole=3), low=5, high=15
    )

    band, rate, previous = figure["data"]
    assert (band["base"], band["x"], band["name"]) == ([5], [10], "Norm 5–15 %")
    assert (rate["x"], rate["customdata"]) == ([87.5], [[7, 8]])
    assert (previous["x"], previous["marker"]["symbol"]) == ([66.7], "diamond")
    # Room for the largest rate: 87.5 × 1.25 = 109 → capped at 100 %.
    assert figure["layout"]["xaxis"]["range"] == [0, 100.0]
    json.dumps(figure)  # what json_script writes


def test_without_a_previous_rate_there_is_no_diamond_and_the_axis_fits_the_band():
    figure = summary_charts.response_rate_figure(
        ResponseRate(part=1, whole=10), None, low=5, high=15
    )

    assert [trace["type"] for trace in figure["data"]] == ["bar", "bar"]
    # The band's 15 % is the largest: 15 × 1.25 = 18.75 → the next step of 5 above, 20.
    assert figure["layout"]["xaxis"]["range"] == [0, 20.0]


def test_the_axis_end_leaves_room_in_steps_of_five():
    assert summary_charts.rate_axis_end([None], 15) == 20.0
    assert summary_charts.rate_axis_end([30.0, 10.0], 15) == 40.0  # 37.5 → 40
    assert summary_charts.rate_axis_end([12.0], 15) == 20.0


def test_the_sample_is_the_invited_then_each_skip_with_its_colour():
    figure = summary_charts.sample_figure(9, [("Customer opted out", 1), ("<b>x</b>", 2)])

    [bars] = figure["data"]
    assert bars["y"] == ["Invited", "Customer opted out", "&lt;b&gt;x&lt;/b&gt;"]
    assert (bars["x"], bars["text"]) == ([9, 1, 2], [9, 1, 2])
    assert bars["marker"]["color"] == ["#009E73", "#E69F00", "#E69F00"]


def test_the_funnel_has_each_stage_with_its_share_of_the_one_before():
    figure = funnel_charts.funnel_figure([("Service events", 16), ("Answered", 7)])

    [funnel] = figure["data"]
    assert (funnel["type"], funnel["y"], funnel["x"]) == (
        "funnel",
        ["Service events", "Answered"],
        [16, 7],
    )
    assert funnel["textinfo"] == "value+percent previous"


def test_the_reasons_are_the_skips_in_orange_then_those_outside_in_grey():
    figure = funnel_charts.reasons_of_funnel_figure([("Surveyed recently", 3)], [("No rule", 2)])

    [bars] = figure["data"]
    assert list(zip(bars["y"], bars["x"], bars["marker"]["color"], strict=True)) == [
        ("Surveyed recently", 3, "#E69F00"),
        ("No rule", 2, "#999999"),
    ]
