"""Every list page runs a fixed number of queries, the same with one row as with many.

Each test loads the page once to warm the session, pins the exact count with a row or two,
adds many rows to every list the page shows, and pins the same count again. The comment on
each count names the queries, so a new one is a decision, not an accident.

The lists that filter through a FilterSet (``tenants.filters``) and page through
``tenants.paging`` — the team, responses, interactions, follow-ups and corrective actions — are
pinned here with 3 rows and with 30, unfiltered and filtered. The complaint queue, the case page
and the notifications list are pinned beside their other tests.
"""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.corrective_actions import corrective_action_open
from complaints.lifecycle import State
from complaints.models import (
    Category,
    ComplaintSettings,
    Message,
    RootCause,
    RoutingRule,
    SlaPolicy,
)
from complaints.services import category_create
from notifications.models import Delivery
from notifications.services import delivery_enqueue, notification_create
from surveys.builder.publishing import draft_open, survey_create, version_publish
from surveys.builder.questions import question_add
from surveys.builder.rules import rule_create
from surveys.models import FollowUp, Invitation, SurveyVersion
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.audit import audit_record
from tenants.models import Brand, Department, Role
from tenants.services import closure_set, membership_grant
from tests.complaint_fixtures import file_complaint, status_key
from tests.factories import (
    BrandFactory,
    TouchpointFactory,
    UserFactory,
    make_department,
    make_member,
    make_tenant,
)
from tests.surveys import survey_fixtures
from tests.surveys.survey_fixtures import make_customer, record, token_in


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "acme", **kwargs})


# What every workspace page reads: the session, the user, the user's memberships with their
# tenants (the URL's membership and the switcher's list, one query) and the bell's unread count.
WORKSPACE = 4


