"""The performers tab's figure (``dashboards.performers_charts``), without a database: one bar
per ranked performer, best at the top, named by rank, ties and namesakes kept apart."""

import pytest
from django.utils import translation

from dashboards.performers_charts import RatingBar, ratings_figure


@pytest.fixture(autouse=True)
def english():
    """Numbers as English writes them, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def test_each_ranked_performer_is_a_bar_best_at_the_top():
    figure = ratings_figure(
        [
            RatingBar("Bob Adams", 1, 70.04, 12, 10.0),
            RatingBar("Pete Brown", 1, 70.04, 8, None),
            RatingBar("Sara Clark", 3, 55.0, 20, -10.0),
        ]
    )

    bars = figure["data"][0]
    axis = figure["layout"]["yaxis"]
    assert (bars["type"], bars["orientation"]) == ("bar", "h")
    assert bars["x"] == [70.0, 70.0, 55.0]
    assert bars["text"] == ["70.0 %", "70.0 %", "55.0 %"]
    assert bars["y"] == axis["tickvals"] == [0, 1, 2]
    assert axis["ticktext"] == ["1. Bob Adams", "1. Pete Brown", "3. Sara Clark"]
    assert axis["autorange"] == "reversed"
    assert bars["customdata"] == [[12, "+10.0"], [8, "—"], [20, "-10.0"]]
    assert figure["layout"]["xaxis"]["range"] == [0, 100]


def test_two_performers_of_one_name_are_two_bars_and_names_are_escaped():
    figure = ratings_figure(
        [RatingBar("Ann <b>Lee</b>", 1, 90.0, 5, 0.0), RatingBar("Ann <b>Lee</b>", 2, 80.0, 5, 0.0)]
    )

    assert figure["data"][0]["y"] == [0, 1]
    assert figure["layout"]["yaxis"]["ticktext"] == [
        "1. Ann &lt;b&gt;Lee&lt;/b&gt;",
        "2. Ann &lt;b&gt;Lee&lt;/b&gt;",
    ]
    assert figure["data"][0]["customdata"][0] == [5, "0.0"]


def test_no_performer_no_bar_and_the_height_grows_with_them():
    empty = ratings_figure([])
    many = ratings_figure([RatingBar(f"P{n}", n + 1, 50.0, 1, None) for n in range(20)])

    assert empty["data"][0]["x"] == []
    assert many["layout"]["height"] - empty["layout"]["height"] == 20 * 28
