"""Demo surveys: two published surveys with their rules, and a year of service interactions with
the invitations, answers, follow-ups and re-rates that came of them.

The surveys and rules are built with the builder's own functions. The year of history cannot go
through ``interaction_record``, which rightly refuses an event older than 24 hours. So
the history is planned in Python (``history``) and decided by the same rules in the same order
(rule match, opt-out, email, age, throttle, sample bucket), then written with ``bulk_create``:
one INSERT per table and batch, nothing read inside the loops. A handful of events of the last
hours then go through ``interaction_record`` for real, so the sender and the outbox have work
when the demo starts. What is said, and in what shares, is in ``story``.

The rows tell a story a dashboard can show: Aegean Direct is liked (NPS about +35) all year,
Aegean Road Assist much less (about +5: tow trucks are late), Aegean Insurance climbed from
below zero a year ago to about +35 now (its claims handling was rebuilt), and some performers
serve better than others. Critics get a follow-up from a manager of the touchpoint's
department; about half of those called back are asked to rate again, and about half of those
who do moved to good.

The history is written once: when the tenant has the demo's events (source api or import, with a
``demo-`` reference), no event is added. The demo complaints' closing interactions are dated back
to their closing on every run (``History.complaint_events``): a rerun with more complaints
needs it too.
"""

import random
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from demo.surveys.history import LIVE_PREFIX, REFERENCE_PREFIX, History
from demo.surveys.live import record_live_events
from demo.surveys.story import RULES, SURVEYS
from demo.tenant import demo_actor
from surveys.builder.publishing import draft_open, survey_create, version_publish
from surveys.builder.questions import question_add
from surveys.builder.rules import rule_create
from surveys.models import Interaction, Survey
from surveys.rollups.services import answer_days_rebuild
from tenants.models import Brand, Membership, Tenant, Touchpoint

__all__ = ["LIVE_PREFIX", "REFERENCE_PREFIX", "seed_demo_surveys"]

Source = Interaction.Source


def seed_demo_surveys(tenant: Tenant, *, interactions: int = 12000, seed: int = 2025) -> int:
    """Add the demo surveys, their rules and about ``interactions`` events of the last year
    with everything that followed them; returns how many events were added (0 on a rerun).

    Also dates the demo complaints' closing interactions back to when the complaints closed.
    """
    with transaction.atomic():
        actor = demo_actor(tenant)
        surveys_since = _ensure_surveys(tenant, actor)
        is_seeded = (
            Interaction.objects.for_tenant(tenant)
            .filter(
                source__in=[Source.API, Source.IMPORT],
                external_reference__startswith=REFERENCE_PREFIX,
            )
            .exists()
        )
        live_count = 0 if is_seeded else min(12, interactions // 10)
        history = History(tenant, random.Random(seed), timezone.now())
        events = [] if is_seeded else history.new_events(max(interactions - live_count, 0))
        events += history.complaint_events(surveys_since=surveys_since)
        history.decide(events)
        history.write()
        record_live_events(history, live_count)
        # The history's answers were written in bulk, around the rollup's one writer.
        answer_days_rebuild(tenant=tenant)
    return sum(event.is_new for event in events) + live_count


def _ensure_surveys(tenant: Tenant, actor: Membership) -> datetime:
    """The two demo surveys, published, with their rules (made once: a rerun keeps edits);
    returns when the first of them was made."""
    brands = {brand.slug: brand for brand in Brand.objects.for_tenant(tenant)}
    touchpoints = {
        touchpoint.code: touchpoint for touchpoint in Touchpoint.objects.for_tenant(tenant)
    }
    for name, questions in SURVEYS.items():
        if Survey.objects.for_tenant(tenant).filter(name=name).exists():
            continue
        survey = survey_create(actor=actor, name=name)
        draft = draft_open(actor=actor, survey=survey)
        for question in questions:
            question_add(actor=actor, version=draft, **question)
        version_publish(actor=actor, version=draft)
        for survey_name, brand, touchpoint, delay, sample, order in RULES:
            if survey_name == name:
                rule_create(
                    actor=actor,
                    survey=survey,
                    brand=brands.get(brand),
                    touchpoint=touchpoints.get(touchpoint),
                    delay_minutes=delay,
                    sample_percent=sample,
                    order=order,
                )
    return min(
        Survey.objects.for_tenant(tenant)
        .filter(name__in=SURVEYS)
        .values_list("created_at", flat=True)
    )
