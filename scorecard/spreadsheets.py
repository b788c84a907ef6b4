"""Tables as CSV or Excel files, both ways: the inventory and the actions are exported and the inventory imported.

One place for the two formats, so that every export reads the same in a spreadsheet program and every import
refuses the same way: a file that is not a table gets one clear message, never an exception.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# An import reads at most this many rows (and the file is limited in size by the form that takes it).
MAX_ROWS = 2000
# An XLSX import's zip: at most this many parts, inflating to at most this many bytes.
XLSX_MAX_PARTS = 1_000
XLSX_MAX_UNPACKED = 50 * 1024 * 1024


class TableError(ValueError):
    """The upload cannot be read as a table; the message says why, for the person who uploaded it."""


def table_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, filename: str, fmt: str, sheet: str = "Sheet1"
) -> HttpResponse:
    """A download of the table as CSV (UTF-8 with a byte-order mark, which spreadsheet programs need to read
    it as UTF-8) or as an Excel workbook with one sheet."""
    name = slugify(filename) or "export"
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(title=sheet[:31])
        worksheet.append([_xlsx_value(header) for header in headers])
        for row in rows:
            worksheet.append([_xlsx_value(_cell(value)) for value in row])
        data = io.BytesIO()
        workbook.save(data)
        response = HttpResponse(data.getvalue(), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _xlsx_value(value: Any) -> Any:
    # Why: a workbook cannot hold most control characters (a vertical tab pasted from a word processor, an escape),
    # and openpyxl refuses the whole file for one of them; the text is written without them.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _cell(value: Any) -> Any:
    # Why: a cell starting with = + - @ is a formula to a spreadsheet program (CSV injection); text is kept as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


class Table(NamedTuple):
    headers: list[str]  # as written, stripped
    records: list[dict[str, str]]  # {header: text} per data row
    row_numbers: list[int]  # each record's row in the file as a spreadsheet program numbers it (the header is 1)


def read_table(data: bytes, filename: str) -> Table:
    """The header row and the data rows of a CSV or XLSX upload.

    Blank rows are skipped, but each record keeps its row number in the file, so that a message about it points
    at the row people see. The format is chosen by the content (an XLSX file is a zip), not the name.
    Raises TableError with a message for the user.
    """
    raw_rows = _xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data)
    rows = [(number, row) for number, row in enumerate(raw_rows, start=1) if any(cell.strip() for cell in row)]
    if not rows:
        raise TableError(_("The file is empty: it needs a header row and one row per record."))
    headers = [cell.strip() for cell in rows[0][1]]
    if len(rows) - 1 > MAX_ROWS:
        raise TableError(_("The file has more than %(max)s rows; split it into smaller files.") % {"max": MAX_ROWS})
    records, row_numbers = [], []
    for number, row in rows[1:]:
        padded = list(row) + [""] * (len(headers) - len(row))
        records.append({header: padded[i].strip() for i, header in enumerate(headers) if header})
        row_numbers.append(number)
    return Table(headers, records, row_numbers)


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(_("The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8.")) from exc
    if "\x00" in text:
        raise TableError(_("The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise TableError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    unreadable = _("The file is not an Excel workbook (.xlsx) that can be read.")
    # The zip's directory says how much its parts inflate to: a few MB that inflate to gigabytes (a "zip bomb")
    # are refused before anything is inflated. A real workbook of MAX_ROWS rows is far below these limits.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError(unreadable) from exc
    if len(parts) > XLSX_MAX_PARTS or sum(part.file_size for part in parts) > XLSX_MAX_UNPACKED:
        raise TableError(_("The workbook is too large once unpacked; save it again or split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = []
            for count, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True)):
                if count > MAX_ROWS + 1:
                    raise TableError(
                        _("The file has more than %(max)s rows; split it into smaller files.") % {"max": MAX_ROWS}
                    )
                rows.append(["" if value is None else str(value) for value in row])
            return rows
        finally:
            workbook.close()
    except TableError:
        raise
    except Exception as exc:  # a damaged workbook fails in many ways inside openpyxl and its XML parser
        raise TableError(unreadable) from exc