def get(client, path, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    return response


# --- the workspace ----------------------------------------------------------------------------


def test_the_workspace_picker(db, client, django_assert_num_queries):
    bob = UserFactory(username="bob@example.com")

    def join(number):
        tenant = make_tenant(slug=f"tenant-{number:02}", name=f"Tenant {number:02}")
        membership_grant(tenant=tenant, actor=None, user=bob, role=Role.ANALYST, department=None)

    for number in range(2):  # one workspace would redirect straight into it
        join(number)
    client.force_login(bob)
    client.get("/")

    # session, user, memberships with their tenant
    get(client, "/", 3, django_assert_num_queries)
    for number in range(2, 12):
        join(number)
    response = get(client, "/", 3, django_assert_num_queries)

    assert [m.tenant.name for m in response.context["memberships"]] == [
        f"Tenant {number:02}" for number in range(12)
    ]


def test_the_home_page(client_of, acme, acme_admin, django_assert_num_queries):
    BrandFactory(tenant=acme, slug="brand-00", name="Brand 00")
    TouchpointFactory(tenant=acme, code="touchpoint-00", name="Touchpoint 00")
    client = client_of(acme_admin)
    client.get(url("home"))

    # WORKSPACE, brands, touchpoints
    get(client, url("home"), WORKSPACE + 2, django_assert_num_queries)
    for number in range(1, 12):
        BrandFactory(tenant=acme, slug=f"brand-{number:02}", name=f"Brand {number:02}")
        TouchpointFactory(tenant=acme, code=f"touchpoint-{number:02}", name=f"Touchpoint {number}")
    response = get(client, url("home"), WORKSPACE + 2, django_assert_num_queries)

    assert len(response.context["brands"]) == 12
    assert len(response.context["touchpoints"]) == 12


def test_the_team_page(client_of, acme, acme_admin, django_assert_num_queries):
    for number in range(10):
        make_department(acme, f"desk-{number}", f"Desk {number}", parent=None)
    make_member(acme, "agent0", Role.AGENT, "desk-0")
    make_member(acme, "agent1", Role.AGENT, "desk-1")
    client = client_of(acme_admin)
    client.get(url("team"))

    # WORKSPACE, departments, the department filter's choices, a page of members with their
    # user and department
    get(client, url("team"), WORKSPACE + 3, django_assert_num_queries)
    for number in range(2, 29):
        make_member(acme, f"agent{number}", Role.AGENT, f"desk-{number % 10}")
    response = get(client, url("team"), WORKSPACE + 3, django_assert_num_queries)

    assert len(response.context["page"].rows) == 30
    assert len(response.context["departments"]) == 15


# --- the survey builder -----------------------------------------------------------------------

NPS = {"kind": "nps", "text": {"en": "How likely are you to recommend us?"}, "is_primary": True}
TEXT = {"kind": "text", "text": {"en": "Anything else?"}}


def published_survey(actor, name, *, questions=(NPS, TEXT), draft=True):
    """A survey with version 1 published and, with ``draft``, version 2 open as a draft."""
    survey = survey_create(actor=actor, name=name)
    first = SurveyVersion.objects.for_tenant(actor.tenant_id).get(survey=survey, number=1)
    for spec in questions:
        question_add(actor=actor, version=first, **spec)
    version_publish(actor=actor, version=first)
    if draft:
        draft_open(actor=actor, survey=survey)
    return survey


def test_the_survey_list(client_of, acme, acme_admin, acme_brand, django_assert_num_queries):
    def make(number):
        survey = published_survey(acme_admin, f"Survey {number:02}")
        touchpoint = TouchpointFactory(tenant=acme, code=f"desk-{number}", name=f"Desk {number}")
        rule_create(actor=acme_admin, survey=survey, brand=acme_brand, touchpoint=touchpoint)

    make(0)
    client = client_of(acme_admin)
    client.get(url("survey-list"))

    # WORKSPACE, surveys, their live versions with question counts, their rules with brand and
    # touchpoint
    get(client, url("survey-list"), WORKSPACE + 3, django_assert_num_queries)
    for number in range(1, 8):
        make(number)
    response = get(client, url("survey-list"), WORKSPACE + 3, django_assert_num_queries)

    assert [(s.name, s.published.number, s.draft.number) for s in response.context["surveys"]] == [
        (f"Survey {number:02}", 1, 2) for number in range(8)
    ]


def test_the_rule_list(client_of, acme, acme_admin, acme_brand, django_assert_num_queries):
    surveys = [published_survey(acme_admin, f"Survey {n}", draft=False) for n in range(3)]

    def make(number):
        touchpoint = TouchpointFactory(tenant=acme, code=f"desk-{number}", name=f"Desk {number}")
        rule_create(
            actor=acme_admin,
            survey=surveys[number % 3],
            brand=acme_brand,
            touchpoint=touchpoint,
            order=number,
        )

    make(0)
    client = client_of(acme_admin)
    client.get(url("survey-rule-list"))

    # WORKSPACE, rules with survey, brand, touchpoint and published version
    get(client, url("survey-rule-list"), WORKSPACE + 1, django_assert_num_queries)
    for number in range(1, 12):
        make(number)
    response = get(client, url("survey-rule-list"), WORKSPACE + 1, django_assert_num_queries)

    assert [(rule.order, rule.published_number) for rule in response.context["rules"]] == [
        (number, 1) for number in range(12)
    ]


def test_the_survey_page(client_of, acme, acme_admin, acme_brand, django_assert_num_queries):
    few = published_survey(acme_admin, "Few", questions=[NPS])
    many = published_survey(acme_admin, "Many", questions=[NPS, TEXT, TEXT, TEXT, TEXT])
    for number in range(3):  # versions 2 to 4 published, 5 a draft
        draft = SurveyVersion.objects.for_tenant(acme).get(survey=many, number=number + 2)
        version_publish(actor=acme_admin, version=draft)
        draft_open(actor=acme_admin, survey=many)
    for number in range(6):
        rule_create(actor=acme_admin, survey=many, brand=acme_brand, order=number)
    client = client_of(acme_admin)
    client.get(url("survey-detail", survey_id=few.pk))

    # WORKSPACE, survey, versions with question counts, the questions shown, rules
    get(client, url("survey-detail", survey_id=few.pk), WORKSPACE + 4, django_assert_num_queries)
    response = get(
        client, url("survey-detail", survey_id=many.pk), WORKSPACE + 4, django_assert_num_queries
    )

    assert [version.number for version in response.context["versions"]] == [5, 4, 3, 2, 1]
    assert len(response.context["questions"]) == 5
    assert len(response.context["rules"]) == 6


def test_the_survey_preview(client_of, acme, acme_admin, django_assert_num_queries):
    few = published_survey(acme_admin, "Few", questions=[NPS], draft=False)
    many = published_survey(acme_admin, "Many", questions=[NPS, TEXT, TEXT, TEXT, TEXT])
    client = client_of(acme_admin)
    client.get(url("survey-preview", survey_id=few.pk, number=1))

    # WORKSPACE, survey, version, questions
    get(
        client,
        url("survey-preview", survey_id=few.pk, number=1),
        WORKSPACE + 3,
        django_assert_num_queries,
    )
    response = get(
        client,
        url("survey-preview", survey_id=many.pk, number=1),
        WORKSPACE + 3,
        django_assert_num_queries,
    )

    assert len(response.context["questions"]) == 5


# --- public pages -----------------------------------------------------------------------------


@pytest.fixture
def _own_cache_and_media(own_cache, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.usefixtures("_own_cache_and_media")
def test_the_public_status_page(complaint_in, acme_admin, django_assert_num_queries):
    def status_page(complaint):
        client = Client()
        path = reverse(
            "public-complaint-status",
            kwargs={"tenant_slug": "acme", "reference": complaint.reference},
        )
        client.get(path, {"key": status_key(complaint)})
        return client, path

    short = complaint_in(State.RECEIVED)
    long = complaint_in(State.INVESTIGATING)  # four more steps
    for number in range(8):
        services.complaint_add_message(
            complaint=long,
            actor=acme_admin,
            kind=Message.Kind.REPLY,
            body=f"Update {number}",
            files=[
                SimpleUploadedFile(f"letter-{number}.pdf", b"%PDF-1.4", "application/pdf"),
                SimpleUploadedFile(f"photo-{number}.png", b"\x89PNG", "image/png"),
            ],
        )
    client, path = status_page(short)
    client.get(path)

    # tenant, complaint with brand and customer, session, settings, steps, messages, files
    get(client, path, 7, django_assert_num_queries)
    client, path = status_page(long)
    client.get(path)
    response = get(client, path, 7, django_assert_num_queries)

    assert response.content.decode().count("letter-") == 8


def test_the_public_survey_page(own_cache, acme, acme_admin, acme_brand, django_assert_num_queries):
    now = timezone.now()

    def invitation_link(survey, name, order):
        # The rule tried first: each customer gets the survey made for them.
        rule_create(actor=acme_admin, survey=survey, delay_minutes=0, brand=acme_brand, order=order)
        customer = make_customer(acme, name, f"{name.lower()}@example.com")
        record(acme_brand, customer, occurred_at=now - timedelta(hours=2), now=now, reference=name)
        invitations_run(now=now)
        delivery = Delivery.objects.for_tenant(acme).get(recipient=customer.email)
        return f"/s/{token_in(delivery)}/"

    few = invitation_link(published_survey(acme_admin, "Few", questions=[NPS]), "Maria", 2)
    client = Client()
    client.get(few)

    # the token with its invitation, customer, version, brand and tenant; the questions
    get(client, few, 2, django_assert_num_queries)
    many = published_survey(acme_admin, "Many", questions=[NPS, TEXT, TEXT, TEXT, TEXT])
    many_link = invitation_link(many, "Nikos", 1)
    client.get(many_link)
    response = get(client, many_link, 2, django_assert_num_queries)

    assert len(response.context["form"].fields) == 5


# --- the admin's changelists ------------------------------------------------------------------


def _admin_rows(model: str, acme, admin) -> callable:
    """``make(n)``: the n-th row of ``model`` (each admin lists every tenant's rows)."""
    claims = Category.objects.for_tenant(acme).get(code="claims")
    north = Department.objects.for_tenant(acme).get(code="north")
    brand = Brand.objects.for_tenant(acme).get(slug="acme-motor")
    makers = {
        "tenants.tenant": lambda n: make_tenant(slug=f"tenant-{n}"),
        "tenants.brand": lambda n: BrandFactory(tenant=make_tenant(slug=f"tenant-{n}")),
        "tenants.touchpoint": lambda n: TouchpointFactory(tenant=acme, code=f"desk-{n}"),
        "tenants.department": lambda n: make_department(acme, f"desk-{n}", "Desk", parent=north),
        "tenants.membership": lambda n: make_member(acme, f"agent{n}", Role.AGENT, "north"),
        "tenants.auditentry": lambda n: audit_record(
            tenant=acme, actor=admin.user, action="test.row", target=admin
        ),
        "tenants.closure": lambda n: closure_set(
            tenant=acme, actor=None, day=date(2027, 1, n + 1), name="Stocktake"
        ),
        "complaints.complaintsettings": lambda n: ComplaintSettings.objects.create(
            tenant=make_tenant(slug=f"tenant-{n}")
        ),
        "complaints.category": lambda n: category_create(
            tenant=acme, actor=None, code=f"kind-{n}", name="Kind", parent=claims
        ),
        "complaints.rootcause": lambda n: RootCause.objects.create(
            tenant=acme, code=f"cause-{n}", name="Cause"
        ),
        "complaints.routingrule": lambda n: RoutingRule.objects.create(
            tenant=acme, name=f"Rule {n}", category=claims, department=north
        ),
        "complaints.slapolicy": lambda n: SlaPolicy.objects.create(
            tenant=acme,
            name=f"Policy {n}",
            brand=brand,
            category=claims,
            acknowledgement_hours=8,
            first_response_hours=24,
            resolution_hours=80,
        ),
        "complaints.complaint": lambda n: file_complaint(brand, email=f"c{n}@example.com"),
        "customers.customer": lambda n: make_customer(acme, f"Customer {n}", f"c{n}@example.com"),
        "notifications.delivery": lambda n: delivery_enqueue(
            tenant=acme, dedupe_key=f"row-{n}", recipient="c@example.com", subject="S", body="B"
        ),
        "notifications.notification": lambda n: notification_create(
            recipient=admin, message="text", params={"text": f"Note {n}"}, dedupe_key=f"row-{n}"
        ),
    }
    return makers[model]


@pytest.mark.parametrize(
    ("model", "queries"),
    [
        ("tenants.tenant", 5),  # no tenant filter
        ("tenants.brand", 6),
        ("tenants.touchpoint", 6),
        ("tenants.department", 6),
        ("tenants.membership", 6),
        ("tenants.auditentry", 7),  # and the filter's actions
        ("tenants.closure", 8),  # and the date hierarchy's bounds and years
        ("complaints.complaintsettings", 6),
        ("complaints.category", 6),
        ("complaints.rootcause", 6),
        ("complaints.routingrule", 6),
        ("complaints.slapolicy", 6),
        ("complaints.complaint", 6),
        ("customers.customer", 6),
        ("notifications.delivery", 6),
        ("notifications.notification", 6),
    ],
)
def test_the_admin_changelists(
    client, acme_setup, acme_brand, acme_admin, model, queries, django_assert_num_queries
):
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))
    app_label, model_name = model.split(".")
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    make = _admin_rows(model, acme_setup, acme_admin)
    for number in range(2):
        make(number)
    client.get(changelist)

    # session, user, the tenant filter's choices, the count (filtered and all), the rows with
    # what the list shows of them (a parent, a department, a user: joined, never one per row)
    few = get(client, changelist, queries, django_assert_num_queries)
    for number in range(2, 14):
        make(number)
    many = get(client, changelist, queries, django_assert_num_queries)

    assert len(many.context["cl"].result_list) == len(few.context["cl"].result_list) + 12


