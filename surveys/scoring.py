"""What a score means: the scales, who is a promoter, a detractor, satisfied or a critic, the
score bands, and when a response needs a follow-up.

The one place these numbers are written. Models, responses, follow-ups, metrics, pages and the
demo read them here; SQL filters come from the ``*_q`` builders below, so a query and a Python
check can never disagree. The README's "Figures" section says the same in words.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")
    CES = "ces", _("Customer effort (1–7)")
    SCALE = "scale", _("Scale")
    CHOICE = "choice", _("Single choice")
    TEXT = "text", _("Free text")


# The score range of each kind with a fixed scale.
SCALES = {QuestionKind.NPS: (0, 10), QuestionKind.CSAT: (1, 5), QuestionKind.CES: (1, 7)}
# What the ends of each fixed scale mean, shown next to the numbers (email and page).
SCALE_ENDS = {
    QuestionKind.NPS: (_("Not at all likely"), _("Extremely likely")),
    QuestionKind.CSAT: (_("Very dissatisfied"), _("Very satisfied")),
    QuestionKind.CES: (_("Very difficult"), _("Very easy")),
}

# NPS: promoters 9–10, passives 7–8, detractors 0–6.
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
# CSAT: satisfied 4–5 (the "CSAT %"), dissatisfied 1–3.
CSAT_SATISFIED_MIN = 4
# CES (1–7, 7 the easiest): found it hard 1–3, easy 6–7.
CES_HARD_MAX = 3
CES_EASY_MIN = 6
# A critic is a detractor of the primary question's kind: NPS 0–6, CSAT 1–3, CES 1–3 (CES runs
# 1–7 with 7 the easiest, so a critic found it hard).
CRITIC_MAX = {
    QuestionKind.NPS: NPS_DETRACTOR_MAX,
    QuestionKind.CSAT: CSAT_SATISFIED_MIN - 1,
    QuestionKind.CES: CES_HARD_MAX,
}

# Score bands of a primary question, by its kind (the response browser's filter and colours).
# LOW is exactly the critics.
LOW, MIDDLE, HIGH, UNSCORED = "low", "middle", "high", "none"
BAND_RANGES = {
    LOW: {kind: (SCALES[kind][0], highest) for kind, highest in CRITIC_MAX.items()},
    MIDDLE: {
        QuestionKind.NPS: (NPS_DETRACTOR_MAX + 1, NPS_PROMOTER_MIN - 1),
        QuestionKind.CES: (CES_HARD_MAX + 1, CES_EASY_MIN - 1),
    },
    HIGH: {
        QuestionKind.NPS: (NPS_PROMOTER_MIN, SCALES[QuestionKind.NPS][1]),
        QuestionKind.CSAT: (CSAT_SATISFIED_MIN, SCALES[QuestionKind.CSAT][1]),
        QuestionKind.CES: (CES_EASY_MIN, SCALES[QuestionKind.CES][1]),
    },
}
BANDS = [
    (LOW, _("Detractors, dissatisfied (NPS 0–6, CSAT 1–3, CES 1–3)")),
    (MIDDLE, _("Passives (NPS 7–8, CES 4–5)")),
    (HIGH, _("Promoters, satisfied (NPS 9–10, CSAT 4–5, CES 6–7)")),
    (UNSCORED, _("No score")),
]


def band_of(kind: str, score: int | None) -> str:
    """LOW, MIDDLE, HIGH or UNSCORED; "" for a score of a custom scale (no band)."""
    if score is None:
        return UNSCORED
    for band, ranges in BAND_RANGES.items():
        low, high = ranges.get(kind, (None, None))
        if low is not None and low <= score <= high:
            return band
    return ""


def band_q(band: str, *, kind: str = "primary_kind", score: str = "primary_score") -> Q:
    """Rows whose score (field ``score``, of the kind in field ``kind``) lies in ``band``."""
    if band == UNSCORED:
        return Q(**{f"{score}__isnull": True})
    ranges = Q(pk__in=[])  # matches nothing: a band no kind has
    for each_kind, (low, high) in BAND_RANGES.get(band, {}).items():
        ranges |= Q(**{kind: each_kind, f"{score}__gte": low, f"{score}__lte": high})
    return ranges


def is_critic(kind: str, score: int | None) -> bool:
    """A detractor on the primary question: NPS 0–6, CSAT 1–3, CES 1–3. A comment alone,
    however unhappy or glad, does not make a critic."""
    return score is not None and kind in CRITIC_MAX and score <= CRITIC_MAX[kind]


def critic_q(*, kind: str = "primary_kind", score: str = "primary_score") -> Q:
    """The critics, in SQL (the same rule as :func:`is_critic`)."""
    return band_q(LOW, kind=kind, score=score)


def follow_up_required(
    *, kind: str, score: int | None, comment: str, critics_without_comment: bool
) -> bool:
    """Whether a response opens a follow-up: always for a critic who left a comment; for a
    critic without one when the tenant's survey programme says so
    (``SurveySettings.follow_up_critics_without_comment``);
    never for anyone else (praise with a comment is read, not called back)."""
    if not is_critic(kind, score):
        return False
    return bool(comment.strip()) or critics_without_comment


# --- the figures' tallies, as SQL filters on an answer's (or a response's) score ---------------


def promoter_q(score: str = "score") -> Q:
    return Q(**{f"{score}__gte": NPS_PROMOTER_MIN})


def passive_q(score: str = "score") -> Q:
    return Q(**{f"{score}__gt": NPS_DETRACTOR_MAX, f"{score}__lt": NPS_PROMOTER_MIN})


def detractor_q(score: str = "score") -> Q:
    return Q(**{f"{score}__lte": NPS_DETRACTOR_MAX})


def satisfied_q(score: str = "score") -> Q:
    return Q(**{f"{score}__gte": CSAT_SATISFIED_MIN})
