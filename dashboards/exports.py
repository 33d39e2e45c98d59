"""Downloads of a table as CSV or Excel (XLSX): every list's and every chart's table.

One function, :func:`export_response`, turns rows and their :class:`Column` specs into a
download; it knows nothing of complaints or surveys. The caller hands it exactly the rows its
page shows the member (the list's own selector and FilterSet), so an export never shows more.

* **Time zone.** Times are written in the tenant's time zone: ``2026-03-01 14:30`` in CSV, a
  date-time cell without a zone in XLSX (Excel has none). Headers and labels are in the
  member's language, the language of the request.
* **Formulas.** A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe (OWASP, "CSV injection"), in CSV and XLSX alike, so a customer's
  comment ``=HYPERLINK(…)`` is shown as text and never run by a spreadsheet. Numbers stay
  numbers.
* **CSV** is UTF-8 with a byte-order mark (so Excel reads the accents), commas between fields
  and CRLF line ends (RFC 4180): the format scripts and other tools read. It streams: rows are
  read from the database in chunks (``iterator(chunk_size=…)``) and sent as they are written,
  so its memory does not grow with the rows. (Excel in a language whose list separator is
  ``;`` puts a comma CSV in one column; those people take the Excel download.)
* **XLSX** is a zip, which cannot be sent before it is finished: openpyxl's write-only
  workbook writes each row to a temporary file as it comes (strings inline, no shared-string
  table in memory), the finished zip goes to a ``SpooledTemporaryFile`` (in memory up to
  ``XLSX_SPOOL_BYTES``, on disk beyond) and is then sent in blocks. Memory stays bounded
  whatever the rows; the first byte waits until the workbook is written. At most
  ``XLSX_MAX_ROWS`` rows, one Excel sheet: a bigger export is refused with a message (CSV has
  no limit).
* **Audit.** Each download writes one audit entry, ``export.downloaded``, before its first
  byte: the member, what was exported, the format, the filters that applied and the number of
  rows at that moment.
"""

import csv
import io
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tenants import rls
from tenants.audit import audit_record
from tenants.errors import ApplicationError
from tenants.models import Membership

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
AUDIT_ACTION = "export.downloaded"

# Rows fetched from the database per round trip, and per chunk of CSV sent.
CHUNK_ROWS = 2000
# One Excel sheet holds 1,048,576 rows; one is the header.
XLSX_MAX_ROWS = 1_048_575
# The finished workbook stays in memory up to this size, then moves to a temporary file.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024
XLSX_BLOCK_BYTES = 64 * 1024
# Excel shows at most this many characters of a cell.
XLSX_MAX_TEXT = 32_767

