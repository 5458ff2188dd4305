"""A report as a PDF (the e-mailed reports): title and period, the headline figures against
the previous period, then each table, values formatted as on the page, in the active language.
Charts stay on the page; the PDF carries their values."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clientela.sales.pdf import BOLD, FONT, register_fonts

from ..templatetags.reports import report_value

MAX_ROWS = 500


def render(report):
    """The PDF bytes of ``report``."""
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=8, leading=10)
    title = ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=15, leading=19)
    heading = ParagraphStyle("heading", parent=base, fontName=BOLD, fontSize=11, leading=14)
    story = [Paragraph(escape(str(report.title)), title)]
    if report.period:
        period = report.period.label()
        if report.previous:
            period = _("%(period)s, compared with %(previous)s") % {
                "period": period,
                "previous": report.previous.label(),
            }
        story.append(Paragraph(escape(period), base))
    if report.state:
        story.append(Paragraph(escape(str(report.state)), base))
    if report.kpis:
        rows = [[_("Figure"), _("This period"), _("Previous period")]]
        rows += [
            [str(k.label), report_value(k.value, k.kind), report_value(k.previous, k.kind)]
            for k in report.kpis
        ]
        story += [Spacer(0, 4 * mm), _table(rows, base)]
    for table in report.tables:
        story += [Spacer(0, 5 * mm), Paragraph(escape(str(table.title)), heading)]
        if not table.rows:
            story.append(Paragraph(escape(_("Nothing to show for this period.")), base))
            continue
        rows = [[str(c.label) for c in table.columns]]
        rows += [
            [report_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            for row in table.rows[:MAX_ROWS]
        ]
        story.append(_table(rows, base))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=str(report.title),
    ).build(story)
    return buffer.getvalue()


def _table(rows, style):
    cells = [[Paragraph(escape(str(value)), style) for value in row] for row in rows]
    table = Table(cells, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.2, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
