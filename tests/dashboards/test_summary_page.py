"""The programme summary: every figure is its metrics module's for the same filter, and the
table of ``summary_fixtures`` worked out by hand; the tenant's norms; who may read it; what the
filters do; its query count."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints import metrics as complaint_metrics
from complaints.models import Complaint
from surveys import metrics
from surveys.models import Answer, FollowUp, Interaction, Invitation
from surveys.programme.services import survey_settings_update
from surveys.rollups.services import answer_days_catch_up
from tenants.models import Department, Role
from tests.dashboards.summary_fixtures import (
    NOW,
    PERIOD,
    PREVIOUS,
    event,
    make_world,
    programme,
    surveyed,
)
from tests.factories import make_member

ATHENS = ZoneInfo("Europe/Athens")


def url(tenant, **query) -> str:
    path = reverse("dashboard-summary", kwargs={"tenant_slug": tenant.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def instants(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(), ATHENS),
        datetime.combine(end + timedelta(days=1), time(), ATHENS),
    )


def direct(tenant, start: date, end: date, **on_interaction) -> dict:
    """Each figure of the summary by the metrics modules called directly: the events that
    happened from ``start`` to ``end`` (days in Athens) and their invitations, the answers
    and critics' follow-ups received then, the complaints received and resolved then;
    ``on_interaction`` narrows the survey rows by their interaction."""
    first, after = instants(start, end)
    events = Interaction.objects.for_tenant(tenant).filter(
        occurred_at__gte=first, occurred_at__lt=after, **on_interaction
    )
    through = {f"response__interaction__{k}": v for k, v in on_interaction.items()}
    received = {"response__submitted_at__gte": first, "response__submitted_at__lt": after}
    answers = Answer.objects.for_tenant(tenant).filter(**received, **through)
    complaints = Complaint.objects.for_tenant(tenant)
    return {
        "coverage": metrics.coverage(events),
        "response_rate": metrics.response_rate(
            Invitation.objects.for_tenant(tenant).filter(interaction__in=events)
        ),
        "csat": metrics.csat(answers),
        "nps": metrics.nps(answers),
        "recovery": metrics.follow_up_recovery(
            FollowUp.objects.for_tenant(tenant).filter(**received, **through)
        ),
        "complaints_received": complaint_metrics.volume(
            complaints.filter(received_at__gte=first, received_at__lt=after)
        ),
        "complaints_resolved": complaints.filter(
            resolved_at__gte=first, resolved_at__lt=after
        ).count(),
    }


FIGURES = (
    "coverage",
    "response_rate",
    "csat",
    "nps",
    "recovery",
    "complaints_received",
    "complaints_resolved",
)


def as_dict(programme) -> dict:
    return {name: getattr(programme, name) for name in FIGURES}


@pytest.fixture
def world(
    clock, acme, acme_brand, acme_setup, acme_admin, acme_agent, complaint_in, smtp_server,
    globex, globex_brand,
):  # fmt: skip
    return make_world(clock, acme, acme_brand, acme_admin, acme_agent, complaint_in, globex_brand)


def show(client, tenant, **query):
    response = client.get(url(tenant, **query))
    assert response.status_code == 200, response.content.decode()[:3000]
    return response.context["page"]


def page_html(client, tenant, **query) -> str:
    return client.get(url(tenant, **query)).content.decode()


# --- every figure is the metrics modules', and the hand-computed table -----------------------


def test_every_figure_is_the_metrics_modules_and_the_hand_computed_one(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme)

    assert (page.period.start, page.period.end) == PERIOD
    assert (page.compared_period.start, page.compared_period.end) == PREVIOUS
    assert as_dict(page.now) == direct(acme, *PERIOD)
    assert as_dict(page.previous) == direct(acme, *PREVIOUS)
    now = page.now
    # 16 events: 9 invited; skipped: opted out, no email, too old, throttled, not sampled (5);
    # outside the sample: no rule, not eligible. Coverage 9 / 14 = 64.3 %.
    assert (now.coverage.part, now.coverage.whole) == (9, 14)
    assert round(now.coverage.percent, 2) == 64.29
    assert now.coverage.skipped == {
        "opted_out": 1,
        "no_email": 1,
        "too_old": 1,
        "throttled": 1,
        "not_sampled": 1,
    }
    # 9 emails queued, 8 accepted (the one of 40 days ago only queued), 7 of those answered.
    rate = now.response_rate
    assert (rate.part, rate.whole, rate.queued, rate.failed) == (7, 8, 9, 0)
    assert rate.percent == 87.5
    # CSAT: Rent's 5, 4, 2 → 2 of 3 satisfied (66.7 %), mean 11 / 3.
    assert (now.csat.part, now.csat.whole, round(now.csat.mean, 3)) == (2, 3, 3.667)
    # NPS: Motor's first answers 10, 9, 3, 5 (re-rates apart) → 2 − 2 of 4 = 0 ± 98.
    assert (now.nps.answered, now.nps.promoters, now.nps.detractors, now.nps.score) == (
        4,
        2,
        2,
        0.0,
    )
    # Re-rated critics: 3 → 8 recovered, 5 → 4 not; the CSAT 2 was not re-rated.
    assert (now.recovery.part, now.recovery.whole, now.recovery.percent) == (1, 2, 50.0)
    # Complaints: A and C received; A and B (received before) resolved.
    assert (now.complaints_received, now.complaints_resolved) == (2, 2)
    # Before: 3 of 4 invited, 2 answered of 3 accepted; CSAT 2 (0 %); NPS 9 (+100); B and E
    # received, E resolved.
    before = page.previous
    assert (before.coverage.part, before.coverage.whole) == (3, 4)
    assert (before.response_rate.part, before.response_rate.whole) == (2, 3)
    assert (before.csat.part, before.csat.whole, before.csat.mean) == (0, 1, 2.0)
    assert (before.nps.answered, before.nps.score) == (1, 100.0)
    assert (before.recovery.whole, before.recovery.percent) == (0, None)
    assert (before.complaints_received, before.complaints_resolved) == (2, 1)


def test_each_change_since_the_previous_period(client_of, acme, acme_manager, world):
    page = show(client_of(acme_manager), acme)

    changes = page.changes
    assert (changes.invited, changes.answered) == (6, 5)
    assert round(changes.response_rate, 2) == round(87.5 - 200 / 3, 2) == 20.83
    assert round(changes.coverage, 2) == round(900 / 14 - 75, 2) == -10.71
    assert changes.csat == metrics.csat_difference(page.now.csat, page.previous.csat)
    # +66.7 points: pooled 2 / 4, SE = 100 · √(0.25 · (1/3 + 1)) = 57.74, z = 1.155, p = 0.248.
    assert (round(changes.csat.z, 3), round(changes.csat.p_value, 3)) == (1.155, 0.248)
    assert changes.csat.is_significant is False
    assert round(changes.csat_mean, 3) == round(11 / 3 - 2, 3)
    # NPS 0 (SE 50) against +100 (no spread): z = −100 / 50 = −2, p = 0.0455: significant.
    assert changes.nps == metrics.nps_difference(page.now.nps, page.previous.nps)
    assert (changes.nps.difference, changes.nps.z, round(changes.nps.p_value, 4)) == (
        -100.0,
        -2.0,
        0.0455,
    )
    assert changes.recovery is None  # nobody re-rated before
    assert (changes.complaints_received, changes.complaints_resolved) == (0, 1)
    html = page_html(client_of(acme_manager), acme)
    assert 'id="summary-invited">9<' in html
    assert 'id="summary-invited-change">+6<' in html
    assert 'id="summary-response-rate">87.5 %<' in html
    assert 'id="summary-response-rate-change">+20.8 pts<' in html
    assert 'id="summary-coverage">64.3 %<' in html
    assert 'id="summary-coverage-change">-10.7 pts<' in html
    assert 'id="summary-csat">67 %<' in html
    assert "mean 3.67 of 3 answers" in html
    assert re.search(r'id="summary-nps-change">-100 <span class="badge warn">▼ significant', html)
    assert 'id="summary-recovery">50 %<' in html
    assert 'id="summary-complaints-resolved-change">+1<' in html


def test_the_figures_stand_against_the_tenants_norms(
    client_of, acme, acme_admin, acme_manager, world
):
    client = client_of(acme_manager)

    # The default norm 5–15 %: 87.5 % is above it; CSAT 66.7 % meets the default 60 %.
    page = show(client, acme)
    assert (page.norms.response_rate_low, page.norms.response_rate_high) == (5, 15)
    assert (page.response_rate_status, page.norms.csat_target, page.csat_met) == (
        "above",
        60,
        True,
    )
    assert "above the norm 5–15 %" in page_html(client, acme)

    survey_settings_update(
        actor=acme_admin,
        response_rate_low_percent=80,
        response_rate_high_percent=90,
        csat_target_percent=70,
    )
    page = show(client, acme)
    assert (page.response_rate_status, page.csat_met) == ("within", False)
    html = page_html(client, acme)
    assert "within the norm 80–90 %" in html
    assert "below the target 70 %" in html
    figure = client.get(url(acme)).context["figures"]["response_rate"]
    band, rate, previous = figure["data"]
    assert (band["base"], band["x"]) == ([80], [10])
    assert (rate["x"], previous["x"]) == ([87.5], [66.7])

    survey_settings_update(actor=acme_admin, response_rate_low_percent=88)
    page = show(client, acme)
    assert page.response_rate_status == "below"
    assert "below the norm 88–90 %" in page_html(client, acme)


def test_the_sample_chart_and_table_link_each_skip_to_the_interactions_page(
    client_of, acme, acme_manager, world
):
    client = client_of(acme_manager)
    response = client.get(url(acme))

    bars = response.context["figures"]["sample"]["data"][0]
    assert list(zip(bars["y"], bars["x"], strict=True)) == [
        ("Invited", 9),
        ("Customer opted out", 1),
        ("No email address", 1),
        ("Event older than the maximum age", 1),
        ("Surveyed recently", 1),
        ("Not in the sample", 1),
    ]
    throttled = next(link for label, _n, link in response.context["skips"] if "recently" in label)
    assert throttled == "/acme/surveys/interactions/?decision=throttled"
    listed = client.get(throttled)
    assert listed.status_code == 200
    assert [row.decision for row in listed.context["page"].rows] == ["throttled"]


def test_without_a_comparison_there_is_no_change(client_of, acme, acme_manager, world):
    page = show(client_of(acme_manager), acme, compare="none")

    assert (page.compared_period, page.previous, page.changes) == (None, None, None)
    assert as_dict(page.now) == direct(acme, *PERIOD)
    assert "summary-invited-change" not in page_html(client_of(acme_manager), acme, compare="none")


# --- the filters -------------------------------------------------------------------------------


def test_a_brand_narrows_the_survey_figures_and_the_complaints(
    client_of, acme, acme_manager, world
):
    rent = world["programme"].rent

    page = show(client_of(acme_manager), acme, brand=rent.pk)

    assert as_dict(page.now) == {
        **direct(acme, *PERIOD, brand=rent),
        # Every complaint is Acme Motor's.
        "complaints_received": 0,
        "complaints_resolved": 0,
    }
    # Rent: 3 invited of 3, all accepted and answered; CSAT 2 of 3; no NPS.
    assert (page.now.coverage.part, page.now.coverage.whole) == (3, 3)
    assert (page.now.response_rate.part, page.now.response_rate.whole) == (3, 3)
    assert (page.now.csat.part, page.now.nps.answered) == (2, 0)


def test_a_department_narrows_to_the_events_its_performers_served(
    client_of, acme, acme_manager, world
):
    north = Department.objects.for_tenant(acme).get(code="north")

    page = show(client_of(acme_manager), acme, department=north.pk)

    in_north = {"performer__department__path__startswith": north.path}
    survey = direct(acme, *PERIOD, **in_north)
    assert {name: getattr(page.now, name) for name in FIGURES[:5]} == {
        name: survey[name] for name in FIGURES[:5]
    }
    # Bob's two: Motor 10 and Rent 5, both accepted and answered.
    assert (page.now.coverage.part, page.now.coverage.whole) == (2, 2)
    assert page.now.response_rate.percent == 100.0
    assert (page.now.nps.score, page.now.csat.percent) == (100.0, 100.0)


# --- who may read it ---------------------------------------------------------------------------


def test_an_analyst_reads_the_same_figures(client_of, acme, acme_analyst, world):
    assert as_dict(show(client_of(acme_analyst), acme).now) == direct(acme, *PERIOD)


@pytest.mark.parametrize("persona", ["acme_performer", "acme_agent"])
def test_performers_and_agents_see_no_summary(client_of, acme, persona, request, clock):
    clock(NOW)

    assert client_of(request.getfixturevalue(persona)).get(url(acme)).status_code == 403


def test_another_workspace_is_a_404(client_of, acme, globex_agent, clock):
    clock(NOW)

    assert client_of(globex_agent).get(url(acme)).status_code == 404


def test_another_tenants_rows_never_appear(client_of, acme, globex, world):
    globex_manager = make_member(globex, "gina", Role.MANAGER, "hq")

    page = show(client_of(globex_manager), globex)

    # Globex's one event, invited (its email accepted) and answered 0; nothing of Acme's.
    assert (page.now.coverage.part, page.now.coverage.whole) == (1, 1)
    assert (page.now.response_rate.part, page.now.response_rate.whole) == (1, 1)
    assert (page.now.nps.answered, page.now.nps.score) == (1, -100.0)
    assert (page.now.complaints_received, page.now.complaints_resolved) == (0, 0)


def test_a_bad_filter_answers_400_with_no_figure(client_of, acme, acme_manager, clock):
    clock(NOW)

    response = client_of(acme_manager).get(url(acme, start="2026-02-30"))

    assert response.status_code == 400
    assert response.context["filters"].form.errors == {"start": ["Enter a valid date."]}
    assert "page" not in response.context
    assert "figure-response-rate" not in response.content.decode()


def test_the_page_runs_no_inline_script(client_of, acme, acme_manager, world):
    response = client_of(acme_manager).get(url(acme))

    assert "unsafe-inline" not in response["Content-Security-Policy"]
    body = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", body)
    assert {attributes for attributes in scripts if "src=" not in attributes} == {
        f' id="figure-{key}" type="application/json"' for key in ("response-rate", "sample")
    }
    assert " style=" not in body


# --- a fixed number of queries ----------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_few_or_many_rows(
    client_of, acme, acme_brand, acme_admin, acme_manager, clock, smtp_server,
    django_assert_num_queries,
):  # fmt: skip
    clock(NOW)
    prog = programme(acme, acme_brand, acme_admin, clock)
    client = client_of(acme_manager)
    client.get(url(acme))  # warm the session

    def add(number):
        for n in range(number):
            if n % 3:
                surveyed(acme_brand, n % 11 if n % 2 else None, 1 + n % 170, programme=prog)
            else:
                event(prog.road, when=NOW - timedelta(days=1 + n % 170))
        clock(NOW)

    # The workspace (4); the brand, touchpoint, department and category choices (4); the
    # norms (1); per period (2): coverage, response rate, CSAT, NPS, recovery, complaints
    # received and resolved (7); the rollup's due days, none once the beat's catch-up has run (1).
    queries = 4 + 4 + 1 + 2 * 7 + 1
    add(3)
    answer_days_catch_up()
    with django_assert_num_queries(queries):
        few = client.get(url(acme))
    add(12)
    answer_days_catch_up()
    with django_assert_num_queries(queries):
        many = client.get(url(acme))

    assert few.context["page"].now.coverage.whole < many.context["page"].now.coverage.whole
