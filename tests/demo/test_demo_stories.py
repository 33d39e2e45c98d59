"""The stories the demo's year tells, read the way its dashboards read them (``surveys.metrics``,
``complaints.metrics`` and the Complaints page itself): a brand that improves while the others
stay flat, complaint volumes with a trend, a clear top root cause, a corrective action that
worked and one that did not, SLA compliance that differs, a backlog of every age, repeat
complainants, the CSAT survey's secondary questions and the funnel's skip reasons.

The whole demo is seeded once for the module (``seed_demo``, as ``make run`` does), inside a
transaction rolled back at its end.
"""

from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from complaints import metrics as complaint_metrics
from complaints.models import Category, Complaint, CorrectiveAction, RootCause
from demo.complaints_actions import STORIES
from demo.complaints_story import REPEATERS
from demo.surveys.story import CSAT_SURVEY
from ratings.periods import local_day
from surveys import metrics
from surveys.models import Answer, Interaction, Invitation, Question
from surveys.scoring import QuestionKind
from tenants import rls
from tenants.models import Brand, Department, Membership, Tenant

ADMIN = "admin@aegean.example"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
        rls.all_tenants(),
    ):
        call_command("seed_demo", "--force", stdout=StringIO())
        yield Tenant.objects.get(slug="aegean")
        transaction.set_rollback(True)


def ids(model, tenant, field: str = "slug") -> dict:
    return dict(model.objects.for_tenant(tenant).values_list(field, "pk"))


def complaints(tenant):
    return Complaint.objects.for_tenant(tenant)


def monthly(tenant, dimension: str) -> tuple[list, dict]:
    """The full months of the year (oldest first) and ``{key: [complaints per month]}``."""
    zone = ZoneInfo(tenant.time_zone)
    counts = complaint_metrics.volume_by(complaints(tenant), "month", dimension, zone=zone)
    this_month = local_day(timezone.now(), tenant.time_zone).replace(day=1)
    months = sorted({month for month, _key in counts if month < this_month})[1:]  # full ones
    keys = {key for _month, key in counts}
    return months, {key: [counts.get((month, key), 0) for month in months] for key in keys}


def mean(values) -> float:
    return sum(values) / len(values)


# --- surveys ----------------------------------------------------------------------------------


def test_aegean_insurance_climbs_from_below_zero_while_the_other_brands_stay_flat(db, demo):
    now = timezone.now()
    answers = Answer.objects.for_tenant(demo)
    first = answers.filter(
        response__submitted_at__gte=now - timedelta(days=365),
        response__submitted_at__lt=now - timedelta(days=245),
    )
    last = answers.filter(response__submitted_at__gte=now - timedelta(days=120))
    brands = ids(Brand, demo)

    then, lately = metrics.nps_by(first, "brand"), metrics.nps_by(last, "brand")

    insurance = brands["aegean-insurance"]
    assert then[insurance].score < 0 < 20 <= lately[insurance].score
    assert lately[insurance].score - then[insurance].score >= 30
    assert metrics.nps_difference(lately[insurance], then[insurance]).is_significant
    for slug in ("aegean-direct", "aegean-road"):
        change = lately[brands[slug]].score - then[brands[slug]].score
        assert abs(change) <= 15, (slug, change)
        assert metrics.nps_difference(lately[brands[slug]], then[brands[slug]]).p_value > 0.1
    assert lately[brands["aegean-direct"]].score > lately[brands["aegean-road"]].score + 20


def test_the_csat_survey_breaks_down_into_its_effort_and_nps_questions(db, demo):
    answers = Answer.objects.for_tenant(demo)
    questions = Question.objects.for_tenant(demo).filter(version__survey__name=CSAT_SURVEY)
    effort = questions.get(kind=QuestionKind.CES)
    recommend = questions.get(kind=QuestionKind.NPS, is_primary=False)

    csat = metrics.csat(answers.filter(question__in=questions))

    assert csat.whole >= 300
    assert 40 <= csat.percent <= 75
    # Every customer who answered the survey scored each question.
    assert metrics.nps(answers, question=recommend).answered == csat.whole
    assert sum(metrics.ces_distribution(answers, question=effort).values()) == csat.whole
    assert 3 <= metrics.ces(answers, question=effort) <= 6


