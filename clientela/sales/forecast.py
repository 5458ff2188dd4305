"""The sales forecast: per person and period, what was won, what is committed, the best case,
the pipeline weighted by stage probability, the quota and its attainment (base currency).

Three grouped queries whatever the number of deals: won deals by owner and month of closing,
open deals by owner, month of expected closing and forecast category (with the weighted sum),
and the quotas. Months are then folded into quarters in Python.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
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


def _period_of(month, granularity):
    if granularity == "quarter":
        return datetime.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    return datetime.date(month.year, month.month, 1)


def _month(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def build(deals, users, year, granularity="month"):
    """The forecast of ``deals`` (already scoped and filtered) for ``users`` over ``year``."""
    periods = periods_of(year, granularity)
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    owners = {u.pk: u for u in users}
    cells = defaultdict(Cell)  # (owner id, period) -> Cell

    won = (
        deals.filter(status=StageKind.WON, owner_id__in=owners, closed_at__gte=_aware(start))
        .filter(closed_at__lt=_aware(end))
        .annotate(month=TruncMonth("closed_at"))
        .values("owner_id", "month")
        .annotate(total=Sum("amount_base"))
        .order_by()
    )
    for row in won:
        cells[row["owner_id"], _period_of(_month(row["month"]), granularity)].won += row["total"]

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
        .annotate(month=TruncMonth("expected_close_date"))
        .values("owner_id", "month", "forecast_category")
        .annotate(total=Sum("amount_base"), weighted=Sum(weighted))
        .order_by()
    )
    for row in open_deals:
        cell = cells[row["owner_id"], _period_of(_month(row["month"]), granularity)]
        setattr(
            cell,
            row["forecast_category"],
            getattr(cell, row["forecast_category"]) + row["total"],
        )
        cell.weighted += Decimal(row["weighted"] or 0).quantize(Decimal("0.01"))

    quotas = Quota.objects.filter(user_id__in=owners, month__gte=start, month__lt=end)
    for quota in quotas:
        cells[quota.user_id, _period_of(quota.month, granularity)].quota += quota.amount

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
