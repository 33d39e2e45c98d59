"""The monthly complaint-analysis report, in this process: its figures are the dashboards'
selectors' for the month over the whole tenant (and the hand-computed table of
``complaints_fixtures``); issued once whatever the runs; stored and shown as issued, in the
tenant's language; its PDF; the archive; who may read it; another tenant; the download's audit.

The report is November 2026's, issued on Tuesday 1 December 2026 at 12:00 UTC (14:00 in
Athens), the beat's time. Surveys: "Service desk" (CSAT first) goes to Acme Motor, "After
service" (NPS first) to Acme Rent.

    answered (Athens)   brand  CSAT  NPS
    Tue 20 Oct 12:00    Motor   1           (October: not in the report)
    Tue 20 Oct 12:00    Rent          0     (October)
    Tue 10 Nov 12:00    Motor   5
    Thu 12 Nov 12:00    Motor   4
    Tue 17 Nov 12:00    Motor   2
    Tue 10 Nov 12:00    Rent          10
    Thu 12 Nov 12:00    Rent           9
    Tue 17 Nov 12:00    Rent           6
    Thu 12 Nov 12:00    Globex  1           (another tenant)

By hand, for November: CSAT 2 satisfied of 3 (67 %, mean 11 / 3 = 3.67); NPS 2 promoters,
1 detractor of 3: 33. Complaints as of 1 December (``complaints_fixtures``, now 11 days
later): received 7 (web form 3, phone 2, email 2; claims 6, no category 1; Acme Motor 7);
root causes slow handling 2, wrong information 1, 4 without; acknowledgement met A D G,
missed B, C, H: 3 of 6; first response also missed by D (due 23 November): 3 of 7;
resolution met A B G, missed C (due 25 November): 3 of 4; open now C D G H (7–29 days)
and F (30 and more): 5.
"""

import re
import zlib
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from complaints.models import Channel
from dashboards import reports
from dashboards.models import MonthlyReport
from notifications.models import Delivery, DeliveryAttachment
from surveys.scoring import QuestionKind
from tenants.models import AuditEntry, Role
from tests.complaint_fixtures import file_complaint
from tests.dashboards.complaints_fixtures import athens, november_world
from tests.dashboards.csat_fixtures import answered, service_desk, survey_of
from tests.factories import BrandFactory, make_member
from tests.test_csp import assert_nothing_inline

pytestmark = pytest.mark.postgres

ISSUED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def world(
    clock, acme, acme_setup, acme_brand, acme_admin, acme_agent, acme_manager, globex, globex_brand
):
    november_world(clock, acme, acme_brand, acme_admin)
    clock(athens(10, 15, 9))
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    desk = service_desk(acme)
    after_service = survey_of(
        acme, "After service", [QuestionKind.NPS, QuestionKind.TEXT], brand=rent, order=1
    )
    for when, csat, nps in (
        (athens(10, 20, 12), 1, 0),
        (athens(11, 10, 12), 5, 10),
        (athens(11, 12, 12), 4, 9),
        (athens(11, 17, 12), 2, 6),
    ):
        answered(acme_brand, desk, when=when, csat=csat)
        answered(rent, after_service, when=when, nps=nps)
    answered(globex_brand, service_desk(globex), when=athens(11, 12, 12), csat=1)
    file_complaint(globex_brand, channel=Channel.PHONE, name="Gina", email="gina@globex.example")
    clock(ISSUED_AT)
    return {"motor": acme_brand, "rent": rent}


def dashboard(client, name: str):
    path = reverse(name, kwargs={"tenant_slug": "acme"})
    response = client.get(path, {"start": "2026-11-01", "end": "2026-11-30", "compare": "none"})
    assert response.status_code == 200
    return response.context["page"]


def pdf_pages(pdf: bytes) -> int:
    """The pages a PDF says it has: the ``/Count`` of its page tree, which may sit in a
    compressed object stream."""
    parts = [pdf] + [
        zlib.decompressobj().decompress(stream)  # lenient: a stream may end in its EOL
        for stream in re.findall(
            rb"/FlateDecode[^>]*>>\s*stream\r?\n(.*?)\r?\nendstream", pdf, re.S
        )
    ]
    counts = [
        int(count)
        for part in parts
        for count in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", part, re.S)
        + re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", part, re.S)
    ]
    return max(counts, default=0)


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


# --- the figures ------------------------------------------------------------------------------