def test_the_funnel_counts_every_skip_reason(db, demo):
    interactions = Interaction.objects.for_tenant(demo)
    invitations = Invitation.objects.for_tenant(demo).filter(interaction__in=interactions)

    funnel = metrics.funnel(interactions, invitations)

    assert funnel.interactions >= 12000
    assert all(funnel.coverage.skipped[reason] > 100 for reason in funnel.coverage.skipped)
    assert funnel.coverage.part + sum(funnel.coverage.skipped.values()) == funnel.coverage.whole


# --- complaints -------------------------------------------------------------------------------


def test_billing_complaints_surge_and_fall_and_road_delays_rise(db, demo):
    months, by_category = monthly(demo, "category")
    categories = ids(Category, demo, "code")
    billing = by_category[categories["billing"]]
    road = by_category[categories["road-assistance"]]

    assert len(months) >= 10
    assert max(billing) >= 3 * max(billing[-2:])  # the fault's peak, and since the fix
    assert max(billing) >= 3 * billing[0]  # and before the fault
    assert mean(road[-3:]) >= 1.6 * mean(road[:6])


def test_the_phone_gives_way_to_the_web_form(db, demo):
    _months, by_channel = monthly(demo, "channel")
    totals = [sum(month) for month in zip(*by_channel.values(), strict=True)]

    def share(channel, months):
        return sum(by_channel[channel][months]) / sum(totals[months])

    early, late = slice(0, 4), slice(-4, None)
    assert share("phone", early) >= 1.4 * share("phone", late)
    assert share("web_form", late) >= 1.4 * share("web_form", early)


def test_slow_claim_handling_is_the_clear_top_root_cause(db, demo):
    pareto = complaint_metrics.root_cause_pareto(complaints(demo))
    causes = ids(RootCause, demo, "code")

    top, second = pareto.rows[:2]

    assert top.root_cause_id == causes["slow-handling"]
    assert top.complaints >= 1.4 * second.complaints
    assert top.percent >= 25
    assert len(pareto.rows) == 7


def test_sla_compliance_differs_between_departments_and_brands(db, demo):
    now = timezone.now()
    departments = ids(Department, demo, "code")
    brands = ids(Brand, demo)

    by_department = complaint_metrics.sla_compliance_by(complaints(demo), "department", now=now)
    by_brand = complaint_metrics.sla_compliance_by(complaints(demo), "brand", now=now)

    first = {key: clocks["first_response"].percent for key, clocks in by_department.items()}
    assert first[departments["athens-centre"]] >= first[departments["thessaloniki"]] + 20
    assert max(first.values()) - min(first.values()) >= 25
    direct = by_brand[brands["aegean-direct"]]["first_response"].percent
    insurance = by_brand[brands["aegean-insurance"]]["first_response"].percent
    assert direct >= insurance + 15
    overall = complaint_metrics.sla_compliance(complaints(demo), now=now)
    assert 85 <= overall["acknowledge"].percent < 100
    assert 50 <= overall["first_response"].percent <= 85


def test_the_backlog_is_small_and_of_every_age_and_some_complain_again(db, demo):
    today = local_day(timezone.now(), demo.time_zone)
    zone = ZoneInfo(demo.time_zone)

    ages = complaint_metrics.backlog_ageing(complaints(demo), today=today, zone=zone)
    repeat = complaint_metrics.repeat_complainants(complaints(demo), threshold=3)

    assert 12 <= sum(ages.values()) <= 45
    assert sum(1 for count in ages.values() if count) >= 3
    assert ages[(30, None)] >= 2  # a few stuck
    names = dict(complaints(demo).values_list("customer_id", "customer__name"))
    assert {names[customer]: n for customer, n in repeat.items()} == {
        name: recent + before for name, _language, recent, before in REPEATERS
    }


