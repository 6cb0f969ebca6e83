"""CSV downloads: streamed, with every cell kept as text a spreadsheet will not run."""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if hasattr(value, "astimezone"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


class _Echo:
    """A file-like object whose write returns what it was given, for streaming CSV."""

    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """A streamed CSV download of ``header`` then ``rows``."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([safe_cell(cell) for cell in row]) for row in [header, *rows])
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
