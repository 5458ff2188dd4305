"""What every report is made of, whatever computed it: headline figures compared with the
previous period, and tables of labelled columns, each drawn as a chart and also shown as the
table itself (the accessible version), exported to CSV or Excel, and served as JSON."""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from clientela.core import spreadsheet

# How a column's values read: what the page formats, the charts scale and the API states.
KINDS = ("text", "count", "money", "percent", "number", "days", "hours", "date")
CHARTS = {
    "bar": _("Bar chart"),
    "line": _("Line chart"),
    "pie": _("Pie chart"),
    "funnel": _("Funnel"),
    "table": _("Table only"),
}


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list
    chart: str = "table"
    note: str = ""
    # (source, value) per row: the row can become a marketing segment (``services.segments``).
    row_actions: list = field(default_factory=list)

    def as_dicts(self):
        return [dict(zip((c.key for c in self.columns), row, strict=True)) for row in self.rows]


@dataclass
class Kpi:
    """A headline figure and the same figure over the previous period."""

    key: str
    label: str
    kind: str
    value: object
    previous: object = None

    @property
    def change(self):
        """The relative change in per cent, ``None`` when there is nothing to compare with."""
        if self.value is None or not self.previous:
            return None
        return float((Decimal(str(self.value)) - Decimal(str(self.previous))) * 100) / float(
            self.previous
        )


def compared(labels, now, before):
    """``[Kpi]`` of ``labels`` (``(key, label, kind)``) from two dicts of figures."""
    return [Kpi(key, label, kind, now[key], before[key]) for key, label, kind in labels]


@dataclass
class Report:
    key: str
    title: str
    period: object
    previous: object
    kpis: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    state: str = ""  # e.g. "not enough data yet" for a prediction

    def table(self, key):
        return next(t for t in self.tables if t.key == key)

    def as_json(self):
        return {
            "report": self.key,
            "title": str(self.title),
            "period": _period_json(self.period),
            "previous_period": _period_json(self.previous),
            "kpis": [
                {
                    "key": k.key,
                    "label": str(k.label),
                    "kind": k.kind,
                    "value": _json(k.value),
                    "previous": _json(k.previous),
                    "change_percent": None if k.change is None else round(k.change, 1),
                }
                for k in self.kpis
            ],
            "tables": [
                {
                    "key": t.key,
                    "title": str(t.title),
                    "chart": t.chart,
                    "columns": [
                        {"key": c.key, "label": str(c.label), "kind": c.kind} for c in t.columns
                    ],
                    "rows": [[_json(v) for v in row] for row in t.rows],
                }
                for t in self.tables
            ],
        }

    def export_rows(self):
        """The report as rows of cells: the headline figures, then each table under its title."""
        yield [str(self.title), self.period.label() if self.period else ""]
        if self.kpis:
            yield []
            yield [str(_("Figure")), str(_("This period")), str(_("Previous period"))]
            for kpi in self.kpis:
                yield [str(kpi.label), _cell(kpi.value), _cell(kpi.previous)]
        for table in self.tables:
            yield []
            yield [str(table.title)]
            yield [str(c.label) for c in table.columns]
            for row in table.rows:
                yield [_cell(v) for v in row]


def to_csv(report):
    """The report as CSV text chunks (cells that would run as formulas are defused)."""
    for row in report.export_rows():
        buffer = io.StringIO()
        csv.writer(buffer).writerow(spreadsheet.cells(row))
        yield buffer.getvalue()


def to_xlsx(report, fileobj):
    with spreadsheet.XlsxSheet(fileobj, str(report.title)) as sheet:
        for row in report.export_rows():
            sheet.append(row)
    fileobj.seek(0)
    return fileobj


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return "" if value is None else value


def _json(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value if value is None or isinstance(value, int | str) else str(value)


def _period_json(period):
    if period is None:
        return None
    return {"start": period.start.isoformat(), "end": period.last.isoformat()}
