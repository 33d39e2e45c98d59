"""The CSAT and CES page's figures (``dashboards.csat_charts``), pure: the NPS page's helpers
given the CSAT's measure, scale and bands. No database."""

import json
from datetime import date

from django.utils import translation

from dashboards import csat_charts
from dashboards.csat_selectors import CesPoint, CsatGroup, CsatPoint
from dashboards.filters import Period
from surveys.metrics import Csat, csat_difference

WEEKS = [
    Period(date(2026, 11, 2), date(2026, 11, 8)),
    Period(date(2026, 11, 9), date(2026, 11, 15)),
    Period(date(2026, 11, 16), date(2026, 11, 20)),
]


def test_the_csat_trend_is_the_percent_satisfied_inside_its_band_kept_within_0_and_100():
    points = [
        CsatPoint(WEEKS[0], Csat(part=3, whole=4)),  # 75 % ± 42.4
        CsatPoint(WEEKS[1], Csat(part=0, whole=0)),
        CsatPoint(WEEKS[2], Csat(part=1, whole=5)),  # 20 % ± 35.1
    ]

    with translation.override("en"):
        figure = csat_charts.csat_trend_figure(points, unit="week")

    low, high, line = figure["data"]
    assert line["y"] == [75.0, None, 20.0]
    assert line["customdata"] == [[42.4, 4], [None, 0], [35.1, 5]]
    assert line["name"] == "CSAT (%)"
    assert low["y"] == [32.6, None, 0.0]  # 20 − 35.1, kept at 0
    assert high["y"] == [100.0, None, 55.1]  # 75 + 42.4, kept at 100
    assert figure["layout"]["yaxis"]["range"] == [0, 100]
    assert figure["layout"]["yaxis"]["title"]["text"] == "CSAT (%)"
    json.dumps(figure)


def test_the_ces_trend_is_a_line_of_means_on_its_1_to_7_scale_without_a_band():
    points = [CesPoint(WEEKS[0], 4.25), CesPoint(WEEKS[1], None), CesPoint(WEEKS[2], 6.0)]

    with translation.override("en"):
        figure = csat_charts.ces_trend_figure(points, unit="week")

    (line,) = figure["data"]
    assert line["y"] == [4.2, None, 6.0]  # 4.25 rounds to even
    assert figure["layout"]["yaxis"]["range"] == [1, 7]
    assert "±" not in line["hovertemplate"]


def test_the_groups_are_bars_of_the_percent_with_the_previous_period_and_a_significant_mark():
    rise = Csat(part=90, whole=120), Csat(part=60, whole=100)  # p = 0.017
    noise = Csat(part=8, whole=10), Csat(part=6, whole=10)  # p = 0.33
    groups = [
        CsatGroup(1, "Acme Motor", rise[0], rise[1], csat_difference(*rise)),
        CsatGroup(2, "Acme Rent & Co", noise[0], noise[1], csat_difference(*noise)),
    ]

    with translation.override("en"):
        figure = csat_charts.csat_groups_figure(groups, title="CSAT by brand (%)")

    bars, previous = figure["data"]
    assert bars["y"] == ["Acme Motor ▲", "Acme Rent &amp; Co"]
    assert bars["x"] == [75.0, 80.0]
    assert bars["error_x"]["array"] == [7.7, 24.8]
    assert [n for _margin, n in bars["customdata"]] == [120, 10]
    assert (previous["x"], previous["customdata"]) == ([60.0, 60.0], [100, 10])
    assert figure["layout"]["xaxis"]["range"] == [0, 100]


def test_the_distributions_are_coloured_by_csat_and_ces_bands():
    with translation.override("en"):
        csat = csat_charts.csat_distribution_figure({1: 1, 2: 0, 3: 2, 4: 5, 5: 7})
        ces = csat_charts.ces_distribution_figure(dict(zip(range(1, 8), range(7), strict=True)))

    dissatisfied, satisfied = csat["data"]
    assert (dissatisfied["name"], dissatisfied["x"], dissatisfied["y"]) == (
        "Dissatisfied (1–3)",
        [1, 2, 3],
        [1, 0, 2],
    )
    assert (satisfied["name"], satisfied["y"]) == ("Satisfied (4–5)", [5, 7])
    assert csat["layout"]["xaxis"]["range"] == [0.5, 5.5]
    assert [(trace["name"], trace["y"]) for trace in ces["data"]] == [
        ("Hard (1–3)", [0, 1, 2]),
        ("Neither (4–5)", [3, 4]),
        ("Easy (6–7)", [5, 6]),
    ]
    assert ces["layout"]["xaxis"]["range"] == [0.5, 7.5]