def test_the_figures_are_the_dashboards_for_the_month_over_the_whole_tenant(
    client_of, acme, acme_admin, world
):
    figures = reports.monthly_figures(acme, NOVEMBER)

    # An admin sees the whole tenant: the report's figures are their dashboards' for November.
    client = client_of(acme_admin)
    complaints = dashboard(client, "dashboard-complaints")
    assert figures.complaints == complaints
    assert figures.nps.nps == dashboard(client, "dashboard-nps").nps
    assert figures.csat.csat == dashboard(client, "dashboard-csat").csat
    # And by hand.
    page = figures.complaints
    assert page.received == 7
    assert {row.name: row.total for row in page.by_channel} == {
        "Web form": 3,
        "Phone": 2,
        "Email": 2,
    }
    assert {row.name: row.total for row in page.by_category} == {"Claims": 6, "No category": 1}
    assert [(row.name, row.value) for row in figures.by_brand] == [("Acme Motor", 7)]
    assert [(row.name, row.value.complaints) for row in page.pareto] == [
        ("Slow claim handling", 2),
        ("Wrong information given", 1),
    ]
    assert page.pareto_totals.without_root_cause == 4
    sla = {clock: (value.met, value.missed) for clock, value in page.sla.items()}
    # First response: D is overdue by now; resolution: C (due 25 November) is, H and D are not.
    assert sla == {"acknowledge": (3, 3), "first_response": (3, 4), "resolve": (3, 1)}
    assert [bucket.complaints for bucket in page.backlog] == [0, 0, 4, 1]
    assert figures.open_now == 5
    nps, csat = figures.nps.nps, figures.csat.csat
    assert (nps.promoters, nps.passives, nps.detractors, round(nps.score)) == (2, 0, 1, 33)
    assert (csat.part, csat.whole, round(csat.mean, 2)) == (2, 3, 3.67)
    assert [(group.name, group.nps.answered) for group in figures.nps.by_brand] == [
        ("Acme Rent", 3)
    ]


def test_a_managers_department_does_not_narrow_the_report(client_of, acme, acme_manager, world):
    # Mario manages the north region: his dashboard leaves out C (the head office's).
    mine = dashboard(client_of(acme_manager), "dashboard-complaints")

    figures = reports.monthly_figures(acme, NOVEMBER)

    assert (mine.received, figures.complaints.received) == (6, 7)


# --- issued once, stored as issued --------------------------------------------------------------


def test_issuing_twice_stores_one_report_and_emails_each_manager_once(
    acme, acme_admin, acme_manager, acme_analyst, world
):
    second_manager = make_member(acme, "marta", Role.MANAGER, "south")

    first = reports.monthly_report_issue(tenant=acme, month=NOVEMBER)
    again = reports.monthly_report_issue(tenant=acme, month=NOVEMBER)

    assert again.pk == first.pk
    assert MonthlyReport.objects.for_tenant(acme).count() == 1
    deliveries = Delivery.objects.for_tenant(acme).filter(template=reports.EMAIL_TEMPLATE)
    assert sorted(deliveries.values_list("recipient", flat=True)) == sorted(
        [acme_manager.user.email, second_manager.user.email]
    )
    assert first.recipients == 2
    attachments = DeliveryAttachment.objects.for_tenant(acme).filter(delivery__in=deliveries)
    assert (
        sorted(attachments.values_list("filename", "content_type"))
        == [("acme-complaint-report-2026-11.pdf", "application/pdf")] * 2
    )
    assert all(bytes(a.content) == bytes(first.pdf) for a in attachments)
    [entry] = AuditEntry.objects.for_tenant(acme).filter(action=reports.ISSUED)
    assert (entry.actor, entry.target_id) == (None, str(first.pk))
    assert entry.changes == {"month": [None, "2026-11"], "recipients": [None, 2]}


def test_the_report_is_in_the_tenants_language_and_shows_the_figures(acme, world):
    acme.default_language = "el"
    acme.save()

    report = reports.monthly_report_issue(tenant=acme, month=NOVEMBER)

    assert report.language == "el"
    assert report.created_at == ISSUED_AT
    # In Greek, copied by hand from locale/el.
    assert "Παράπονα που ελήφθησαν" in report.html
    assert text_of(report.html, "summary-received") == "7"
    assert text_of(report.html, "summary-open") == "5"
    assert text_of(report.html, "summary-nps").startswith("33")
    assert text_of(report.html, "summary-csat").startswith("67 %")
    deliveries = Delivery.objects.for_tenant(acme).filter(template=reports.EMAIL_TEMPLATE)
    [subject] = deliveries.values_list("subject", flat=True)
    assert "Acme Insurance" in subject and "Νοέμβριος 2026" in subject


def test_the_pdf_is_a_pdf_with_pages(acme, world):
    report = reports.monthly_report_issue(tenant=acme, month=NOVEMBER)

    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(pdf) >= 1


