"""The sales forecast: per person and period, what was won, what is committed, the best case,
the pipeline weighted by stage probability, the quota and its attainment (base currency).

Three grouped queries whatever the number of deals: won deals by owner with one sum per period
of closing, open deals by owner, forecast category and month of expected closing (with the
weighted sum), and the quotas.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, DecimalField, ExpressionWrapper, F, Q, Sum, When
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from clientela.core import permissions
from clientela.core.models import User

from .choices import ForecastCategory, StageKind
from .models import Quota

ZERO = Decimal(0)


@dataclass
class Cell:
    won: Decimal = ZERO
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO
    quota: Decimal = ZERO

    @property
    def best_case_total(self):
        """Won, plus what is committed, plus the best case: the most that can be expected."""
        return self.won + self.commit + self.best_case

    @property
    def attainment(self):
        """Won as a percentage of the quota (``None`` without a quota)."""
        return None if not self.quota else self.won * 100 / self.quota

    def add(self, other):
        for name in ("won", "commit", "best_case", "pipeline", "weighted", "quota"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Row:
    owner: object
    cells: list = field(default_factory=list)  # a Cell per period, in order


@dataclass
class Forecast:
    periods: list  # (start date, label) in order
    rows: list  # Row per owner, by name
    totals: list  # a Cell per period, in order


def people_for(reader, team=None):
    """Whom a forecast read by ``reader`` is about: a team's members, or every active person in
    the reader's scope (themselves, their teammates, or everyone)."""
    people = User.objects.filter(is_active=True)
    if team is not None:
        people = people.filter(teams=team)
    scope = permissions.scope_q(reader, owner_field="pk", team_field="teams")
    return list(people.filter(scope).distinct() if scope is not None else people)


def periods_of(year, granularity):
    """``[(start, label)]``: the twelve months or four quarters of ``year``."""
    if granularity == "quarter":
        return [(datetime.date(year, 3 * q - 2, 1), f"Q{q} {year}") for q in range(1, 5)]
    return [(datetime.date(year, m, 1), f"{year}-{m:02d}") for m in range(1, 13)]


def _per_period(field_name, spans, value, *, aware=False, prefix="p"):
    """``{"p0": Sum(value if field in period 0), ...}``: one pass over the rows, plain range
    comparisons (grouping by a truncated month would call a Python function per row on
    SQLite)."""
    sums = {}
    for n, (first, after) in enumerate(spans):
        low, high = (_aware(first), _aware(after)) if aware else (first, after)
        window = Q(**{f"{field_name}__gte": low, f"{field_name}__lt": high})
        sums[f"{prefix}{n}"] = Sum(Case(When(window, then=value), default=None))
    return sums


def _month_key(date_field):
    """``"2026-03"`` of a date column, computed by the database itself (a date's text starts
    with its year and month on both engines; a truncating function would run in Python per row
    on SQLite). Dates have no time zone, so the month is exact; closing times are not, hence
    ``_per_period`` for those."""
    return Substr(Cast(date_field, output_field=CharField()), 1, 7)


def _period_start(day, spans):
    return next(first for first, after in spans if first <= day < after)


def build(deals, users, year, granularity="month"):
    """The forecast of ``deals`` (already scoped and filtered) for ``users`` over ``year``."""
    periods = periods_of(year, granularity)
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    owners = {u.pk: u for u in users}
    cells = defaultdict(Cell)  # (owner id, period) -> Cell
    bounds = [p for p, _label in periods] + [end]
    spans = list(zip(bounds, bounds[1:], strict=False))

    won = (
        deals.filter(status=StageKind.WON, owner_id__in=owners)
        .filter(closed_at__gte=_aware(start), closed_at__lt=_aware(end))
        .values("owner_id")
        .annotate(**_per_period("closed_at", spans, F("amount_base"), aware=True))
        .order_by()
    )
    for row in won:
        for n, (period, _end) in enumerate(spans):
            cells[row["owner_id"], period].won += row[f"p{n}"] or ZERO

    weighted = ExpressionWrapper(
        F("amount_base") * F("stage__probability") / 100,
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )
    open_deals = (
        deals.filter(
            status=StageKind.OPEN,
            owner_id__in=owners,
            expected_close_date__gte=start,
            expected_close_date__lt=end,
        )
        .exclude(forecast_category=ForecastCategory.OMITTED)
        .annotate(month=_month_key("expected_close_date"))
        .values("owner_id", "forecast_category", "month")
        .annotate(total=Sum("amount_base"), weighted=Sum(weighted))
        .order_by()
    )
    for row in open_deals:
        year_part, month_part = row["month"].split("-")
        period = _period_start(datetime.date(int(year_part), int(month_part), 1), spans)
        cell = cells[row["owner_id"], period]
        category = row["forecast_category"]
        setattr(cell, category, getattr(cell, category) + row["total"])
        cell.weighted += Decimal(row["weighted"] or 0).quantize(Decimal("0.01"))

    quotas = Quota.objects.filter(user_id__in=owners, month__gte=start, month__lt=end)
    for quota in quotas:
        cells[quota.user_id, _period_start(quota.month, spans)].quota += quota.amount

    rows, totals = [], [Cell() for _period in periods]
    for user in sorted(users, key=lambda u: (u.get_full_name() or u.username).casefold()):
        row = Row(owner=user, cells=[cells.get((user.pk, p), Cell()) for p, _label in periods])
        if not any(cell != Cell() for cell in row.cells):
            continue  # nothing sold, nothing expected, no quota: not part of this forecast
        for total, cell in zip(totals, row.cells, strict=True):
            total.add(cell)
        rows.append(row)
    return Forecast(periods=periods, rows=rows, totals=totals)


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
