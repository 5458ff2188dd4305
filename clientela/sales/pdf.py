"""Quote PDFs, drawn with ReportLab in the active language.

The fonts are the Bitstream Vera faces that ship inside the ReportLab package: embedded in the
file, they cover the euro sign and every Spanish and Catalan letter (ñ, ç, à, l·l), and nothing
is fetched at run time. User text reaches ReportLab's mini-markup escaped.
"""

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT, BOLD = "ClientelaVera", "ClientelaVera-Bold"
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@cache
def register_fonts():
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    return True


def _styles():
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20),
        "strong": ParagraphStyle("strong", parent=base, fontName=BOLD),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def money_text(amount, currency):
    """``1.234,56 €`` (grouped and with the decimal mark of the active language)."""
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{number} {SYMBOLS.get(currency, currency)}"


def number_text(value, places=None):
    value = value.normalize() if places is None else value
    if places is None and value == value.to_integral():
        value = value.quantize(1)
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _text(value):
    return escape(str(value or "")).replace("\n", "<br/>")


def render_quote(*, quote, deal, seller, contact, lines, totals):
    """The PDF of ``quote`` (bytes), in the language active when called."""
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Quote %(number)s") % {"number": quote.number},
        author=seller.name or "",
        invariant=True,
    )
    currency = quote.currency
    story = []

    seller_lines = [f"<b>{_text(seller.name)}</b>"] if seller.name else []
    if seller.tax_id:
        seller_lines.append(_("Tax id: %(tax_id)s") % {"tax_id": _text(seller.tax_id)})
    if seller.address:
        seller_lines.append(_text(seller.address))
    reach = " · ".join(_text(v) for v in (seller.email, seller.phone) if v)
    if reach:
        seller_lines.append(reach)
    # Whole sentences with placeholders, not f-strings: makemessages cannot see a call made
    # inside an f-string, and word order differs between languages.
    heading = [
        _("Quote %(number)s") % {"number": _text(quote.number)},
        _("Version %(version)s") % {"version": quote.version},
        _("Date: %(date)s") % {"date": formats.date_format(quote.created_at.date(), "DATE_FORMAT")},
        _("Valid until: %(date)s")
        % {"date": formats.date_format(quote.valid_until, "DATE_FORMAT")},
    ]
    story.append(
        Table(
            [
                [
                    Paragraph("<br/>".join(seller_lines) or "&nbsp;", styles["base"]),
                    Paragraph("<br/>".join(heading), styles["right"]),
                ]
            ],
            colWidths=[95 * mm, 79 * mm],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
        )
    )
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(_("Quote"), styles["title"]))
    story.append(Spacer(1, 3 * mm))

    customer_label = _text(_("Customer"))
    customer = [f"<b>{customer_label}</b>"]
    company = deal.company
    if company is not None:
        customer.append(_text(company.name))
        if company.tax_id:
            customer.append(_("Tax id: %(tax_id)s") % {"tax_id": _text(company.tax_id)})
    if contact is not None:
        customer.append(_text(contact))
    customer.append(_("Subject: %(subject)s") % {"subject": _text(deal.name)})
    story.append(Paragraph("<br/>".join(customer), styles["base"]))
    story.append(Spacer(1, 5 * mm))

    header = [
        _("Description"),
        _("Quantity"),
        _("Unit price"),
        _("Discount"),
        _("VAT"),
        _("Net"),
    ]
    rows = [[Paragraph(f"<b>{_text(h)}</b>", styles["small"]) for h in header]]
    for line in lines:
        rows.append(
            [
                Paragraph(_text(line.description), styles["small"]),
                number_text(line.quantity),
                money_text(line.unit_price, currency),
                f"{number_text(line.discount)} %" if line.discount else "",
                f"{number_text(line.tax_percent)} %",
                money_text(line.net, currency),
            ]
        )
    table = Table(
        rows,
        # Wide enough for "Cantidad" and "Descuento" in the header without breaking the word.
        colWidths=[58 * mm, 22 * mm, 26 * mm, 22 * mm, 16 * mm, 30 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 5 * mm))

    summary = [[_("Net total"), money_text(totals.net, currency)]]
    for rate, entry in totals.by_rate.items():
        summary.append(
            [
                _("VAT %(rate)s %% on %(base)s")
                % {"rate": number_text(rate), "base": money_text(entry["base"], currency)},
                money_text(entry["tax"], currency),
            ]
        )
    summary.append([_("Total"), money_text(totals.gross, currency)])
    story.append(
        Table(
            summary,
            colWidths=[70 * mm, 34 * mm],
            hAlign="RIGHT",
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTNAME", (0, -1), (-1, -1), BOLD),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ]
            ),
        )
    )
    story.append(Spacer(1, 6 * mm))
    validity = _("This quote is valid until %(date)s.") % {
        "date": formats.date_format(quote.valid_until, "DATE_FORMAT")
    }
    story.append(Paragraph(validity, styles["base"]))
    if seller.quote_terms:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(_text(seller.quote_terms), styles["small"]))
    document.build(story)
    return buffer.getvalue()
