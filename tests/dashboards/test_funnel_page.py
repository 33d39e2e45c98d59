"""The survey funnel: every stage is ``surveys.metrics.funnel``'s for the same filter, and the
table of ``summary_fixtures`` worked out by hand; the same coverage and response rate as the
programme summary; each stage and reason links to the interactions page; who may read it; its
query count."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from surveys import metrics
from surveys.models import Interaction, Invitation
from tests.dashboards.summary_fixtures import (
    NOW,
    PERIOD,
    PREVIOUS,
    event,
    make_world,
    programme,
    surveyed,
)
from tests.dashboards.test_summary_page import instants


def url(tenant, **query) -> str:
    path = reverse("dashboard-funnel", kwargs={"tenant_slug": tenant.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def direct(tenant, start, end, **on_interaction) -> metrics.Funnel:
    """``metrics.funnel`` called directly: the events that happened from ``start`` to ``end``
    (days in Athens), and their invitations."""
    first, after = instants(start, end)
    events = Interaction.objects.for_tenant(tenant).filter(
        occurred_at__gte=first, occurred_at__lt=after, **on_interaction
    )
    return metrics.funnel(
        events, Invitation.objects.for_tenant(tenant).filter(interaction__in=events)
    )


@pytest.fixture
def world(
    clock, acme, acme_brand, acme_setup, acme_admin, acme_agent, complaint_in, smtp_server,
    globex, globex_brand,
):  # fmt: skip
    return make_world(clock, acme, acme_brand, acme_admin, acme_agent, complaint_in, globex_brand)


def show(client, tenant, **query):
    response = client.get(url(tenant, **query))
    assert response.status_code == 200, response.content.decode()[:3000]
    return response


def test_every_stage_is_the_metrics_modules_and_the_hand_computed_one(
    client_of, acme, acme_manager, world
):
    response = show(client_of(acme_manager), acme)
    page = response.context["page"]

    assert page.funnel == direct(acme, *PERIOD)
    assert page.previous == direct(acme, *PREVIOUS)
    # 16 events → 14 relevant → 9 invited → 8 emails accepted → 7 answered; before 4 → 4 → 3
    # → 3 → 2.
    assert [(s.key, s.count, s.previous, s.change) for s in page.stages] == [
        ("interactions", 16, 4, 12),
        ("sample", 14, 4, 10),
        ("invited", 9, 3, 6),
        ("accepted", 8, 3, 5),
        ("answered", 7, 2, 5),
    ]
    assert [(r.decision, r.count, r.previous) for r in page.skips] == [
        ("opted_out", 1, 0),
        ("no_email", 1, 1),
        ("too_old", 1, 0),
        ("throttled", 1, 0),
        ("not_sampled", 1, 0),
    ]
    assert [(r.decision, r.count) for r in page.outside] == [
        ("no_rule", 1),
        ("not_eligible", 1),
        ("pending", 0),
    ]
    html = response.content.decode()
    assert 'id="funnel-coverage">64.3 %<' in html
    assert 'id="funnel-response-rate">87.5 %<' in html
    assert "7 answered of 8 emails accepted" in html
    assert 'id="funnel-queued">9<' in html
    figure = response.context["figures"]["funnel"]["data"][0]
    assert (figure["type"], figure["x"]) == ("funnel", [16, 14, 9, 8, 7])
    assert figure["y"] == [
        "Service events",
        "Relevant (a survey rule matched)",
        "Customers invited",
        "Email accepted by the mail server",
        "Answered",
    ]


def test_the_funnel_shows_the_summarys_coverage_and_response_rate(
    client_of, acme, acme_manager, world
):
    client = client_of(acme_manager)
    rent = world["programme"].rent

    for query in ({}, {"brand": rent.pk}, {"compare": "none"}):
        funnel = show(client, acme, **query).context["page"].funnel
        summary = client.get(
            reverse("dashboard-summary", kwargs={"tenant_slug": "acme"}), query
        ).context["page"]
        assert funnel.coverage == summary.now.coverage, query
        assert funnel.response_rate == summary.now.response_rate, query


def test_a_brand_narrows_every_stage(client_of, acme, acme_manager, world):
    rent = world["programme"].rent

    page = show(client_of(acme_manager), acme, brand=rent.pk).context["page"]

    assert page.funnel == direct(acme, *PERIOD, brand=rent)
    assert [s.count for s in page.stages] == [3, 3, 3, 3, 3]


def test_each_stage_and_reason_links_to_the_interactions_page_of_its_decision(
    client_of, acme, acme_manager, world
):
    client = client_of(acme_manager)
    response = show(client, acme)

    links = {stage.key: link for stage, _label, link in response.context["stages"]}
    assert links == {
        "interactions": "/acme/surveys/interactions/",
        "sample": None,
        "invited": "/acme/surveys/interactions/?decision=invited",
        "accepted": None,
        "answered": None,
    }
    reasons = dict(
        (reason.decision, link)
        for reason, link in response.context["skips"] + response.context["outside"]
    )
    assert reasons["no_rule"] == "/acme/surveys/interactions/?decision=no_rule"
    listed = client.get(reasons["not_eligible"])
    assert [row.decision for row in listed.context["page"].rows] == ["not_eligible"]
    invited = client.get(links["invited"]).context["page"].rows
    # Every invited event the member sees, of every period: those before it too.
    assert len(invited) == 9 + 3


def test_no_events_no_chart(client_of, acme, acme_manager, clock):
    clock(NOW)

    response = show(client_of(acme_manager), acme)

    assert [s.count for s in response.context["page"].stages] == [0, 0, 0, 0, 0]
    html = response.content.decode()
    assert "No service event in this period." in html
    assert 'data-figure="figure-funnel"' not in html


@pytest.mark.parametrize("persona", ["acme_performer", "acme_agent"])
def test_performers_and_agents_see_no_funnel(client_of, acme, persona, request, clock):
    clock(NOW)

    assert client_of(request.getfixturevalue(persona)).get(url(acme)).status_code == 403


def test_an_analyst_reads_it_and_another_workspace_is_a_404(
    client_of, acme, acme_analyst, globex_agent, world
):
    page = show(client_of(acme_analyst), acme).context["page"]

    assert page.funnel == direct(acme, *PERIOD)
    assert client_of(globex_agent).get(url(acme)).status_code == 404


def test_a_bad_filter_answers_400_with_no_figure(client_of, acme, acme_manager, clock):
    clock(NOW)

    response = client_of(acme_manager).get(url(acme, brand="987654321"))

    assert response.status_code == 400
    assert list(response.context["filters"].form.errors) == ["brand"]
    assert "figure-funnel" not in response.content.decode()


def test_the_page_runs_no_inline_script(client_of, acme, acme_manager, world):
    body = show(client_of(acme_manager), acme).content.decode()

    scripts = re.findall(r"<script([^>]*)>", body)
    assert {attributes for attributes in scripts if "src=" not in attributes} == {
        f' id="figure-{key}" type="application/json"' for key in ("funnel", "reasons")
    }
    assert " style=" not in body


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
                event(prog.other, when=NOW - timedelta(days=1 + n % 170))
        clock(NOW)

    # The workspace (4); the brand, touchpoint, department and category choices (4); per
    # period (2): the events by decision and the response rate (2).
    queries = 4 + 4 + 2 * 2
    add(3)
    with django_assert_num_queries(queries):
        few = client.get(url(acme))
    add(12)
    with django_assert_num_queries(queries):
        many = client.get(url(acme))

    assert few.context["page"].funnel.interactions < many.context["page"].funnel.interactions
