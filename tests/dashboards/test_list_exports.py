"""The lists' downloads (``dashboards/list_exports.py``): the complaint queue, responses,
interactions and follow-ups. Each holds exactly the rows its list shows the member asking —
their department subtree, the list's filters from the query string, the list's order — all of
them rather than one page, with the list's columns plus ids and times; and each costs the same
number of queries for 5 rows as for 50.

Acme: Mario manages the north region, Bob is an agent of its branch, Sara of the south branch.
Complaints about claims are routed to the north branch; one without a category goes to the
head office, which Mario does not see. Survey data is Bob's when he served the customer.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints.lifecycle import State
from complaints.models import Complaint
from surveys.followups.assigning import follow_up_assign
from surveys.models import FollowUp, Interaction, Response
from tests.complaint_fixtures import file_complaint
from tests.dashboards.exporting import Answers, as_dicts, csv_rows, export_url, xlsx_rows
from tests.surveys.survey_fixtures import add_rule, publish_survey

SUMMER_NIGHT = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)  # 2026-07-02 00:30 in Athens
WINTER_MORNING = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)  # 12:05 in Athens
HOUR = timedelta(hours=1)
ATHENS = ZoneInfo("Europe/Athens")


def athens(moment: datetime) -> str:
    """A stored time as Acme's downloads write it: in Athens, to the minute."""
    return moment.astimezone(ATHENS).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def answer(acme, acme_brand):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    return Answers(acme, acme_brand, version)


@pytest.fixture
def world(acme, acme_brand, acme_agent, acme_south_agent, complaint_in, answer):
    """Three complaints (two in the north branch, one at the head office) and four answers
    (two served by Bob, one by Sara, one by nobody); the critics have follow-ups."""
    hail = complaint_in(State.ACKNOWLEDGED, subject="Hail damage")
    spam = complaint_in(State.REJECTED, subject="Spam")
    rude = file_complaint(acme_brand, subject="Rude staff", name="Rita Roe", email="rr@example.com")
    answers = {
        "Ada": answer("Ada", 10, at=WINTER_MORNING, performer=acme_agent),
        "Cleo": answer(
            "Cleo", 3, at=WINTER_MORNING + HOUR, comment="Rude.", performer=acme_south_agent
        ),
        "Finn": answer("Finn", 0, at=WINTER_MORNING + 2 * HOUR, performer=acme_agent),
        "Eve": answer("Eve", 9, at=WINTER_MORNING + 3 * HOUR),
    }
    return {"hail": hail, "spam": spam, "rude": rude, **answers}


# --- exactly the rows of the list -----------------------------------------------------------

# Each list's page, its download, and how a page row and a download row name their object.
LISTS = {
    "queue": ("complaint-queue", "complaint-queue-export", lambda row: row.reference, "Reference"),
    "responses": ("response-list", "response-list-export", lambda row: str(row.pk), "Response"),
    "interactions": (
        "interaction-list",
        "interaction-list-export",
        lambda row: str(row.pk),
        "Interaction",
    ),
    "follow-ups": ("follow-up-list", "follow-up-list-export", lambda row: str(row.pk), "Follow-up"),
}


def _names(tenant, world, listed: list[str], kind: str) -> list[str]:
    """The world's names of listed ids: complaints by key, survey rows by customer."""
    if kind == "queue":
        by_reference = {c.reference: key for key, c in world.items() if isinstance(c, Complaint)}
        return [by_reference[reference] for reference in listed]
    model = {"responses": Response, "interactions": Interaction, "follow-ups": FollowUp}[kind]
    path = {
        "responses": "interaction__customer__name",
        "interactions": "customer__name",
        "follow-ups": "response__interaction__customer__name",
    }[kind]
    names = dict(model.objects.for_tenant(tenant).filter(pk__in=listed).values_list("pk", path))
    return [names[int(pk)] for pk in listed]


