"""Survey figures, computed in SQL: what every page, export and API shows.

The README's "Figures" section defines each in words; this module is that definition. Every
function takes a queryset the caller has already scoped and filtered (tenant, brand,
touchpoint, department, performer, period) and returns plain numbers; each has a ``*_by`` twin
that returns the same figure per brand, touchpoint, department, performer or period, in one
GROUP BY, from the same filters and counts. Nothing loops over rows in Python. The score
thresholds come from ``surveys.scoring``. The answer figures take the raw answers or their
daily rollup (``surveys.rollups``: ``AnswerDay`` rows, each a number of identical answers):
the same definitions, a count becoming a sum of that number and a mean a weighted mean;
grouped by week or month, the rollup's keys are the first days (dates), the raw answers' the
local midnights that start them.

* **Which answers.** NPS, CSAT and CES are computed over the survey's *primary* question (the
  overall impression; every published version has exactly one) unless ``question`` names
  another question (or a queryset of questions). A secondary NPS question in a CSAT survey is
  therefore not in the NPS unless it is named.
* **Re-rates are history.** The answer to a re-rate invitation (purpose RERATE, sent after a
  critic's follow-up) is never counted a second time: the figures take first answers only,
  and ``after_follow_up=True`` gives the same figure over the re-rates alone.
* **NPS** codes each answered score +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor,
  0–6). With p and d the shares of promoters and detractors among the n answered scores:

      NPS = 100 · (p − d)        variance = p + d − (p − d)²        SE = √(variance / n)

  and the 95 % margin of error is 1.96 · SE (in points: × 100). Skipped questions (no score)
  are counted apart and are not in n. ``nps_distribution`` counts the answers of each score
  0–10 over the same rows.
* **Two NPS compared** (two periods, two brands: independent samples): ``nps_difference``
  takes D = NPS_a − NPS_b with SE_D = √(SE_a² + SE_b²), z = D / SE_D and the two-sided
  p-value erfc(|z| / √2); the difference is significant when p < 0.05. Either side without
  answers, or no spread at all on both (SE_D = 0), leaves it untested (None).
* **CSAT** is the share of 4–5 among the answered scores, and their mean (1–5). With p that
  share and n the answered scores, SE = √(p · (1 − p) / n) and the 95 % margin of error is
  1.96 · SE, in points (× 100): 90 satisfied of 120 give 75 % ± 7.7.
* **Two CSAT compared** (two periods, two brands): ``csat_difference`` is the two-proportion
  z-test. D = p_a − p_b; under "no difference" both samples share the pooled share
  p = (x_a + x_b) / (n_a + n_b), so SE_D = √(p · (1 − p) · (1/n_a + 1/n_b)), z = D / SE_D and
  the two-sided p-value erfc(|z| / √2); significant when p < 0.05. Either side without answers,
  or a pooled share of 0 or 1 (SE_D = 0), leaves it untested. Worked example: 90 satisfied of
  120 (75 %) against 60 of 100 (60 %): pooled 150/220 = 0.682, SE_D = 6.31 points, D = +15,
  z = 2.38, p = 0.017, significant; 8 of 10 against 6 of 10: z = 0.98, p = 0.33, noise.
* **CES** is the mean effort score (1–7, higher is easier). ``csat_distribution`` and
  ``ces_distribution`` count the answers of each score like ``nps_distribution``;
  ``choice_counts`` counts a single-choice question's answers by choice.
* **Response rate** = answered / invitations whose first email the SMTP server accepted
  (``accepted_at``, stamped when its outbox row reached "sent"); invitations merely queued
  (``sent_at`` set) and those whose email failed for good are counted beside it.
* **Coverage** = invited / the sample: the interactions that matched a survey rule (every
  decision but "no rule", "not eligible" and "not decided yet"), with each skip reason counted
  beside it, so invited + skips = sample.
* **Recovery**: of the critics re-rated after a follow-up, the share no longer critics.
* **Funnel** (``funnel``): a set of interactions → those in the sample (matched a rule) →
  invited → their first emails accepted by the SMTP server → answered; the last two are the
  response rate's whole and part over the first invitations of those interactions, so each
  stage is part of the one before it.
"""

from surveys.metrics.differences import (
    SIGNIFICANCE,
    Difference,
    csat_difference,
    nps_difference,
    share_difference,
)
from surveys.metrics.figures import (
    OUTSIDE_THE_SAMPLE,
    SKIP_REASONS,
    Z_95,
    Coverage,
    Csat,
    Decision,
    Funnel,
    NamedQuestion,
    Nps,
    ResponseRate,
    Share,
    ces,
    ces_distribution,
    choice_counts,
    coverage,
    csat,
    csat_distribution,
    follow_up_recovery,
    funnel,
    nps,
    nps_distribution,
    response_rate,
)
from surveys.metrics.grouped import (
    DIMENSIONS,
    PERIODS,
    ces_by,
    coverage_by,
    csat_by,
    follow_up_recovery_by,
    nps_by,
    response_rate_by,
)

__all__ = [
    "DIMENSIONS",
    "OUTSIDE_THE_SAMPLE",
    "PERIODS",
    "SIGNIFICANCE",
    "SKIP_REASONS",
    "Z_95",
    "Coverage",
    "Csat",
    "Decision",
    "Difference",
    "Funnel",
    "NamedQuestion",
    "Nps",
    "ResponseRate",
    "Share",
    "ces",
    "ces_by",
    "ces_distribution",
    "choice_counts",
    "coverage",
    "coverage_by",
    "csat",
    "csat_by",
    "csat_difference",
    "csat_distribution",
    "follow_up_recovery",
    "follow_up_recovery_by",
    "funnel",
    "nps",
    "nps_by",
    "nps_difference",
    "nps_distribution",
    "response_rate",
    "response_rate_by",
    "share_difference",
]