# --- the filtered lists (tenants.filters, tenants.paging) -------------------------------------


def pin(client, path, queries, django_assert_num_queries, grow):
    """``path`` runs ``queries`` queries with 3 rows and again after ``grow()`` made it 30."""
    client.get(path)
    few = get(client, path, queries, django_assert_num_queries)
    grow()
    many = get(client, path, queries, django_assert_num_queries)
    return few, many


@pytest.fixture
def nps_survey(acme):
    version = survey_fixtures.publish_survey(acme)
    survey_fixtures.add_rule(acme, version.survey, delay_minutes=0)
    return version


@pytest.fixture
def respond(acme, acme_brand, acme_agent, nps_survey):
    """``respond(count)``: ``count`` more answered surveys, critics (with a follow-up) among
    them, each through the real services (recorded, sent, submitted)."""
    touchpoint = TouchpointFactory(tenant=acme, code="phone", name="Phone line")
    questions = {q.kind: q for q in nps_survey.questions.all()}
    made = []

    def make(count):
        for _ in range(count):
            n = len(made)
            now = timezone.now()
            customer = make_customer(acme, f"Customer {n}", f"customer{n}@example.com")
            interaction = record(
                acme_brand,
                customer,
                occurred_at=now - timedelta(hours=1),
                now=now,
                reference=f"visit-{n}",
                touchpoint=touchpoint,
                performer=acme_agent,
            )
            invitations_run(now=now)
            invitation = Invitation.objects.for_tenant(acme).get(interaction=interaction)
            answers = {questions[QuestionKind.NPS].pk: n % 11}
            answers[questions[QuestionKind.TEXT].pk] = f"Comment {n}"
            made.append(response_submit(invitation=invitation, answers=answers, now=now))
        return made

    return make


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "filtered"])
def test_the_response_list(
    client_of, acme, acme_manager, acme_agent, respond, filtered, django_assert_num_queries
):
    made = respond(3)
    path = url("response-list")
    queries = WORKSPACE + 8
    if filtered:  # every filter, each letting every row through
        touchpoint = made[0].interaction.touchpoint_id
        path += (
            f"?brand={made[0].interaction.brand_id}&touchpoint={touchpoint}"
            f"&performer={acme_agent.pk}&band=&with_comment=on&submitted_from=2020-01-01"
        )
        queries += 3  # the chosen brand, touchpoint and performer, checked

    # WORKSPACE, the brand, touchpoint and performer filters' choices, a page of responses with
    # interaction, customer, brand, touchpoint, performer and follow-up, the four figures
    few, many = pin(
        client_of(acme_manager), path, queries, django_assert_num_queries, lambda: respond(27)
    )

    assert len(few.context["page"].rows) == 3
    assert len(many.context["page"].rows) == 30