@pytest.mark.parametrize(
    ("kind", "persona", "query", "expected"),
    [
        # The department tab (the default) shows open complaints of Mario's subtree.
        ("queue", "acme_manager", {}, ["hail"]),
        ("queue", "acme_manager", {"queue": "all"}, ["spam", "hail"]),
        ("queue", "acme_admin", {"queue": "all", "sort": "oldest"}, ["hail", "spam", "rude"]),
        ("queue", "acme_admin", {"queue": "all", "q": "staff"}, ["rude"]),
        ("responses", "acme_agent", {}, ["Finn", "Ada"]),
        ("responses", "acme_manager", {"band": "low"}, ["Finn", "Cleo"]),
        ("responses", "acme_manager", {"with_comment": "on"}, ["Cleo"]),
        ("interactions", "acme_agent", {}, ["Finn", "Ada"]),
        ("interactions", "acme_admin", {"decision": "invited"}, ["Eve", "Finn", "Cleo", "Ada"]),
        ("follow-ups", "acme_agent", {}, ["Finn"]),
        ("follow-ups", "acme_manager", {"status": "open"}, ["Cleo", "Finn"]),
        ("follow-ups", "acme_manager", {"status": "done"}, []),
    ],
    ids=[
        "queue-manager-department",
        "queue-manager-all",
        "queue-admin-oldest",
        "queue-admin-search",
        "responses-agent",
        "responses-detractors",
        "responses-with-comment",
        "interactions-agent",
        "interactions-invited",
        "follow-ups-agent",
        "follow-ups-open",
        "follow-ups-done",
    ],
)
def test_a_download_holds_exactly_the_rows_its_list_shows_that_member(
    request, client, acme, world, kind, persona, query, expected
):
    page_name, export, page_id, column = LISTS[kind]
    client.force_login(request.getfixturevalue(persona).user)

    page = client.get(reverse(page_name, kwargs={"tenant_slug": "acme"}), query)
    csv = as_dicts(csv_rows(client.get(export_url(export), query)))
    xlsx = as_dicts(xlsx_rows(client.get(export_url(export, "xlsx"), query)))

    listed = [page_id(row) for row in page.context["page"].rows]
    assert [row[column] for row in csv] == listed
    assert [str(row[column]) for row in xlsx] == listed
    assert _names(acme, world, listed, kind) == expected


# --- each list's columns --------------------------------------------------------------------


def test_the_queue_download_says_what_the_queue_says_with_its_times(
    client_of, acme_admin, acme_agent, complaint_in, clock
):
    clock(SUMMER_NIGHT)
    complaint = complaint_in(State.ACKNOWLEDGED, subject="=cmd|' /C calc'!A0")
    complaint.refresh_from_db()

    rows = as_dicts(csv_rows(client_of(acme_admin).get(export_url("complaint-queue-export"))))

    assert rows == [
        {
            "Reference": complaint.reference,
            "Subject": "'=cmd|' /C calc'!A0",
            "Complainant": "Maria Rossi",
            "Segment": "Standard",
            "Repeat complainant": "No",
            "Brand": "Acme Motor",
            "Touchpoint": "",
            "Category": "Claims",
            "Channel": "Web form",
            "Severity": "Medium",
            "State": "Acknowledged",
            "Priority": "P3 – normal",
            "Handler": acme_agent.user.get_full_name(),
            "Department": "North branch",
            "Received": "2026-07-02 00:30",
            "Due": "First response",
            "Due at": athens(complaint.first_response_due_at),
            "Overdue": "No",
            "Resolved": "",
            "Closed": "",
        }
    ]


def test_the_queue_download_marks_what_is_overdue_as_the_queue_does(
    client_of, acme_admin, complaint_in, clock
):
    clock(WINTER_MORNING)
    complaint = complaint_in(State.ACKNOWLEDGED)
    complaint.refresh_from_db()
    clock(complaint.resolve_due_at + HOUR)  # every running clock is past due

    client = client_of(acme_admin)
    page = client.get(reverse("complaint-queue", kwargs={"tenant_slug": "acme"}))
    row = as_dicts(xlsx_rows(client.get(export_url("complaint-queue-export", "xlsx"))))[0]

    shown = page.context["page"].rows[0].due
    assert shown.is_overdue and shown.clock == "First response, Resolution"
    assert (row["Due"], row["Overdue"]) == ("First response, Resolution", "Yes")
    assert row["Due at"] == datetime.strptime(
        athens(complaint.first_response_due_at), "%Y-%m-%d %H:%M"
    )


