"""Cohort retention: customers grouped by the month of their first purchase, and how many of
each group bought again in each later month (``CohortCell``), counted again by the daily
training from every completed purchase.

Counting distinct customers per month cannot be added up from daily rollups, and grouping
millions of purchases by a month in SQL calls a Python function per row on SQLite; so the
purchases are read once as raw values and grouped with pandas (vectorised, in the company's
time zone).
"""

from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db import transaction

from clientela.core.exports import fetch_rows
from clientela.sales.choices import PurchaseStatus
from clientela.sales.models import Purchase

from ..models import CohortCell

BATCH = 5000


def purchases_frame():
    """Every completed purchase of a contact: contact, local month, amount, the contact's
    owner and team."""
    rows = fetch_rows(
        Purchase.objects.filter(status=PurchaseStatus.COMPLETED, contact__isnull=False)
        .order_by()
        .values_list(
            "contact_id", "purchased_at", "total_base", "contact__owner_id", "contact__team_id"
        )
    )
    frame = pd.DataFrame(rows, columns=["contact", "at", "amount", "owner", "team"])
    moments = pd.to_datetime(frame["at"], utc=True, format="mixed")
    frame["month"] = moments.dt.tz_convert(settings.TIME_ZONE).dt.tz_localize(None)
    frame["month"] = frame["month"].dt.to_period("M")
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0)
    return frame.drop(columns="at")


def rebuild():
    """Count the cohorts again; returns the number of cells written."""
    frame = purchases_frame()
    cells = []
    if not frame.empty:
        frame["cohort"] = frame.groupby("contact")["month"].transform("min")
        keys = ["cohort", "month", "owner", "team"]
        grouped = (
            frame.groupby(keys, dropna=False)
            .agg(customers=("contact", "nunique"), revenue=("amount", "sum"))
            .reset_index()
        )
        cells = [
            CohortCell(
                cohort=row.cohort.start_time.date(),
                month=row.month.start_time.date(),
                owner_id=None if pd.isna(row.owner) else int(row.owner),
                team_id=None if pd.isna(row.team) else int(row.team),
                customers=int(row.customers),
                revenue=Decimal(str(round(row.revenue, 2))),
            )
            for row in grouped.itertuples(index=False)
        ]
    with transaction.atomic():
        CohortCell.objects.all().delete()
        CohortCell.objects.bulk_create(cells, batch_size=BATCH)
    return len(cells)