# What a spreadsheet would read as the start of a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DATETIME = "%Y-%m-%d %H:%M"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (a translatable string, written in the member's
    language) and the function that gives a row's value: text, a number, a date or a
    date-time (aware, written in the tenant's time zone), a boolean (written yes/no) or None
    (an empty cell). ``width`` is the XLSX column's width in characters."""

    header: Any
    value: Callable[[Any], Any]
    width: int = 16


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it: a leading apostrophe before a
    formula's first character (see ``FORMULA_STARTS``)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class Cells:
    """Turns a column's value into a CSV field or an XLSX cell, in ``zone``; the words for
    true and false are taken in the active language when it is made."""

    def __init__(self, zone: tzinfo):
        self.zone = zone
        self.yes, self.no = _("Yes"), _("No")

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the tenant's time zone, without a zone (a naive one is taken as
        already local)."""
        if timezone.is_aware(moment):
            moment = moment.astimezone(self.zone)
        return moment.replace(tzinfo=None)

    def csv(self, value) -> str:
        if isinstance(value, bool):
            return self.yes if value else self.no
        if value is None:
            return ""
        if isinstance(value, int | float | Decimal):
            return str(value)
        if isinstance(value, datetime):
            return self.local(value).strftime(CSV_DATETIME)
        if isinstance(value, date):
            return value.isoformat()
        return neutralised(str(value))

    def xlsx(self, sheet, value):
        if isinstance(value, bool):
            return self.yes if value else self.no
        if value is None or isinstance(value, int | float | Decimal):
            return value
        if isinstance(value, datetime | date):
            is_datetime = isinstance(value, datetime)
            cell = WriteOnlyCell(sheet, value=self.local(value) if is_datetime else value)
            cell.number_format = XLSX_DATETIME if is_datetime else XLSX_DATE
            return cell
        return self.xlsx_text(str(value))

    @staticmethod
    def xlsx_text(text: str) -> str:
        # Control characters are not allowed in the XML of a sheet (openpyxl refuses them).
        return ILLEGAL_CHARACTERS_RE.sub("", neutralised(text))[:XLSX_MAX_TEXT]


def applied_filters(filterset) -> dict[str, str | list[str]]:
    """The filters of a django-filter FilterSet that narrowed its rows, as the query string
    gave them; a refused one (an error on its field) is left out, as the list leaves it out."""
    form = filterset.form
    form.is_valid()
    applied = {}
    for name in form.fields:
        if name in form.errors:
            continue
        key = form.add_prefix(name)
        values = [value for value in filterset.data.getlist(key) if value != ""]
        if values:
            applied[name] = values[0] if len(values) == 1 else values
    return applied


def export_response(
    *,
    member: Membership,
    rows: QuerySet | Iterable,
    columns: list[Column],
    file_stem: str,
    fmt: str,
    name: str,
    filters: dict | None = None,
    target: models.Model | None = None,
) -> StreamingHttpResponse:
    """A download of ``rows`` in ``fmt`` (``"csv"`` or ``"xlsx"``), audited.

    ``rows`` is a queryset (read with ``iterator(chunk_size=CHUNK_ROWS)``: join what the
    columns read with ``select_related``, never a query per row) or a sized iterable (a
    dashboard's table). The file is called ``<tenant>-<file_stem>-<today>.<fmt>``. The audit
    entry (``AUDIT_ACTION``) names ``name`` (what was exported), ``fmt``, ``filters`` and the
    row count, on ``target`` (the tenant by default). Refuses (``ApplicationError``, 400) an
    XLSX of more rows than a sheet holds.
    """
    if fmt not in FORMATS:
        raise ValueError(f"an export's format is one of {FORMATS}, not {fmt!r}")
    tenant = member.tenant
    zone = zoneinfo.ZoneInfo(tenant.time_zone)
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    if fmt == XLSX and count > XLSX_MAX_ROWS:
        raise ApplicationError(
            _(
                "An Excel sheet holds at most %(limit)s rows and this list has %(count)s: "
                "narrow it with the filters, or download CSV."
            )
            % {
                "limit": number_format(XLSX_MAX_ROWS, force_grouping=True),
                "count": number_format(count, force_grouping=True),
            }
        )
    audit_record(
        tenant=tenant,
        actor=member.user,
        action=AUDIT_ACTION,
        target=target or tenant,
        changes={
            "export": [None, name],
            "format": [None, fmt],
            "filters": [None, filters or {}],
            "rows": [None, count],
        },
    )
    file_name = f"{slugify(f'{tenant.slug}-{file_stem}')}-{timezone.localdate(timezone=zone)}"
    file_name = f"{file_name}.{fmt}"
    cells = Cells(zone)
    if fmt == CSV:
        chunks = _acting_for(
            tenant, zone, translation.get_language(), lambda: _csv_chunks(rows, columns, cells)
        )
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[CSV])
        response["Content-Disposition"] = content_disposition_header(True, file_name)
        return response
    workbook = _xlsx_file(rows, columns, cells, sheet_title=file_stem)
    response = FileResponse(
        workbook, as_attachment=True, filename=file_name, content_type=CONTENT_TYPES[XLSX]
    )
    response.block_size = XLSX_BLOCK_BYTES
    return response


def _iterate(rows: QuerySet | Iterable) -> Iterator:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK_ROWS)
    return iter(rows)


def _acting_for(
    tenant, zone: tzinfo, language: str | None, make_chunks: Callable[[], Iterator[bytes]]
) -> Iterator[bytes]:
    """The chunks of ``make_chunks()``, each made acting for ``tenant`` in its time zone and
    the request's language.

    A streamed body is written after the view has returned, when the request no longer acts
    for its tenant (``tenants.rls``: the database would show no row) nor in its time zone; so
    each chunk is made inside those settings, and nothing of them is held across a ``yield``
    (the server may resume the iterator elsewhere).
    """
    chunks = None
    try:
        while True:
            with ExitStack() as acting:
                acting.enter_context(rls.tenant(tenant))
                acting.enter_context(timezone.override(zone))
                acting.enter_context(translation.override(language))
                if chunks is None:
                    chunks = make_chunks()
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk
    finally:
        if chunks is not None:
            with rls.tenant(tenant):
                chunks.close()  # a download cut short frees its database cursor now


def _csv_chunks(rows, columns: list[Column], cells: Cells) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")  # UTF-8's byte-order mark: Excel then reads the file as UTF-8
    writer.writerow([cells.csv(str(column.header)) for column in columns])
    for number, row in enumerate(_iterate(rows), start=1):
        writer.writerow([cells.csv(column.value(row)) for column in columns])
        if number % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()


def _xlsx_file(rows, columns: list[Column], cells: Cells, *, sheet_title: str):
    """The workbook, written row by row (openpyxl's write-only mode), in a spooled temporary
    file rewound to its start."""
    workbook = Workbook(write_only=True)
    # A sheet's name: at most 31 characters, none of []:*?/\ (slugify keeps none of them).
    sheet = workbook.create_sheet(title=slugify(sheet_title)[:31] or "export")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"  # the header stays in view
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=cells.xlsx_text(str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _iterate(rows):
        sheet.append([cells.xlsx(sheet, column.value(row)) for column in columns])
    # Closed by the FileResponse that sends it, once sent.
    spooled = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    workbook.save(spooled)
    spooled.seek(0)
    return spooled