def test_the_pdf_reads_the_apps_static_files_and_nothing_else():
    from dashboards.report_pdf import BASE_URL, StaticFilesOnly

    fetcher = StaticFilesOnly()
    stylesheet = fetcher.fetch(f"{BASE_URL}css/report.css")
    assert stylesheet.content_type == "text/css"
    assert b".report-document" in stylesheet.read()
    for refused in (
        "http://127.0.0.1:9/x.css",
        "file:///etc/passwd",
        f"{BASE_URL}../config/settings.py",
        f"{BASE_URL}css/missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


# --- the archive and the report's pages ---------------------------------------------------------


def issue_months(acme, months: list[date]) -> list[MonthlyReport]:
    return [
        MonthlyReport.objects.create(
            tenant=acme, month=month, language="en", html=f"<p id='m'>{month}</p>", pdf=b"%PDF-1"
        )
        for month in months
    ]


def test_the_archive_lists_every_report_latest_first_in_a_fixed_number_of_queries(
    client_of, acme, acme_analyst, django_assert_num_queries
):
    client = client_of(acme_analyst)
    path = reverse("dashboard-reports", kwargs={"tenant_slug": "acme"})
    issue_months(acme, [date(2026, 9, 1), date(2026, 10, 1)])
    client.get(path)

    # session, user, membership with tenant and workspaces, the bell, the reports
    with django_assert_num_queries(5):
        few = client.get(path)
    issue_months(acme, [date(2025, month, 1) for month in range(1, 13)])
    with django_assert_num_queries(5):
        many = client.get(path)

    assert [r.month for r in few.context["reports"]] == [date(2026, 10, 1), date(2026, 9, 1)]
    assert len(many.context["reports"]) == 14
    assert "October 2026" in few.content.decode()
    assert_nothing_inline(few)


def test_analysts_read_a_report_as_it_was_issued_and_agents_and_performers_may_not(
    client_of, acme, acme_analyst, acme_agent, acme_performer, world
):
    report = reports.monthly_report_issue(tenant=acme, month=NOVEMBER)
    page = reverse("dashboard-report", kwargs={"tenant_slug": "acme", "report_id": report.pk})
    pdf = reverse("dashboard-report-pdf", kwargs={"tenant_slug": "acme", "report_id": report.pk})
    archive = reverse("dashboard-reports", kwargs={"tenant_slug": "acme"})

    shown = client_of(acme_analyst).get(page)
    assert_nothing_inline(shown)
    assert report.html in shown.content.decode()
    for member in (acme_agent, acme_performer):
        client = client_of(member)
        assert [client.get(path).status_code for path in (archive, page, pdf)] == [403] * 3
    assert not AuditEntry.objects.for_tenant(acme).filter(action="export.downloaded").exists()


def test_a_pdf_download_is_the_stored_pdf_and_is_audited(client_of, acme, acme_analyst, world):
    report = reports.monthly_report_issue(tenant=acme, month=NOVEMBER)
    pdf = reverse("dashboard-report-pdf", kwargs={"tenant_slug": "acme", "report_id": report.pk})

    response = client_of(acme_analyst).get(pdf)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="acme-complaint-report-2026-11.pdf"'
    )
    assert response.content == bytes(report.pdf)
    [entry] = AuditEntry.objects.for_tenant(acme).filter(action="export.downloaded")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        acme_analyst.user,
        "dashboards.monthlyreport",
        str(report.pk),
    )
    assert entry.changes == {
        "export": [None, "monthly_report"],
        "format": [None, "pdf"],
        "month": [None, "2026-11"],
    }


def test_another_tenants_report_is_not_found_and_its_download_is_not_audited(
    client_of, acme, acme_admin, globex
):
    [foreign] = issue_months(globex, [date(2026, 10, 1)])
    client = client_of(acme_admin)

    for name in ("dashboard-report", "dashboard-report-pdf"):
        for report_id in (foreign.pk, 987654321):
            path = reverse(name, kwargs={"tenant_slug": "acme", "report_id": report_id})
            assert client.get(path).status_code == 404
    archive = client.get(reverse("dashboard-reports", kwargs={"tenant_slug": "acme"}))
    assert list(archive.context["reports"]) == []
    assert not AuditEntry.objects.unscoped().filter(action="export.downloaded").exists()


# --- which month, which tenants -------------------------------------------------------------


def test_each_tenant_is_due_the_month_before_its_own_current_month(acme, globex, clock):
    from tenants.models import Tenant

    Tenant.objects.filter(pk__in=[acme.pk, globex.pk]).update(
        created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    Tenant.objects.filter(pk=globex.pk).update(time_zone="America/Los_Angeles")
    # 1 December, 05:00 UTC: 07:00 in Athens, still 30 November in Los Angeles.
    clock(datetime(2026, 12, 1, 5, 0, tzinfo=UTC))

    due = dict(reports.monthly_reports_due())

    assert (due[acme.pk], due[globex.pk]) == (date(2026, 11, 1), date(2026, 10, 1))
    MonthlyReport.objects.create(tenant=acme, month=NOVEMBER, language="en", html="", pdf=b"")
    Tenant.objects.filter(pk=globex.pk).update(created_at=datetime(2026, 11, 2, tzinfo=UTC))
    assert reports.monthly_reports_due() == []