def test_one_corrective_action_worked_and_one_did_not(db, demo):
    zone = ZoneInfo(demo.time_zone)
    now = timezone.now()
    today = local_day(now, demo.time_zone)
    done = list(
        CorrectiveAction.objects.for_tenant(demo)
        .filter(status=CorrectiveAction.Status.DONE)
        .select_related("complaint__category", "complaint__root_cause")
        .order_by("completed_at")
    )
    months = [action.completed_at.astimezone(zone).date().replace(day=1) for action in done]
    since, _until = complaint_metrics.effectiveness_window(months)
    counts = complaint_metrics.monthly_counts(
        complaints(demo).filter(received_at__gte=complaint_metrics.local_midnight(since, zone)),
        zone=zone,
    )

    effects = {
        action.complaint.category.code: complaint_metrics.effectiveness(
            counts,
            category_id=action.complaint.category_id,
            root_cause_id=action.complaint.root_cause_id,
            completed_month=month,
            current_month=today.replace(day=1),
        )
        for action, month in zip(done, months, strict=True)
    }

    assert [(a.complaint.category.code, a.complaint.root_cause.code) for a in done] == [
        ("billing", "billing-error"),
        ("road-assistance", "partner-delay"),
    ]
    # Both completed within the dashboards' default 90 days, with a full month after.
    assert all(now - action.completed_at < timedelta(days=89) for action in done)
    worked, failed = effects["billing"], effects["road-assistance"]
    for field in ("category", "root_cause"):
        assert len(worked.after) >= 1 and len(failed.after) >= 1
        assert worked.mean(field, "after") <= 0.6 * worked.mean(field, "before"), field
        assert worked.dropped(field) is True
        assert failed.mean(field, "after") >= failed.mean(field, "before"), field
        assert failed.dropped(field) is False
    statuses = complaint_metrics.corrective_action_counts(
        CorrectiveAction.objects.for_tenant(demo), today=today
    )
    assert statuses["done"] == 2
    assert statuses["in_progress"] >= 2 and statuses["open"] >= 1 and statuses["overdue"] >= 1


def test_the_complaints_page_shows_both_actions_by_default(db, demo, client):
    admin = Membership.objects.for_tenant(demo).get(user__email=ADMIN)
    client.force_login(admin.user)

    response = client.get(reverse("dashboard-complaints", kwargs={"tenant_slug": demo.slug}))

    assert response.status_code == 200
    page = response.context["page"]
    shown = {effect.description: effect.summary for effect in page.effects}
    worked, failed = (story.description for story in STORIES[:2])
    assert sorted(shown) == sorted([worked, failed])
    assert [dropped for _before, _after, dropped in shown[worked].values()] == [True, True]
    assert [dropped for _before, _after, dropped in shown[failed].values()] == [False, False]
    repeaters = {row.name for row in page.repeat}
    assert repeaters == {name for name, _language, recent, _before in REPEATERS if recent >= 3}


def test_the_nps_page_reads_the_whole_history_from_the_rollup(db, demo, client):
    from surveys.models import AnswerDayDue

    admin = Membership.objects.for_tenant(demo).get(user__email=ADMIN)
    client.force_login(admin.user)
    assert not AnswerDayDue.objects.for_tenant(demo).exists()  # the seed rebuilt every day

    response = client.get(reverse("dashboard-nps", kwargs={"tenant_slug": demo.slug}))

    page = response.context["page"]
    first, after = page.period.instants(demo.time_zone)
    raw = Answer.objects.for_tenant(demo).filter(
        response__submitted_at__gte=first, response__submitted_at__lt=after
    )
    assert page.nps == metrics.nps(raw)
    assert page.nps.answered > 300
