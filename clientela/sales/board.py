"""The pipeline board: one column per stage, each a keyset page of its deals, with totals.

A column reads ``deal_board_idx`` (stage, expected close date, id), so the first paint costs a
small query and a total per stage, whatever the number of deals; each column pages on
with its own cursor (``?cursor_<stage id>=``). Won and lost columns show what closed in the last
``CLOSED_DAYS`` days: the board is about the work in progress, the list and reports about the
rest.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from clientela.core.prefetch import prefetched
from clientela.core.views.records import page_or_first

from .choices import StageKind

COLUMN_SIZE = 20
CLOSED_DAYS = 30
OPEN_ORDERING = ("expected_close_date", "id")  # closing soonest first
CLOSED_ORDERING = ("-closed_at", "-id")  # latest closes first (``deal_board_closed_idx``)


@dataclass
class Column:
    stage: object
    deals: list
    count: int
    total: object
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def weighted_total(self):
        return self.total * self.stage.probability / 100


def columns(pipeline, deals, cursors):
    """The board of ``pipeline`` over ``deals`` (already scoped and filtered)."""
    recently = timezone.now() - timedelta(days=CLOSED_DAYS)
    # No filter on the pipeline: a stage belongs to one, and the columns' indexes start with it.
    cards = deals.select_related("company", "owner").prefetch_related(prefetched("tags"))
    board = []
    for stage in pipeline.stages.all():
        # Each column on its own index, its total too: the open ones by close date, the closed
        # ones by the latest close (a plain range on ``closed_at``, which that index serves).
        if stage.kind == StageKind.OPEN:
            column, ordering = cards.filter(stage=stage), OPEN_ORDERING
        else:
            column, ordering = cards.filter(stage=stage, closed_at__gte=recently), CLOSED_ORDERING
        page = page_or_first(column, ordering, cursors.get(stage.pk), COLUMN_SIZE)
        total = column.order_by().aggregate(n=Count("id"), total=Sum("amount_base"))
        board.append(
            Column(
                stage=stage,
                deals=page.items,
                count=total["n"],
                total=total["total"] or 0,
                next_cursor=page.next_cursor,
                previous_cursor=page.previous_cursor,
            )
        )
    return board


def cursors_from(query):
    """``{stage id: cursor}`` from ``cursor_<stage id>`` query parameters."""
    found = {}
    for key, value in query.items():
        name, _sep, stage_id = key.partition("_")
        if name == "cursor" and stage_id.isdigit() and value:
            found[int(stage_id)] = value
    return found
