"""The demo's moods answer in the bands ``surveys.scoring`` defines: a happy customer's every
score is praise, an unhappy one's every score makes a critic, a neutral one's a passive — and
every score of a band can be drawn by the mood that stands for it. No database needed."""

import pytest

from demo.surveys import story
from surveys.scoring import BAND_RANGES, HIGH, LOW, MIDDLE, SCALES, band_of, is_critic

KINDS = sorted(SCALES)


def whole_scale(kind) -> list[int]:
    low, high = SCALES[kind]
    return list(range(low, high + 1))


def drawn(kind, mood) -> list[int]:
    scores, _weights = story.SCORES[kind][mood]
    return scores


def test_the_story_scores_every_fixed_scale():
    assert sorted(story.SCORES) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_every_score_a_happy_customer_gives_is_praise(kind):
    assert drawn(kind, story.GOOD) == [s for s in whole_scale(kind) if band_of(kind, s) == HIGH]
    assert not any(is_critic(kind, score) for score in drawn(kind, story.GOOD))


@pytest.mark.parametrize("kind", KINDS)
def test_every_score_an_unhappy_customer_gives_makes_a_critic(kind):
    assert drawn(kind, story.BAD) == [s for s in whole_scale(kind) if is_critic(kind, s)]
    assert {band_of(kind, score) for score in drawn(kind, story.BAD)} == {LOW}


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind in BAND_RANGES[MIDDLE]])
def test_a_neutral_customer_is_a_passive_where_the_scale_has_passives(kind):
    assert drawn(kind, story.NEUTRAL) == [
        s for s in whole_scale(kind) if band_of(kind, s) == MIDDLE
    ]


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind not in BAND_RANGES[MIDDLE]])
def test_without_passives_a_neutral_customer_sits_either_side_of_the_critics_line(kind):
    low, high = drawn(kind, story.NEUTRAL)

    assert (is_critic(kind, low), is_critic(kind, high)) == (True, False)
    assert (band_of(kind, low), band_of(kind, high), high - low) == (LOW, HIGH, 1)