@pytest.mark.parametrize("query", ["", "?decision=no_rule&source=api"])
def test_the_interactions_page(
    client_of, acme, acme_admin, acme_agent, acme_brand, query, django_assert_num_queries
):
    now = timezone.now()

    def add(count):
        for _ in range(count):
            n = add.made = add.made + 1
            customer = make_customer(acme, f"Customer {n}", f"customer{n}@example.com")
            record(
                acme_brand,
                customer,
                occurred_at=now,
                now=now,
                reference=f"visit-{n}",
                performer=acme_agent,
            )

    add.made = 0
    add(3)
    path = url("interaction-list") + query

    # WORKSPACE, a page of interactions with brand, touchpoint, customer, performer, complaint
    # and whether the reader may open it; the recent imports (the running one is in the cache)
    few, many = pin(
        client_of(acme_admin), path, WORKSPACE + 2, django_assert_num_queries, lambda: add(27)
    )

    assert len(few.context["page"].rows) == 3
    assert len(many.context["page"].rows) == 30


@pytest.mark.parametrize("query", ["", "?status=open&mine=on"])
def test_the_follow_up_list(client_of, acme, acme_agent, respond, query, django_assert_num_queries):
    def critics():
        return FollowUp.objects.for_tenant(acme).count()

    def grow():
        while critics() < 30:
            respond(1)
        assign()

    def assign():
        FollowUp.objects.for_tenant(acme).update(assignee=acme_agent)

    while critics() < 3:
        respond(1)
    assign()
    path = url("follow-up-list") + query

    # WORKSPACE, a page of follow-ups with response, interaction, customer, brand, touchpoint
    # and assignee
    few, many = pin(client_of(acme_agent), path, WORKSPACE + 1, django_assert_num_queries, grow)

    assert len(few.context["page"].rows) == 3
    assert len(many.context["page"].rows) == 30


@pytest.mark.parametrize("status", ["", "open"])
def test_the_corrective_action_list(
    client_of, acme, acme_admin, acme_agent, complaint_in, status, django_assert_num_queries
):
    complaint = complaint_in(State.RESOLVED)

    def add(count):
        for n in range(count):
            corrective_action_open(
                complaint=complaint,
                actor=acme_admin,
                description=f"Change {n}",
                owner=acme_agent,
                due_date=date(2027, 1, 1) + timedelta(days=n),
            )

    add(3)
    path = url("corrective-action-list") + (
        f"?status={status}&owner={acme_agent.pk}" if status else ""
    )
    queries = WORKSPACE + 2 + (1 if status else 0)

    # WORKSPACE, the owner filter's choices (and, filtered, the chosen owner), a page of
    # actions with complaint and owner
    few, many = pin(
        client_of(acme_admin), path, queries, django_assert_num_queries, lambda: add(27)
    )

    assert len(few.context["page"].rows) == 3
    assert len(many.context["page"].rows) == 30
