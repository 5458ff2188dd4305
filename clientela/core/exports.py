"""Export formats of record lists and the HTTP responses that carry them.

CSV and vCard are text produced batch by batch, so they stream: the first bytes leave before the
last records are read. XLSX is a zip archive whose directory is written last, and openpyxl's
write-only workbook only produces it on ``save``: it cannot be sent truly incrementally. The
workbook is therefore written to a spooled temporary file (rows go to disk as they are appended,
memory stays bounded) and that file is then streamed by ``FileResponse``.
"""

import tempfile
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ExportFormat:
    code: str
    content_type: str
    label: str
    extension: str


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", _("CSV"), "csv"),
    "xlsx": ExportFormat("xlsx", XLSX_CONTENT_TYPE, _("Excel"), "xlsx"),
    "vcf": ExportFormat("vcf", "text/vcard; charset=utf-8", _("vCard"), "vcf"),
}
# The list pages' export links (CSV keeps its long-standing wording).
LINK_LABELS = {"csv": _("Export CSV"), "xlsx": _("Export Excel"), "vcf": _("Export vCard")}
SPOOL_BYTES = 8 * 1024 * 1024  # a small workbook stays in memory, a big one goes to disk


def spooled_file():
    """A binary temporary file for a workbook; removed when closed (the response closes it)."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")


def export_response(code, basename, content):
    """The attachment ``<basename>.<extension>``: ``content`` is an iterator of text chunks
    (streamed as UTF-8) or a binary file positioned at its start."""
    fmt = FORMATS[code]
    filename = f"{basename}.{fmt.extension}"
    if hasattr(content, "read"):
        return FileResponse(
            content, as_attachment=True, filename=filename, content_type=fmt.content_type
        )
    response = StreamingHttpResponse(content, content_type=fmt.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
