"""CSV downloads that open correctly in Excel and cannot smuggle in a formula.

UTF-8 with a byte-order mark (Excel then reads Cyrillic right) and `;` between cells (what
Excel expects in a Russian locale). A text cell starting with `=`, `+`, `-`, `@`, a tab or a
carriage return gets a leading apostrophe, as OWASP advises, so a spreadsheet shows it as text
instead of running it. Numbers are written as numbers.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask import Response, stream_with_context

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_EVERY = 500


def neutralised(value) -> object:
    """The cell as it should be written: a formula-looking text is made plain text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The file in chunks of FLUSH_EVERY rows: memory stays flat however many rows there are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralised(h) for h in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralised(v) for v in row])
        if count % FLUSH_EVERY == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> Response:
    """A streamed download; `rows` may be a generator reading the database as it goes."""
    response = Response(stream_with_context(csv_lines(header, rows)), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
