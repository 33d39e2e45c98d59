"""Reading an uploaded CSV of interactions: its bytes into text (any usual encoding, a BOM,
``;`` or ``,`` or tabs), its records, and which column is which. ``checking`` then checks the
rows; nothing here knows what a row means."""

import csv
import io
import re

from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.errors import ApplicationError

MAX_FILE_BYTES = 5 * 1024 * 1024


MAX_ROWS = 10_000


DELIMITERS = (",", ";", "\t")


def file_error(message: str) -> ApplicationError:
    return ApplicationError(message, code="bad_file", fields={"file": [message]})


def file_text(upload: UploadedFile) -> str:
    """The text of an uploaded CSV file; ApplicationError when it is too big, empty, a workbook
    or not UTF-8 (a byte-order mark is fine: Excel's "CSV UTF-8" writes one)."""
    too_big = _("The file is larger than %(size)s MB: split it into smaller files.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }
    if upload.size > MAX_FILE_BYTES:
        raise file_error(too_big)
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise file_error(too_big)
    return decode(raw)


def decode(raw: bytes) -> str:
    if raw.startswith(b"PK\x03\x04"):
        raise file_error(
            _(
                "This is a workbook, not a CSV file. In Excel choose File › Save as › "
                "CSV UTF-8 (Comma delimited)."
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise file_error(
            _(
                "The file is not UTF-8 text. In Excel choose File › Save as › "
                "CSV UTF-8 (Comma delimited)."
            )
        ) from error
    if "\x00" in text:
        raise file_error(_("The file is not CSV text."))
    if not text.strip():
        raise file_error(_("The file is empty."))
    return text


def read_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """(header, [(row number, cells)] of the non-blank rows, delimiter)."""
    # Column names never hold a delimiter, so the first line tells which one the file uses.
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    # strict: a quote left open raises instead of swallowing the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = cells
                continue
            records.append((number, cells))
            if len(records) > MAX_ROWS:
                raise file_error(
                    _("The file has more than %(count)s rows: split it into smaller files.")
                    % {"count": number_format(MAX_ROWS, force_grouping=True)}
                )
    except csv.Error as error:
        raise file_error(
            _(
                'Row %(row)s cannot be read: a quote (") is not closed, text follows a '
                "closing quote, or a cell is too long."
            )
            % {"row": number + 1}
        ) from error
    if header is None or not records:
        raise file_error(_("The file has no rows to import under its column names."))
    return header, records, delimiter


def column_name(cell: str) -> str:
    """ "Customer Email", "customer-email" and "CUSTOMER_EMAIL" all name customer_email."""
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def column_positions(
    header: list[str], records: list[tuple[int, list[str]]]
) -> tuple[dict[str, int], list[str]]:
    """(column name → index, the columns this import does not use)."""
    columns, ignored = {}, []
    for index, cell in enumerate(header):
        name = column_name(cell)
        if name in COLUMNS:
            if name in columns:
                raise file_error(_("The column “%(name)s” appears twice.") % {"name": name})
            columns[name] = index
        elif name:
            ignored.append(cell.strip())
        elif any(cell_at(cells, index) for _number, cells in records):
            # Not silently: a column with values and no name is named by its position.
            ignored.append(_("column %(number)s (no name)") % {"number": index + 1})
    return columns, ignored


# Column names and what they take, shown on the import page.
COLUMNS = {
    "external_reference": gettext_lazy(
        "Required. Your system's reference of the event; each is imported once."
    ),
    "occurred_at": gettext_lazy(
        "Required. When the service happened, in ISO 8601: 2025-03-01 14:30 (the workspace's "
        "time zone) or 2025-03-01T14:30:00+02:00 (with its offset)."
    ),
    "brand": gettext_lazy(
        "The brand's reference prefix (e.g. AMO) or name. Required when the workspace has more "
        "than one brand."
    ),
    "touchpoint": gettext_lazy("Optional. The touchpoint's name or code."),
    "customer_email": gettext_lazy(
        "The customer's email address. An email address or a phone number is required; "
        "without an email address no survey can go out."
    ),
    "customer_phone": gettext_lazy("The customer's phone number, e.g. +30 210 000 1000."),
    "customer_name": gettext_lazy("Optional. Used when the customer is new."),
    "customer_language": gettext_lazy(
        "Optional. en, el, it, es or ru; the workspace's language when empty. Used when the "
        "customer is new."
    ),
    "performer": gettext_lazy(
        "Optional. The email address (or external code) of the member who served the customer."
    ),
}


def cell_at(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""
