"""The daily rollup (``surveys.rollups``) gives every figure the raw answers give: after random
writes in two tenants, a member's move and a complaint-free mix of brands, touchpoints,
performers and days; recomputing is harmless; a dashboard is exact before the catch-up ran."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from surveys import metrics
from surveys.models import Answer, AnswerDay, AnswerDayDue, Question
from surveys.rollups.services import answer_days_catch_up, answer_days_rebuild
from surveys.scoring import QuestionKind
from tenants import rls
from tenants.members import membership_change
from tenants.models import Department
from tests.dashboards.csat_fixtures import answered, service_desk
from tests.factories import BrandFactory, TouchpointFactory

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ATHENS = ZoneInfo("Europe/Athens")
FIRST, LAST = date(2026, 10, 1), date(2026, 11, 20)

pytestmark = pytest.mark.django_db


def write_randomly(tenant, brands, touchpoints, performers, count, seed):
    """``count`` responses to the service-desk survey at random moments of the period (late
    evenings included, which are the next day in Athens), brands, touchpoints, performers and
    scores, some questions skipped."""
    rng = random.Random(seed)
    version = service_desk(tenant)
    span = int((NOW - datetime(2026, 10, 1, tzinfo=UTC)).total_seconds() // 60)
    for _ in range(count):
        scores = {
            QuestionKind.CSAT: rng.randint(1, 5),
            QuestionKind.CES: rng.choice([None, *range(1, 8)]),
            QuestionKind.NPS: rng.choice([None, *range(0, 11)]),
            QuestionKind.CHOICE: rng.choice([None, "speed", "outcome"]),
        }
        answered(
            rng.choice(brands),
            version,
            when=datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(span)),
            comment=rng.choice(["", "Fine."]),
            touchpoint=rng.choice(touchpoints),
            performer=rng.choice(performers),
            **{kind: score for kind, score in scores.items() if score is not None},
        )
    return version


def raw(tenant):
    first = datetime.combine(FIRST, datetime.min.time(), ATHENS)
    after = datetime.combine(LAST + timedelta(days=1), datetime.min.time(), ATHENS)
    return Answer.objects.for_tenant(tenant).filter(
        response__submitted_at__gte=first, response__submitted_at__lt=after
    )


def rolled(tenant):
    return AnswerDay.objects.for_tenant(tenant).filter(day__gte=FIRST, day__lte=LAST)


def figures(answers, version):
    """Every figure the dashboards read, over ``answers`` (raw or rolled up)."""
    secondary_nps = Question.objects.for_tenant(version.tenant_id).filter(
        version=version, kind=QuestionKind.NPS
    )
    choice = Question.objects.for_tenant(version.tenant_id).get(
        version=version, kind=QuestionKind.CHOICE
    )
    found = {
        "csat": metrics.csat(answers),
        "csat by brand": metrics.csat_by(answers, "brand"),
        "csat by touchpoint": metrics.csat_by(answers, "touchpoint"),
        "csat by department": metrics.csat_by(answers, "department"),
        "csat by performer": metrics.csat_by(answers, "performer"),
        "csat scores": metrics.csat_distribution(answers),
        "ces scores": metrics.ces_distribution(answers, question=_kind(version, "ces")),
        "nps": metrics.nps(answers, question=secondary_nps),
        "nps by brand": metrics.nps_by(answers, "brand", question=secondary_nps),
        "nps scores": metrics.nps_distribution(answers, question=secondary_nps),
        "choices": metrics.choice_counts(answers, question=choice),
    }
    for unit in ("week", "month"):
        by = metrics.csat_by(answers, unit, zone=ATHENS)
        # The raw answers are grouped by the local midnight that starts each unit, the rollup
        # by its first day: the same key.
        found[f"csat by {unit}"] = {
            key.astimezone(ATHENS).date() if isinstance(key, datetime) else key: value
            for key, value in by.items()
        }
    ces = metrics.ces(answers, question=_kind(version, "ces"))
    return found, ces


def _kind(version, kind):
    return Question.objects.for_tenant(version.tenant_id).get(version=version, kind=kind)


def same(tenant, version):
    with rls.tenant(tenant):
        answer_days_catch_up()
        raw_figures, raw_ces = figures(raw(tenant), version)
        rolled_figures, rolled_ces = figures(rolled(tenant), version)
    assert rolled_figures == raw_figures
    assert rolled_ces == pytest.approx(raw_ces, abs=1e-9)
    return raw_figures


def test_after_random_writes_in_two_tenants_the_rollup_gives_every_raw_figure(
    clock, acme, acme_admin, acme_performer, acme_south_agent, acme_agent, globex, globex_agent
):
    clock(NOW)
    acme_brands = [BrandFactory(tenant=acme, name=name) for name in ("Rent", "Drive")]
    acme_points = [None, *(TouchpointFactory(tenant=acme, name=n) for n in ("Desk", "Phone"))]
    acme_people = [None, acme_performer, acme_south_agent, acme_agent]
    version = write_randomly(acme, acme_brands, acme_points, acme_people, 60, seed=1)
    # The other tenant answers on the same days: its rows share the table, never the figures.
    globex_version = write_randomly(
        globex, [BrandFactory(tenant=globex, name="Globex")], [None], [globex_agent], 25, seed=2
    )

    acme_figures = same(acme, version)
    globex_figures = same(globex, globex_version)

    assert acme_figures["csat"].whole == 60
    assert globex_figures["csat"].whole == 25
    with rls.tenant(acme):
        assert not AnswerDay.objects.for_tenant(acme).filter(brand__tenant=globex).exists()


def test_a_performer_moved_to_another_department_takes_their_answers_there_in_both(
    clock, acme, acme_admin, acme_performer, acme_agent
):
    clock(NOW)
    brand = BrandFactory(tenant=acme, name="Rent")
    version = write_randomly(acme, [brand], [None], [acme_performer, acme_agent], 30, seed=3)
    before = same(acme, version)["csat by department"]

    south = Department.objects.for_tenant(acme).exclude(pk=acme_performer.department_id).first()
    membership_change(
        actor=acme_admin, membership=acme_performer, role=acme_performer.role, department=south
    )

    after = same(acme, version)["csat by department"]
    assert after != before  # their answers went with them, in the raw figures and the rollup


def test_recomputing_is_harmless_and_a_day_without_answers_any_more_is_emptied(
    clock, acme, acme_performer
):
    clock(NOW)
    brand = BrandFactory(tenant=acme, name="Rent")
    write_randomly(acme, [brand], [None], [acme_performer], 20, seed=4)
    with rls.tenant(acme):
        answer_days_catch_up()
        rows = sorted(AnswerDay.objects.for_tenant(acme).values_list("day", "question", "score"))
        counted = sum(AnswerDay.objects.for_tenant(acme).values_list("answers", flat=True))

        answer_days_rebuild(tenant=acme)
        answer_days_rebuild(tenant=acme)

        again = sorted(AnswerDay.objects.for_tenant(acme).values_list("day", "question", "score"))
        assert again == rows
        assert counted == Answer.objects.for_tenant(acme).count()
        assert not AnswerDayDue.objects.for_tenant(acme).exists()

        # A stray row of a day that has no answers (a bulk delete, a restore) is removed.
        stray = AnswerDay.objects.for_tenant(acme).first()
        AnswerDay.objects.create(
            tenant=acme,
            day=date(2020, 1, 1),
            question_id=stray.question_id,
            purpose=stray.purpose,
            brand=brand,
            answers=5,
        )
        answer_days_rebuild(tenant=acme)
        assert not AnswerDay.objects.for_tenant(acme).filter(day=date(2020, 1, 1)).exists()


def test_each_answer_marks_its_day_due_and_the_dashboard_counts_it_before_any_catch_up(
    clock, client_of, acme, acme_manager, acme_performer
):
    clock(NOW)
    brand = BrandFactory(tenant=acme, name="Rent")
    version = service_desk(acme)
    answered(brand, version, when=NOW - timedelta(days=2), csat=5, performer=acme_performer)
    late = datetime(2026, 11, 19, 22, 30, tzinfo=UTC)  # 00:30 on the 20th in Athens
    answered(brand, version, when=late, csat=1, performer=acme_performer)
    with rls.tenant(acme):
        assert set(AnswerDayDue.objects.for_tenant(acme).values_list("day", flat=True)) == {
            date(2026, 11, 18),
            date(2026, 11, 20),
        }

    # No worker, no beat: the page recomputes the due days of its periods before it reads.
    page = client_of(acme_manager).get(reverse("dashboard-csat", kwargs={"tenant_slug": acme.slug}))

    assert (page.context["page"].csat.part, page.context["page"].csat.whole) == (1, 2)
    with rls.tenant(acme):
        assert not AnswerDayDue.objects.for_tenant(acme).exists()
        assert sorted(
            AnswerDay.objects.for_tenant(acme)
            .filter(question__kind=QuestionKind.CSAT)
            .values_list("day", "score", "answers")
        ) == [(date(2026, 11, 18), 5, 1), (date(2026, 11, 20), 1, 1)]


def test_the_beat_entry_and_the_rebuild_command_leave_nothing_due(clock, acme, acme_performer):
    from io import StringIO

    from django.core.management import call_command

    from config.celery import app as celery_app

    clock(NOW)
    brand = BrandFactory(tenant=acme, name="Rent")
    write_randomly(acme, [brand], [None], [acme_performer], 5, seed=5)
    due = AnswerDayDue.objects.for_tenant(acme).count()
    celery_app.loader.import_default_modules()

    task = celery_app.tasks[celery_app.conf.beat_schedule["answer-rollup"]["task"]]

    assert task.apply().get() == due > 0
    assert task.apply().get() == 0
    out = StringIO()
    call_command("rollups_rebuild", tenant=acme.slug, stdout=out)
    assert out.getvalue() == f"{acme.slug}: {due} days recomputed\n"
    assert not AnswerDayDue.objects.for_tenant(acme).exists()