def test_the_interactions_download_names_the_complaint_or_the_external_reference(
    client_of, acme_admin, acme_agent, answer, complaint_in
):
    ada = answer("Ada", 10, at=WINTER_MORNING, performer=acme_agent)

    rows = as_dicts(csv_rows(client_of(acme_admin).get(export_url("interaction-list-export"))))

    interaction = ada.interaction
    assert rows == [
        {
            "Interaction": str(interaction.pk),
            "Occurred": "2026-03-02 11:05",
            "Brand": "Acme Motor",
            "Touchpoint": "",
            "Customer": "Ada",
            "Performer": acme_agent.user.get_full_name(),
            "Source": "API",
            "Complaint": "",
            "External reference": "visit-1",
            "Survey decision": "Invited",
            "Recorded": athens(interaction.created_at),
        }
    ]


def test_the_follow_ups_download_has_the_due_time_the_outcome_and_the_response(
    client_of, acme, acme_manager, acme_agent, answer, clock
):
    clock(SUMMER_NIGHT)
    cleo = answer("Cleo", 3, at=SUMMER_NIGHT, comment="@SUM(1+1)*cmd", performer=acme_agent)
    follow_up = FollowUp.objects.for_tenant(acme).get(response=cleo)
    follow_up_assign(actor=acme_manager, follow_up=follow_up, assignee=acme_agent)
    clock(follow_up.due_at + HOUR)

    rows = as_dicts(
        xlsx_rows(client_of(acme_manager).get(export_url("follow-up-list-export", "xlsx")))
    )

    # Due two working days later: Friday 3 July, 17:00 in Athens.
    assert athens(follow_up.due_at) == "2026-07-03 17:00"
    assert rows == [
        {
            "Follow-up": follow_up.pk,
            "Customer": "Cleo",
            "Score": 3,
            "Scale": "NPS",
            "Comment": "'@SUM(1+1)*cmd",
            "Brand": "Acme Motor",
            "Touchpoint": None,
            "Assignee": acme_agent.user.get_full_name(),
            "Due": datetime(2026, 7, 3, 17, 0),
            "Overdue": "Yes",
            "Status": "Open",
            "Completed": None,
            "Outcome": None,
            "Response": cleo.pk,
            "Answered": datetime(2026, 7, 2, 0, 30),
        }
    ]


# --- a fixed number of queries --------------------------------------------------------------

# What every download reads and writes: the session, the user, the membership with its tenant
# (and the workspace list), the COUNT of its rows, the audit entry's INSERT, and the rows
# themselves (one query, every relation a column shows joined).
DOWNLOADS = {
    # + the queue's lists (categories, brands, touchpoints, departments: one UNION ALL)
    "complaint-queue-export": (7, {"queue": "all"}),
    "response-list-export": (6, {}),
    "interaction-list-export": (6, {}),
    "follow-up-list-export": (6, {}),
}


def _make(acme_brand, acme_agent, answer, start: int, count: int):
    for n in range(start, start + count):
        file_complaint(acme_brand, subject=f"Claim {n}", email=f"c{n}@example.com")
        answer(
            f"Critic {n}", 2, at=WINTER_MORNING + n * HOUR, comment="Slow.", performer=acme_agent
        )


def test_a_download_runs_the_same_queries_for_5_rows_as_for_50(
    client_of, acme_admin, acme_brand, acme_agent, acme_setup, answer, django_assert_num_queries
):
    _make(acme_brand, acme_agent, answer, 0, 5)
    client = client_of(acme_admin)
    client.get(export_url("response-list-export"))  # the session, warmed

    def download_all(rows: int):
        for name, (queries, query) in DOWNLOADS.items():
            for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
                with django_assert_num_queries(queries):
                    body = read(client.get(export_url(name, fmt), query))
                assert len(body) == rows + 1, (name, fmt)

    download_all(5)
    _make(acme_brand, acme_agent, answer, 5, 45)
    download_all(50)
