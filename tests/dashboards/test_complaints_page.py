"""The Complaints dashboard: every figure is ``complaints.metrics``' over the same complaints,
and the table worked out by hand (``complaints_fixtures``' doc); what the filters do; the
queue behind each chart; who may read it; another tenant; its query count.

The page's period is November 2026 (``start=2026-11-01&end=2026-11-30``) unless said.
"""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from complaints import corrective_actions, metrics
from complaints.models import Channel, Complaint, RootCause
from tenants.calendar import calendar_for
from tenants.models import Department, Role
from tests.complaint_fixtures import file_complaint
from tests.dashboards.complaints_fixtures import (
    ATHENS,
    NOW,
    athens,
    filed,
    handled,
    november_world,
    resolved,
)
from tests.factories import BrandFactory, make_member

NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}
TODAY = date(2026, 11, 20)


def url(tenant, **query) -> str:
    path = reverse("dashboard-complaints", kwargs={"tenant_slug": tenant.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def show(client, tenant, **query):
    response = client.get(url(tenant, **query))
    assert response.status_code == 200, response.content.decode()[:3000]
    return response


def received(tenant, first: date, last: date, **filters):
    return Complaint.objects.for_tenant(tenant).filter(
        received_at__gte=metrics.local_midnight(first, ATHENS),
        received_at__lt=metrics.local_midnight(last + timedelta(days=1), ATHENS),
        **filters,
    )


def november(tenant, **filters):
    return received(tenant, date(2026, 11, 1), date(2026, 11, 30), **filters)


def compliance(figures) -> dict:
    return {clock: (value.met, value.missed) for clock, value in figures.items()}


@pytest.fixture
def world(clock, acme, acme_setup, acme_brand, acme_admin, acme_agent, globex, globex_brand):
    made = november_world(clock, acme, acme_brand, acme_admin)
    clock(NOW)
    file_complaint(globex_brand, channel=Channel.PHONE, name="Gina", email="gina@globex.example")
    return made


# --- every figure is the metrics module's, and the hand-computed table ------------------------


def test_every_figure_is_the_metrics_modules_and_the_hand_computed_one(
    client_of, acme, acme_admin, world
):
    page = show(client_of(acme_admin), acme, **NOVEMBER).context["page"]
    complaints = november(acme)

    assert page.received == metrics.volume(complaints) == 7
    assert page.previous_received == 0  # 2–31 October: F came on the 1st
    # Volumes: one column a week (a 30-day period is drawn by week).
    assert [days.start for days in page.units] == [
        date(2026, 11, 1),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]
    assert [(s.name, s.counts) for s in page.by_category] == [
        ("Claims", [0, 3, 1, 2, 0, 0]),
        ("No category", [0, 1, 0, 0, 0, 0]),
    ]
    by_channel = metrics.volume_by(complaints, "week", "channel", zone=ATHENS)
    assert {(s.name, s.total) for s in page.by_channel} == {
        ("Web form", 3),
        ("Phone", 2),
        ("Email", 2),
    }
    assert sum(s.total for s in page.by_channel) == sum(by_channel.values())
    # Root causes.
    assert [
        (row.name, row.value.complaints, round(row.value.cumulative_percent)) for row in page.pareto
    ] == [("Slow claim handling", 2, 67), ("Wrong information given", 1, 100)]
    assert page.pareto_totals == metrics.root_cause_pareto(complaints)
    # SLA, overall, by brand and by department.
    assert page.sla == metrics.sla_compliance(complaints, now=NOW)
    assert compliance(page.sla) == {
        "acknowledge": (3, 3),
        "first_response": (3, 3),
        "resolve": (3, 0),
    }
    assert [(row.name, compliance(row.value)) for row in page.sla_by_department] == [
        ("Head office", {"acknowledge": (0, 1), "first_response": (0, 1), "resolve": (0, 0)}),
        ("North branch", {"acknowledge": (3, 2), "first_response": (3, 2), "resolve": (3, 0)}),
    ]
    assert [(row.name, row.value) for row in page.sla_by_brand] == [
        ("Acme Motor", metrics.sla_compliance(complaints, now=NOW))
    ]
    # Backlog (every open complaint, whenever received), resolution hours, repeat complainants.
    assert [(b.low, b.high, b.complaints) for b in page.backlog] == [
        (0, 2, 1),
        (2, 7, 1),
        (7, 30, 2),
        (30, None, 1),
    ]
    assert page.resolution == metrics.hours_distribution(
        metrics.resolution_hours(complaints, calendar_for(acme))
    )
    assert (page.resolution.resolved, page.resolution.median) == (3, 12.0)
    assert [(r.name, r.complaints) for r in page.repeat] == [("Maria Rossi", 3)]
    assert page.repeat_threshold == 3


def test_the_tables_print_the_figures(client_of, acme, acme_admin, world):
    html = show(client_of(acme_admin), acme, **NOVEMBER).content.decode()

    assert re.search(r'id="complaints-received">7<', html)
    assert '<dd id="sla-acknowledge">50 % <small class="muted">(3/6)</small></dd>' in html
    assert '<dd id="sla-resolve">100 % <small class="muted">(3/3)</small></dd>' in html
    assert "3 complaints resolved; median 12.0 working hours." in html
    assert "4 complaints have no root cause yet." in html


def test_the_repeat_threshold_is_the_tenants_setting(client_of, acme, acme_admin, world):
    from complaints.models import ComplaintSettings

    ComplaintSettings.objects.create(tenant=acme, repeat_threshold=1)

    page = show(client_of(acme_admin), acme, **NOVEMBER).context["page"]

    assert page.repeat_threshold == 1
    assert (page.repeat[0].name, page.repeat[0].complaints) == ("Maria Rossi", 3)
    assert len(page.repeat) == 5


FILTERS = {
    # filter → (query, the same complaints by hand, complaints received)
    "channel": ({"channel": "phone"}, {"channel": "phone"}, 2),
    "category": (
        {"category": "claims"},
        {"category__code": "claims"},
        6,
    ),
    "department": ({"department": "north"}, {"department__path__startswith": "north"}, 6),
    "brand": ({"brand": "acme"}, {"brand__slug": "acme-motor"}, 7),
}


@pytest.mark.parametrize("case", sorted(FILTERS))
def test_each_filter_narrows_every_figure_as_the_metrics_module_does(
    client_of, acme, acme_admin, world, case
):
    query, lookup, expected = FILTERS[case]
    ids = {
        "channel": lambda v: v,
        "category": lambda v: acme_category(acme, v),
        "department": lambda v: Department.objects.for_tenant(acme).get(code=v).pk,
        "brand": lambda v: world.complaints["A"].brand_id,
    }
    name, value = next(iter(query.items()))
    if name == "department":
        north = Department.objects.for_tenant(acme).get(code="north")
        lookup = {"department__path__startswith": north.path}

    page = show(client_of(acme_admin), acme, **NOVEMBER, **{name: ids[name](value)}).context["page"]

    complaints = november(acme, **lookup)
    assert page.received == metrics.volume(complaints) == expected
    assert page.sla == metrics.sla_compliance(complaints, now=NOW)
    assert page.pareto_totals == metrics.root_cause_pareto(complaints)
    assert page.resolution == metrics.hours_distribution(
        metrics.resolution_hours(complaints, calendar_for(acme))
    )


def acme_category(acme, code):
    from complaints.models import Category

    return Category.objects.for_tenant(acme).get(code=code).pk


def test_a_manager_sees_the_complaints_of_their_subtree_as_in_the_queue(
    client_of, acme, acme_manager, world
):
    # Mario (north region) sees the north branch's complaints, not the head office's C.
    client = client_of(acme_manager)

    page = show(client, acme, **NOVEMBER).context["page"]

    queue = client.get(page_links(client, acme)["all"]).context["page"]
    assert page.received == 6
    assert {row.reference for row in queue.rows} == set(
        november(acme).exclude(pk=world.complaints["C"].pk).values_list("reference", flat=True)
    )
    assert [row.name for row in page.sla_by_department] == ["North branch"]


def page_links(client, tenant):
    return client.get(url(tenant, **NOVEMBER)).context["links"]


# --- the queue behind each chart -----------------------------------------------------------------


def query_of(link: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


def test_each_chart_links_to_the_queue_with_the_same_filters(client_of, acme, acme_admin, world):
    client = client_of(acme_admin)
    claims = acme_category(acme, "claims")
    response = show(client, acme, **NOVEMBER, category=claims, channel="phone")
    links, rows = response.context["links"], response.context["rows"]

    assert query_of(links["all"]) == {
        "queue": "all",
        "received_from": "2026-11-01",
        "received_to": "2026-11-30",
        "category": str(claims),
    }
    # The queue has no channel filter: the page says so.
    assert "The complaint queue cannot narrow by: Channel" in response.content.decode()
    # The backlog's rows open the open complaints received on those days.
    _bucket, _label, link = rows["backlog"][2]
    assert query_of(link) == {
        "queue": "department",
        "received_from": "2026-10-22",
        "received_to": "2026-11-13",
        "category": str(claims),
    }
    listed = client.get(link).context["page"].rows
    assert {row.reference for row in listed} == {world.complaints["G"].reference}
    # Without the channel, the queue lists every complaint the page counts.
    everything = show(client, acme, **NOVEMBER)
    listed = client.get(everything.context["links"]["all"]).context["page"].rows
    assert len(listed) == everything.context["page"].received == 7
    # A repeat complainant's row opens their complaints.
    row, link = everything.context["rows"]["repeat"][0]
    listed = client.get(link).context["page"].rows
    assert len(listed) == row.complaints == 3


def test_the_backlog_rows_list_what_they_count(client_of, acme, acme_admin, world):
    client = client_of(acme_admin)
    response = show(client, acme, **NOVEMBER)

    for bucket, _label, link in response.context["rows"]["backlog"]:
        assert len(client.get(link).context["page"].rows) == bucket.complaints


# --- corrective actions ----------------------------------------------------------------------


def test_a_completed_action_shows_its_complaints_per_month_around_it(
    client_of, acme, acme_admin, world, clock
):
    clock(NOW)
    a = world.complaints["A"]
    action = corrective_actions.corrective_action_open(
        complaint=a, actor=acme_admin, description="Retrain.", owner=acme_admin, due_date=TODAY
    )
    corrective_actions.corrective_action_complete(action=action, actor=acme_admin, outcome="Ok.")

    response = show(client_of(acme_admin), acme, **NOVEMBER)
    page = response.context["page"]

    assert page.actions == {"open": 0, "in_progress": 0, "done": 1, "cancelled": 0, "overdue": 0}
    [effect] = page.effects
    counts = metrics.monthly_counts(Complaint.objects.for_tenant(acme), zone=ATHENS)
    assert effect.effect == metrics.effectiveness(
        counts,
        category_id=a.category_id,
        root_cause_id=a.root_cause_id,
        completed_month=date(2026, 11, 1),
        current_month=date(2026, 11, 1),
    )
    # October: F (claims, no root cause yet); November: six claims, two slow handling.
    assert [(m.category, m.root_cause) for m in effect.effect.before][-1] == (1, 0)
    assert (effect.effect.completed_in.category, effect.effect.completed_in.root_cause) == (6, 2)
    assert effect.effect.after == []
    assert "no full month after yet" in response.content.decode()
    slow = RootCause.objects.for_tenant(acme).get(code="slow-handling")
    assert effect.root_cause == slow.name


# --- who may read it ----------------------------------------------------------------------------


def test_an_analyst_reads_the_same_figures(client_of, acme, acme_admin, acme_analyst, world):
    admin = show(client_of(acme_admin), acme, **NOVEMBER).context["page"]
    analyst = show(client_of(acme_analyst), acme, **NOVEMBER).context["page"]

    assert analyst.sla == admin.sla and analyst.received == admin.received == 7


@pytest.mark.parametrize("persona", ["acme_performer", "acme_agent"])
def test_performers_and_agents_see_no_dashboard(client_of, acme, persona, request, clock):
    clock(NOW)
    member = request.getfixturevalue(persona)

    assert client_of(member).get(url(acme)).status_code == 403


def test_another_workspace_is_a_404(client_of, acme, globex_agent, clock):
    clock(NOW)

    assert client_of(globex_agent).get(url(acme)).status_code == 404


def test_another_tenants_complaints_never_appear(client_of, acme, globex, world):
    globex_manager = make_member(globex, "gina", Role.MANAGER, "hq")

    page = show(client_of(globex_manager), globex, **NOVEMBER).context["page"]

    assert page.received == 1
    assert [row.name for row in page.sla_by_brand] == ["Globex Road"]
    assert [r.name for r in page.repeat] == []


def test_another_tenants_category_is_refused_like_one_that_does_not_exist(
    client_of, acme, acme_admin, globex, world
):
    from complaints.services import category_create

    foreign = category_create(tenant=globex, actor=None, code="roads", name="Roads")
    client = client_of(acme_admin)

    for category in (foreign.pk, 999999):
        response = client.get(url(acme, category=category))
        assert response.status_code == 400
        assert "page" not in response.context
        assert "Roads" not in response.content.decode()


def test_the_page_runs_no_inline_script(client_of, acme, acme_admin, world):
    body = show(client_of(acme_admin), acme, **NOVEMBER).content.decode()

    scripts = re.findall(r"<script([^>]*)>", body)
    assert {attributes for attributes in scripts if "src=" not in attributes} == {
        f' id="figure-{key}" type="application/json"'
        for key in (
            "categories",
            "channels",
            "pareto",
            "sla-brands",
            "sla-departments",
            "backlog",
            "resolution",
        )
    }
    assert " style=" not in body


# --- a fixed number of queries ----------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_few_or_many_complaints(
    client_of,
    acme,
    acme_setup,
    acme_brand,
    acme_admin,
    acme_agent,
    clock,
    django_assert_num_queries,
):
    clock(NOW)
    client = client_of(acme_admin)
    client.get(url(acme))  # warm the session
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")

    def add(number, start):
        for n in range(start, start + number):
            filed(
                clock,
                rent if n % 2 else acme_brand,
                athens(11, 2 + n % 15, 9),
                channel=Channel.PHONE if n % 3 else Channel.EMAIL,
                name=f"Customer {n % 2}",
                email=f"c{n % 2}@example.com",
            )
        clock(NOW)

    # One completed corrective action, so the effectiveness table is read both times.
    done = filed(clock, acme_brand, athens(11, 2, 9), channel=Channel.PHONE)
    done = resolved(
        clock,
        handled(clock, done, athens(11, 2, 10), acme_admin),
        athens(11, 2, 11),
        acme_admin,
        "slow-handling",
    )
    clock(NOW)
    action = corrective_actions.corrective_action_open(
        complaint=done, actor=acme_admin, description="Retrain.", owner=acme_admin, due_date=TODAY
    )
    corrective_actions.corrective_action_complete(action=action, actor=acme_admin, outcome="Ok.")
    # The workspace (4); the brand, touchpoint, department and category choices (4); the
    # names of categories, brands, departments and root causes (4); received now and before
    # (2); by category and by channel (2); the Pareto (2); SLA overall, by brand and by
    # department (3); the backlog (1); resolution hours and the calendar's closures (2); the
    # settings (1); repeat complainants and their names (2; 1 when there are none); actions by
    # status (1); completed actions and their complaints per month (2).
    queries = 4 + 4 + 4 + 2 + 2 + 2 + 3 + 1 + 2 + 1 + 2 + 1 + 2
    add(5, 0)
    with django_assert_num_queries(queries):
        few = client.get(url(acme, **NOVEMBER))
    add(40, 5)
    with django_assert_num_queries(queries):
        many = client.get(url(acme, **NOVEMBER))

    assert few.context["page"].received == 6
    assert many.context["page"].received == 46
    assert len(many.context["page"].effects) == 1
