"""The agents' workspace in the browser: queues, filing, the case page and its steps."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from complaints.lifecycle import State
from complaints.models import Attachment, Complaint, CorrectiveAction, Message, Transition
from tests.complaint_fixtures import file_complaint


def queue_url(**params):
    from urllib.parse import urlencode

    url = reverse("complaint-queue", kwargs={"tenant_slug": "acme"})
    return f"{url}?{urlencode(params)}" if params else url


def detail_url(complaint, tenant_slug="acme"):
    return reverse(
        "complaint-detail", kwargs={"tenant_slug": tenant_slug, "reference": complaint.reference}
    )


def step_url(complaint, name):
    return reverse(
        "complaint-step",
        kwargs={"tenant_slug": "acme", "reference": complaint.reference, "name": name},
    )


def references(response):
    return [complaint.reference for complaint in response.context["page"].rows]


def test_queues_show_what_their_name_says(client_of, complaint_in, acme_agent, acme_admin):
    mine = complaint_in(State.INVESTIGATING)  # routed by the claims rule to bob
    closed = complaint_in(State.CLOSED)
    unrouted = file_complaint(mine.brand, subject="Rude staff", email="x@example.com")
    client = client_of(acme_admin)

    assert references(client.get(queue_url(queue="mine"))) == []
    assert references(client.get(queue_url(queue="unassigned"))) == [unrouted.reference]
    assert set(references(client.get(queue_url(queue="department")))) == {
        mine.reference,
        unrouted.reference,
    }
    assert set(references(client.get(queue_url(queue="all")))) == {
        mine.reference,
        closed.reference,
        unrouted.reference,
    }
    assert references(client.get(queue_url(queue="all", state="closed"))) == [closed.reference]
    # The branch agent sees their own case, not head office's unrouted one.
    agent = client_of(acme_agent)
    assert references(agent.get(queue_url(queue="mine"))) == [mine.reference]
    assert references(agent.get(queue_url(queue="unassigned"))) == []


def test_queue_filters_and_search(client_of, complaint_in, acme_admin, acme_brand):
    windscreen = complaint_in(State.RECEIVED, subject="Hail damage claim unpaid")
    other = file_complaint(acme_brand, subject="Late callback", email="other@example.com")
    client = client_of(acme_admin)

    assert references(client.get(queue_url(queue="all", q="HAIL"))) == [windscreen.reference]
    assert references(client.get(queue_url(queue="all", q=other.reference))) == [other.reference]
    assert references(client.get(queue_url(queue="all", q="OTHER@example.com"))) == [
        other.reference
    ]
    category = windscreen.category_id
    assert references(client.get(queue_url(queue="all", category=category))) == [
        windscreen.reference
    ]
    bad = client.get(queue_url(queue="all", received_from="not-a-date"))
    assert bad.status_code == 200
    assert "Enter a valid date." in bad.content.decode()


def test_the_overdue_and_watchlist_queues(client_of, complaint_in, acme_admin):
    late = complaint_in(State.INVESTIGATING)
    Complaint.objects.for_tenant(late.tenant_id).filter(pk=late.pk).update(
        resolve_due_at="2020-01-01T00:00:00Z"
    )
    repeat = [complaint_in(State.RECEIVED, email="again@example.com") for _ in range(3)]
    client = client_of(acme_admin)

    assert references(client.get(queue_url(queue="overdue"))) == [late.reference]
    watch = client.get(queue_url(queue="watchlist"))
    assert references(watch) == [repeat[2].reference]
    assert [c.is_repeat_complainant for c in watch.context["page"].rows] == [True]
    # the third complaint of the same customer is flagged; the first two were not yet repeats
    everything = client.get(queue_url(queue="all"))
    assert everything.content.decode().count(">repeat</span>") == 1


# The queue's queries: the session, the user, the user's memberships (the URL's and the
# switcher's), the filter's categories, brands and touchpoints (one UNION ALL), the page of
# complaints (names by subquery, "overdue" annotated) and the bell's unread count.
QUEUE_QUERIES = 6


@pytest.mark.parametrize("queue", ["all", "overdue", "mine"])
def test_the_queue_runs_six_queries_for_2_or_25_rows(
    client_of, complaint_in, acme_admin, acme_agent, django_assert_num_queries, queue
):
    # the rows are the queue's own: late ones for "overdue", the reader's for "mine" (the
    # fixture assigns to Bob, the agent)
    client = client_of(acme_agent if queue == "mine" else acme_admin)

    def add(count):
        for _ in range(count):
            complaint = complaint_in(State.ASSIGNED)
            if queue == "overdue":
                Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(
                    resolve_due_at="2020-01-01T00:00:00Z"
                )

    add(2)
    client.get(queue_url(queue=queue))  # warm the session
    with django_assert_num_queries(QUEUE_QUERIES):
        two = client.get(queue_url(queue=queue))
    add(23)
    with django_assert_num_queries(QUEUE_QUERIES):
        many = client.get(queue_url(queue=queue))

    assert (len(two.context["page"].rows), len(many.context["page"].rows)) == (2, 25)


def test_filtering_by_category_costs_no_extra_query(
    client_of, complaint_in, acme_admin, django_assert_num_queries
):
    claim = complaint_in(State.ASSIGNED)
    client = client_of(acme_admin)
    client.get(queue_url(queue="all"))

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(queue_url(queue="all", category=claim.category_id))

    assert references(response) == [claim.reference]


def test_a_queue_row_shows_what_the_agent_reads(client_of, complaint_in, acme_admin):
    complaint = complaint_in(State.INVESTIGATING, subject="Hail <damage> & more")
    client = client_of(acme_admin)

    html = client.get(queue_url(queue="all")).content.decode()
    row = html[html.index('<tr class="priority-') : html.index("</tr>", html.index("<tbody>"))]

    assert detail_url(complaint) in row
    assert "Hail &lt;damage&gt; &amp; more" in row
    assert complaint.customer.name in row
    assert "Acme Motor" in row
    assert '<span class="state state-investigating">Investigating</span>' in row
    assert complaint.get_priority_display() in row
    assert complaint.assignee.user.get_full_name() in row


def test_the_queue_pages_without_counting_everything(client_of, complaint_in, acme_admin):
    for _ in range(26):
        complaint_in(State.RECEIVED)
    client = client_of(acme_admin)

    first = client.get(queue_url(queue="all"))
    second = client.get(queue_url(queue="all", page=2))

    assert first.context["page"].has_next is True
    assert len(references(second)) == 1
    assert second.context["page"].has_next is False
    assert set(references(first)).isdisjoint(references(second))


# The case page's queries: the session, the user, the memberships, the complaint (joins and
# name subqueries), the other complaints it points to (one UNION ALL), its transitions,
# messages, attachments and corrective actions, the forms' lists (one UNION ALL, when a form
# shows one) and the bell's unread count. SQLite cannot limit a part of a UNION, so there the
# other complaints take three queries.
CASE_PAGE_QUERIES = 11 if connection.vendor == "postgresql" else 13


@pytest.mark.parametrize(
    "state",
    [State.RECEIVED, State.ASSESSED, State.INVESTIGATING, State.RESOLVED, State.CLOSED],
)
def test_the_case_page_runs_eleven_queries_whatever_its_history_or_state(
    client_of, complaint_in, acme_admin, django_assert_num_queries, state
):
    from complaints.services import complaint_add_message, complaint_link

    client = client_of(acme_admin)
    short = complaint_in(state)
    long = complaint_in(state)
    for number in range(10):
        complaint_add_message(
            complaint=long,
            actor=acme_admin,
            kind="internal",
            body=f"note {number}",
            files=[SimpleUploadedFile(f"n{number}.pdf", b"%PDF-1.4 x", "application/pdf")],
        )
    for _ in range(3):
        complaint_link(complaint=long, actor=acme_admin, other=complaint_in(State.RECEIVED))
    client.get(detail_url(short))  # warm the session

    with django_assert_num_queries(CASE_PAGE_QUERIES):
        client.get(detail_url(short))
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = client.get(detail_url(long))

    assert response.status_code == 200
    page = response.content.decode()
    assert "note 9" in page and "n9.pdf" in page
    assert len(response.context["case"].linked) == 3


def test_an_agent_files_a_complaint_taken_by_phone(client_of, acme_setup, acme_brand, acme_agent):
    client = client_of(acme_agent)

    response = client.post(
        reverse("complaint-new", kwargs={"tenant_slug": "acme"}),
        {
            "brand": acme_brand.pk,
            "channel": "phone",
            "name": "Γιάννης Παππάς",
            "phone": "+30 210 555 0101",
            "language": "el",
            "severity": "high",
            "subject": "Tow truck never came",
            "description": "Waited four hours on the motorway.",
            "files": [SimpleUploadedFile("photo.png", b"\x89PNG...", content_type="image/png")],
        },
    )

    complaint = Complaint.objects.for_tenant(acme_setup).get(subject="Tow truck never came")
    assert response.status_code == 302
    assert response["Location"] == detail_url(complaint)
    assert complaint.channel == "phone"
    assert complaint.customer.phone_key == "+302105550101"
    assert complaint.language == "el"
    assert [a.original_name for a in Attachment.objects.for_tenant(acme_setup)] == ["photo.png"]


@pytest.mark.parametrize(
    ("problem", "errors"),
    [
        (
            {"phone": "+30 210 555 0101", "files": "virus.exe"},
            {"files": ["“virus.exe” is not a file type we accept (PDF, images, text, Word)."]},
        ),
        (
            {"phone": "+30 210 555 0101", "files": "drawing.png"},
            {"files": ["“drawing.png” is not a file type we accept (PDF, images, text, Word)."]},
        ),
        (
            {"phone": "", "files": ""},
            {
                "__all__": ["Give an email address or a phone number so we can answer you."],
                "email": ["An email address or a phone number is needed."],
            },
        ),
    ],
)
def test_bad_input_on_the_agent_form_keeps_what_was_typed(
    client_of, acme_setup, acme_brand, acme_agent, problem, errors
):
    files = []
    if problem["files"]:
        name = problem["files"]
        # A program by its name, or an SVG that only claims to be a PNG.
        files = [
            SimpleUploadedFile(name, b"MZ", content_type="application/x-msdownload")
            if name.endswith(".exe")
            else SimpleUploadedFile(name, b"<svg onload='alert(1)'/>", content_type="image/png")
        ]

    response = client_of(acme_agent).post(
        reverse("complaint-new", kwargs={"tenant_slug": "acme"}),
        {
            "brand": acme_brand.pk,
            "channel": "phone",
            "name": "Ana",
            "phone": problem["phone"],
            "language": "es",
            "severity": "low",
            "subject": "Wrong premium",
            "description": "Charged twice this month.",
            "files": files,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert "Charged twice this month." in response.content.decode()
    assert not Complaint.objects.for_tenant(acme_setup).exists()


def test_a_step_through_the_case_page(client_of, complaint_in, acme_admin):
    complaint = complaint_in(State.RECEIVED)
    client = client_of(acme_admin)
    page = client.get(detail_url(complaint)).content.decode()
    assert step_url(complaint, "acknowledge") in page
    assert step_url(complaint, "resolve") not in page

    response = client.post(
        step_url(complaint, "acknowledge"),
        {"acknowledge-version": complaint.version, "acknowledge-note": "Called her back."},
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.ACKNOWLEDGED
    transition = Transition.objects.for_tenant(complaint.tenant_id).get(complaint=complaint)
    assert (transition.actor, transition.note) == (acme_admin, "Called her back.")


def test_a_stale_page_is_refused_with_a_clear_message(client_of, complaint_in, acme_admin):
    complaint = complaint_in(State.RECEIVED)
    client = client_of(acme_admin)
    stale_version = complaint.version
    client.post(step_url(complaint, "acknowledge"), {"acknowledge-version": stale_version})

    response = client.post(
        step_url(complaint, "reject"),
        {"reject-version": stale_version, "reject-reason": "Not ours"},
    )

    assert response.status_code == 409
    assert "Someone changed this complaint" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == State.ACKNOWLEDGED


def test_resolving_without_root_cause_shows_field_errors_and_keeps_the_text(
    client_of, complaint_in, acme_admin
):
    complaint = complaint_in(State.INVESTIGATING)

    response = client_of(acme_admin).post(
        step_url(complaint, "resolve"),
        {"resolve-version": complaint.version, "resolve-resolution": "We will pay in full."},
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "This field is required." in text
    assert "We will pay in full." in text
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING


def test_a_reply_is_emailed_and_an_internal_note_is_not(client_of, complaint_in, acme_admin):
    from notifications.models import Delivery

    complaint = complaint_in(State.INVESTIGATING)
    client = client_of(acme_admin)
    url = reverse(
        "complaint-message", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )
    before = Delivery.objects.for_tenant(complaint.tenant_id).count()

    client.post(url, {"kind": "internal", "body": "Garage invoice looks forged."})
    client.post(url, {"kind": "reply", "body": "We have asked the garage for the invoice."})

    deliveries = Delivery.objects.for_tenant(complaint.tenant_id).order_by("-id")
    assert deliveries.count() == before + 1
    assert "We have asked the garage for the invoice." in deliveries[0].body
    kinds = list(
        Message.objects.for_tenant(complaint.tenant_id)
        .filter(complaint=complaint)
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["internal", "reply"]


def test_corrective_actions_are_tracked_to_completion(
    client_of, complaint_in, acme_admin, acme_agent
):
    complaint = complaint_in(State.RESOLVED)
    client = client_of(acme_admin)
    client.post(
        reverse(
            "complaint-action-open",
            kwargs={"tenant_slug": "acme", "reference": complaint.reference},
        ),
        {
            "description": "Pay windscreen claims in 10 days",
            "owner": acme_agent.pk,
            "due_date": "2026-12-31",
        },
    )
    action = CorrectiveAction.objects.for_tenant(complaint.tenant_id).get()
    update = reverse(
        "corrective-action-update", kwargs={"tenant_slug": "acme", "action_id": action.pk}
    )

    refused = client.post(update, {"status": "done"}, follow=True)
    assert "Say what was done." in refused.content.decode()
    client.post(update, {"status": "done", "outcome": "New 10-day target in the claims manual."})

    action.refresh_from_db()
    assert action.status == "done"
    assert action.completed_at is not None
    listing = client.get(reverse("corrective-action-list", kwargs={"tenant_slug": "acme"}))
    assert "New 10-day target" in listing.content.decode()


def _department(complaint, code):
    from tenants.models import Department

    return Department.objects.for_tenant(complaint.tenant_id).get(code=code).pk


# Route, state, extra URL parts and a payload that works for a member of Acme.
ROUTES = {
    "complaint-detail": ("get", State.RECEIVED, {}, lambda c, other: {}),
    "complaint-step": (
        "post",
        State.RECEIVED,
        {"name": "acknowledge"},
        lambda c, other: {"acknowledge-version": c.version, "acknowledge-note": "Called."},
    ),
    "complaint-transfer": (
        "post",
        State.INVESTIGATING,
        {},
        lambda c, other: {
            "transfer-version": c.version,
            "transfer-department": _department(c, "south-branch"),
        },
    ),
    "complaint-message": (
        "post",
        State.INVESTIGATING,
        {},
        lambda c, other: {"kind": "reply", "body": "We paid."},
    ),
    "complaint-link": ("post", State.INVESTIGATING, {}, lambda c, other: {"other": other}),
    "complaint-action-open": (
        "post",
        State.RESOLVED,
        {},
        lambda c, other: {
            "description": "Pay claims in 10 days",
            "owner": c.assignee_id,
            "due_date": "2027-01-31",
        },
    ),
}


def acme_rows(tenant_id):
    """What any of these pages would write."""
    from complaints.models import ComplaintLink
    from notifications.models import Delivery

    return {
        model.__name__: model.objects.for_tenant(tenant_id).count()
        for model in (
            Complaint,
            Transition,
            Message,
            ComplaintLink,
            CorrectiveAction,
            Attachment,
            Delivery,
        )
    } | {
        "states": list(
            Complaint.objects.for_tenant(tenant_id)
            .order_by("pk")
            .values_list("state", "version", "department__code")
        )
    }


@pytest.mark.parametrize("route", ROUTES)
def test_another_tenants_complaint_is_a_404_on_every_page(
    client_of, complaint_in, acme_admin, globex_agent, route
):
    method, state, extra, payload = ROUTES[route]
    complaint = complaint_in(state)
    other = complaint_in(State.RECEIVED)
    data = payload(complaint, other.reference)
    kwargs = {"tenant_slug": "globex", "reference": complaint.reference, **extra}
    own_tenant_url = reverse(route, kwargs=kwargs)
    foreign_tenant_url = reverse(route, kwargs={**kwargs, "tenant_slug": "acme"})
    before = acme_rows(complaint.tenant_id)
    client = client_of(globex_agent)

    for url in (own_tenant_url, foreign_tenant_url):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404
        assert complaint.subject not in response.content.decode()

    assert acme_rows(complaint.tenant_id) == before
    # The same request from Acme's admin works: the 404 was the tenant's, not the payload's.
    done = getattr(client_of(acme_admin), method)(foreign_tenant_url, data)
    assert done.status_code == (200 if method == "get" else 302)


def test_a_branch_agent_cannot_open_another_branchs_complaint(
    client_of, complaint_in, acme_south_agent
):
    complaint = complaint_in(State.INVESTIGATING)  # north branch

    assert client_of(acme_south_agent).get(detail_url(complaint)).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("acme_performer", 403), ("acme_analyst", 200)])
def test_read_only_roles(request, client_of, complaint_in, persona, status):
    complaint = complaint_in(State.RECEIVED)
    client = client_of(request.getfixturevalue(persona))

    assert client.get(queue_url()).status_code == status
    refused = client.post(step_url(complaint, "acknowledge"), {"acknowledge-version": 1})

    assert refused.status_code == 403
    complaint.refresh_from_db()
    assert complaint.state == State.RECEIVED


@pytest.mark.parametrize(
    ("model", "rows"),
    [
        ("complaints_complaintsettings", []),  # Acme has saved none: reading writes nothing
        ("complaints_category", ["Claims"]),
        ("complaints_rootcause", ["Slow claim handling", "Wrong information given"]),
        ("complaints_routingrule", ["Claims to the north branch"]),
        ("complaints_slapolicy", []),
        ("complaints_complaint", ["AMO-2026-000001"]),
        ("customers_customer", ["Maria Rossi"]),
        ("tenants_closure", []),
    ],
)
def test_superusers_configure_complaint_handling_in_the_admin(
    client, acme_setup, acme_brand, model, rows
):
    from datetime import UTC, datetime

    from tests.factories import UserFactory

    file_complaint(acme_brand, received_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))

    response = client.get(reverse(f"admin:{model}_changelist"))

    assert sorted(str(row) for row in response.context["cl"].result_list) == rows


def test_the_admin_adds_a_category_in_the_tree(client, acme_setup):
    from complaints.models import Category
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))
    claims = Category.objects.for_tenant(acme_setup).get(code="claims")

    client.post(
        reverse("admin:complaints_category_add"),
        {
            "tenant": acme_setup.pk,
            "code": "glass",
            "name": "Glass",
            "parent": claims.pk,
            "is_active": "on",
        },
    )

    glass = Category.objects.for_tenant(acme_setup).get(code="glass")
    assert glass.path == f"{claims.path}{glass.pk:010d}/"


def test_a_customer_who_agreed_to_texts_gets_an_sms_with_each_email(acme_setup, acme_brand):
    from customers.models import Customer
    from notifications.models import Delivery

    Customer.objects.create(
        tenant=acme_setup,
        name="Nikos",
        phone="+30 690 000 0001",
        phone_key="+306900000001",
        consent_sms=True,
    )

    complaint = file_complaint(acme_brand, email="", phone="+30 690 000 0001", name="Nikos")

    [sms] = Delivery.objects.for_tenant(acme_setup).filter(channel="sms")
    assert sms.recipient == "+30 690 000 0001"
    assert complaint.reference in sms.body
    assert f"/c/acme/status/{complaint.reference}/?key=" in sms.body
