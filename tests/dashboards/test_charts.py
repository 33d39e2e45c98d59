"""The NPS dashboard's figures (``dashboards.charts``), pure: plain data in, Plotly's figure
format out, no database."""

import json
from datetime import date

from django.utils import translation

from dashboards import charts
from dashboards.filters import Period
from dashboards.selectors import Group, TrendPoint, trend_unit, units_of
from surveys.metrics import Nps, nps_difference


def nps(promoters: int, passives: int, detractors: int) -> Nps:
    return Nps(
        answered=promoters + passives + detractors,
        skipped=0,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


NO_ANSWERS = nps(0, 0, 0)


def test_a_period_is_drawn_by_week_up_to_half_a_year_then_by_month():
    quarter = Period(date(2026, 8, 23), date(2026, 11, 20))
    year = Period(date(2025, 11, 21), date(2026, 11, 20))

    assert (quarter.days, trend_unit(quarter)) == (90, "week")
    assert trend_unit(Period(date(2026, 1, 1), date(2026, 7, 3))) == "week"  # 184 days
    assert trend_unit(Period(date(2026, 1, 1), date(2026, 7, 4))) == "month"  # 185 days
    assert (year.days, trend_unit(year)) == (365, "month")


def test_the_weeks_and_months_of_a_period_are_cut_to_its_days():
    # Sunday 23 August to Friday 20 November 2026: the week of Monday 17 August holds only its
    # Sunday, the week of 16 November runs to the Friday.
    weeks = units_of(Period(date(2026, 8, 23), date(2026, 11, 20)), "week")
    months = units_of(Period(date(2025, 11, 21), date(2026, 11, 20)), "month")

    assert len(weeks) == 14
    assert weeks[0] == (date(2026, 8, 17), Period(date(2026, 8, 23), date(2026, 8, 23)))
    assert weeks[1] == (date(2026, 8, 24), Period(date(2026, 8, 24), date(2026, 8, 30)))
    assert weeks[-1] == (date(2026, 11, 16), Period(date(2026, 11, 16), date(2026, 11, 20)))
    assert len(months) == 13
    assert months[0] == (date(2025, 11, 1), Period(date(2025, 11, 21), date(2025, 11, 30)))
    assert months[2] == (date(2026, 1, 1), Period(date(2026, 1, 1), date(2026, 1, 31)))
    assert months[-1] == (date(2026, 11, 1), Period(date(2026, 11, 1), date(2026, 11, 20)))


def test_the_trend_is_a_line_inside_its_band_with_a_gap_where_nobody_answered():
    points = [
        TrendPoint(Period(date(2026, 11, 2), date(2026, 11, 8)), nps(3, 2, 1)),  # +33.3 ± 59.6
        TrendPoint(Period(date(2026, 11, 9), date(2026, 11, 15)), NO_ANSWERS),
        TrendPoint(Period(date(2026, 11, 16), date(2026, 11, 20)), nps(4, 0, 0)),  # +100 ± 0
    ]

    with translation.override("en"):
        figure = charts.trend_figure(points, unit="week")

    low, high, line = figure["data"]
    assert line["x"] == ["2 Nov 2026", "9 Nov 2026", "16 Nov 2026"]  # the project's English
    assert line["y"] == [33.3, None, 100.0]
    assert line["customdata"] == [[59.6, 6], [None, 0], [0.0, 4]]
    # The band: score ± margin, kept within −100 … 100.
    assert low["y"] == [-26.3, None, 100.0]
    assert high["y"] == [93.0, None, 100.0]
    assert high["fill"] == "tonexty"
    assert figure["layout"]["yaxis"]["range"] == [-100, 100]
    assert figure["layout"]["xaxis"]["type"] == "category"
    json.dumps(figure)  # what json_script will write


def test_months_are_named_in_the_readers_language():
    points = [TrendPoint(Period(date(2026, 1, 1), date(2026, 1, 31)), nps(1, 0, 0))]

    with translation.override("it"):
        figure = charts.trend_figure(points, unit="month")

    assert figure["data"][2]["x"] == ["Gennaio 2026"]


def test_groups_are_bars_with_their_margin_n_and_the_previous_period():
    up = Group(
        key=1,
        name="Acme <Rent>",
        nps=nps(90, 70, 40),  # +25 ± 10.6, n 200
        previous=nps(45, 60, 45),  # 0
        difference=nps_difference(nps(90, 70, 40), nps(45, 60, 45)),  # p = 0.0027
    )
    same = Group(
        key=2,
        name="Acme Motor",
        nps=nps(5, 3, 2),  # +30
        previous=nps(4, 3, 3),  # +10, p = 0.58
        difference=nps_difference(nps(5, 3, 2), nps(4, 3, 3)),
    )
    new = Group(key=3, name="Acme Road", nps=nps(0, 1, 1), previous=NO_ANSWERS, difference=None)

    with translation.override("en"):
        figure = charts.groups_figure([same, up, new], title="NPS by brand")

    bars, previous = figure["data"]
    # A name is text, not markup; ▲ marks the significant rise.
    assert bars["y"] == ["Acme Motor", "Acme &lt;Rent&gt; ▲", "Acme Road"]
    assert bars["x"] == [30.0, 25.0, -50.0]
    assert bars["error_x"]["array"] == [48.4, 10.6, 69.3]
    assert [n for _margin, n in bars["customdata"]] == [10, 200, 2]
    assert "Answers: %{customdata[1]}" in bars["hovertemplate"]
    assert previous["x"] == [10.0, 0.0, None]
    assert previous["customdata"] == [10, 150, 0]
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"  # the first row on top
    assert figure["layout"]["xaxis"]["title"]["text"] == "NPS by brand"


def test_a_significant_fall_is_marked_down_and_without_comparison_there_is_no_diamond():
    fell = Group(
        key=1,
        name="Acme Motor",
        nps=nps(1, 0, 3),  # −50, SE 43.3
        previous=nps(2, 0, 0),  # +100, no spread
        difference=nps_difference(nps(1, 0, 3), nps(2, 0, 0)),  # z = −150 / 43.3 = −3.46
    )
    alone = Group(key=2, name="Acme Rent", nps=nps(1, 0, 0), previous=None, difference=None)

    assert charts.groups_figure([fell], title="")["data"][0]["y"] == ["Acme Motor ▼"]
    assert len(charts.groups_figure([alone], title="")["data"]) == 1


def test_the_distribution_is_coloured_and_named_by_band():
    counts = {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 2, 7: 1, 8: 1, 9: 1, 10: 3}

    with translation.override("en"):
        figure = charts.distribution_figure(counts)

    detractors, passives, promoters = figure["data"]
    assert (detractors["name"], detractors["x"], detractors["y"]) == (
        "Detractors (0–6)",
        [0, 1, 2, 3, 4, 5, 6],
        [1, 0, 0, 0, 0, 0, 2],
    )
    assert (passives["name"], passives["x"], passives["y"]) == ("Passives (7–8)", [7, 8], [1, 1])
    assert (promoters["name"], promoters["x"], promoters["y"]) == (
        "Promoters (9–10)",
        [9, 10],
        [1, 3],
    )
    # Okabe–Ito: vermilion, orange, bluish green.
    colours = [trace["marker"]["color"] for trace in figure["data"]]
    assert colours == ["#D55E00", "#E69F00", "#009E73"]
    assert figure["layout"]["yaxis"]["dtick"] == 1  # whole answers


def test_every_figure_is_json_for_json_script():
    point = TrendPoint(Period(date(2026, 11, 2), date(2026, 11, 8)), nps(1, 1, 1))
    group = Group(key=None, name="No touchpoint", nps=nps(1, 1, 1), previous=None, difference=None)

    for figure in (
        charts.trend_figure([point], unit="week"),
        charts.groups_figure([group], title="NPS"),
        charts.distribution_figure(dict.fromkeys(range(11), 0)),
    ):
        assert set(figure) == {"data", "layout"}
        json.dumps(figure)
