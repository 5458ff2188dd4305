"""What each rollup counts: its records, dimensions and measures per kind of event."""

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from clientela.activities.models import Activity
from clientela.contacts.models import Company, Contact
from clientela.sales.choices import PurchaseStatus, StageKind
from clientela.sales.models import Deal, DealStageChange, Purchase
from clientela.support.models import Case

from ..models import ActivityDay, CaseDay, ContactDay, DealDay, PurchaseDay, StageDay
from .engine import Event, Rollup

OWNED = {"owner_id": "owner_id", "team_id": "team_id"}


def _hours(end, start):
    return Sum(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))


DEALS = Rollup(
    key="deals",
    model=DealDay,
    records=Deal,
    dimensions={
        **OWNED,
        "pipeline_id": "pipeline_id",
        "region": "company__region",
        "source": "source",
    },
    events=(
        Event("created", "created_at", {"deals": Count("pk"), "amount": Sum("amount_base")}),
        *(
            Event(
                kind,
                "closed_at",
                {
                    "deals": Count("pk"),
                    "amount": Sum("amount_base"),
                    "cycle_hours": _hours("closed_at", "created_at"),
                },
                Q(status=kind),
            )
            for kind in (StageKind.WON, StageKind.LOST)
        ),
    ),
    related={Company: ("company", ("region",))},
)

STAGES = Rollup(
    key="stages",
    model=StageDay,
    records=DealStageChange,
    alive=Q(deal__deleted_at__isnull=True),
    dimensions={
        "owner_id": "deal__owner_id",
        "team_id": "deal__team_id",
        "pipeline_id": "to_stage__pipeline_id",
        "stage_id": "to_stage_id",
        "region": "deal__company__region",
        "source": "deal__source",
    },
    events=(Event("", "changed_at", {"entries": Count("pk")}),),
    related={Deal: ("deal", None), Company: ("deal__company", ("region",))},
)

CONTACTS = Rollup(
    key="contacts",
    model=ContactDay,
    records=Contact,
    dimensions={
        **OWNED,
        "source": "source",
        "region": "region",
        "lifecycle_stage": "lifecycle_stage",
    },
    events=(Event("", "created_at", {"contacts": Count("pk")}),),
)

CASES = Rollup(
    key="cases",
    model=CaseDay,
    records=Case,
    alive=Q(merged_into__isnull=True),
    dimensions={
        **OWNED,
        "channel": "channel",
        "category_id": "category_id",
        "priority": "priority",
        "region": "contact__region",
    },
    events=(
        Event("opened", "created_at", {"cases": Count("pk")}),
        Event(
            "responded",
            "first_responded_at",
            {
                "cases": Count("pk"),
                "hours": _hours("first_responded_at", "created_at"),
                "with_due": Count("pk", filter=Q(first_response_due__isnull=False)),
                "on_time": Count("pk", filter=Q(first_responded_at__lte=F("first_response_due"))),
            },
        ),
        Event(
            "resolved",
            "resolved_at",
            {
                "cases": Count("pk"),
                "hours": _hours("resolved_at", "created_at"),
                "with_due": Count("pk", filter=Q(resolution_due__isnull=False)),
                "on_time": Count("pk", filter=Q(resolved_at__lte=F("resolution_due"))),
            },
        ),
    ),
    related={Contact: ("contact", ("region",))},
)

ACTIVITIES = Rollup(
    key="activities",
    model=ActivityDay,
    records=Activity,
    dimensions={**OWNED, "kind": "kind", "direction": "direction"},
    events=(Event("", "timeline_at", {"activities": Count("pk")}),),
)

PURCHASES = Rollup(
    key="purchases",
    model=PurchaseDay,
    records=Purchase,
    alive=Q(status=PurchaseStatus.COMPLETED),
    dimensions={**OWNED, "channel": "channel", "region": "contact__region"},
    events=(Event("", "purchased_at", {"purchases": Count("pk"), "revenue": Sum("total_base")}),),
    related={Contact: ("contact", ("region",))},
)

ROLLUPS = {r.key: r for r in (DEALS, STAGES, CONTACTS, CASES, ACTIVITIES, PURCHASES)}
