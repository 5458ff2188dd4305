"""Report values as people read them, and charts with their tables."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from clientela.core import permissions
from clientela.sales.money import base_currency

from .. import charts

register = template.Library()


@register.filter
def report_value(value, kind):
    """``value`` formatted for its column ``kind`` in the active language ("—" for none)."""
    if value is None or value == "":
        return "—"
    if kind in ("text", "date"):
        return formats.localize(value) if kind == "date" else value
    if kind == "count":
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    number = Decimal(str(value))
    if kind == "money":
        amount = formats.number_format(number, 2, use_l10n=True, force_grouping=True)
        return f"{amount} {base_currency()}"
    if kind == "percent":
        return f"{formats.number_format(number, 1, use_l10n=True)} %"
    if kind == "days":
        return _("%(days)s days") % {"days": formats.number_format(number, 1, use_l10n=True)}
    if kind == "hours":
        return _("%(hours)s h") % {"hours": formats.number_format(number, 1, use_l10n=True)}
    return formats.number_format(number, 2, use_l10n=True, force_grouping=True)


@register.filter
def percent(fraction):
    """0.734 -> "73.4 %"."""
    if fraction is None:
        return "—"
    return f"{formats.number_format(fraction * 100, 1, use_l10n=True)} %"


@register.filter
def with_columns(row, columns):
    """``[(column, value)]`` of a table row."""
    return list(zip(columns, row, strict=True))


@register.filter
def change_class(kpi):
    change = kpi.change
    if change is None or abs(change) < 0.05:
        return "flat"
    return "up" if change > 0 else "down"


@register.filter
def index(items, position):
    return items[position]


@register.inclusion_tag("analytics/_table.html", takes_context=True)
def report_table(context, table, heading_level=2):
    """A table's chart (if it has one) above the table of its values; rows that can become a
    marketing segment get the button for those who may write marketing."""
    user = context.get("user")
    may_segment = user is not None and permissions.can_write(user, "marketing")
    return {
        "table": table,
        "drawing": charts.draw(table),
        "level": heading_level,
        "segment_actions": table.row_actions if may_segment else [],
        "csrf_token": context.get("csrf_token"),
        "pin_dashboards": context.get("pin_dashboards") if context.get("pin_report") else None,
        "pin_report": context.get("pin_report"),
    }
