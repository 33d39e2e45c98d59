"""What a score means: scales, the critic thresholds and bands. The one place they are written;
models, responses, follow-ups, metrics and pages read them here."""

from django.db import models
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
# Critics: NPS detractors (0–6) and CSAT 1–3 (DESIGN: they get a follow-up).
CRITIC_MAX = {QuestionKind.NPS: 6, QuestionKind.CSAT: 3}
# What the ends of each fixed scale mean, shown next to the numbers (email and page).
SCALE_ENDS = {
    QuestionKind.NPS: (_("Not at all likely"), _("Extremely likely")),
    QuestionKind.CSAT: (_("Very dissatisfied"), _("Very satisfied")),
    QuestionKind.CES: (_("Very difficult"), _("Very easy")),
}


def is_critic(kind: str, score: int | None, comment: str) -> bool:
    """NPS 0–6, CSAT 1–3 on the primary question, or any comment: someone should call back."""
    if comment.strip():
        return True
    return score is not None and kind in CRITIC_MAX and score <= CRITIC_MAX[kind]
