"""What each rollup counts: its records, dimensions and measures per kind of event."""

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum

from clientela.activities.models import Activity
from clientela.contacts.models import Company, Contact
from clientela.sales.choices import PurchaseStatus, StageKind
from clientela.sales.models import Deal, DealStageChange, Purchase
from clientela.support.models import Case

from ..models import ActivityDay, CaseDay, ContactDay, DealDay, FunnelDay, PurchaseDay
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

# The furthest stage of its pipeline a deal has entered, lost stages aside.
FURTHEST_STAGE = Subquery(
    DealStageChange.objects.filter(deal=OuterRef("pk"), to_stage__pipeline=OuterRef("pipeline"))
    .exclude(to_stage__kind=StageKind.LOST)
    .order_by("-to_stage__position", "-to_stage_id")
    .values("to_stage_id")[:1]
)

FUNNEL = Rollup(
    key="funnel",
    model=FunnelDay,
    records=Deal,
    dimensions={
        **OWNED,
        "pipeline_id": "pipeline_id",
        "stage_id": FURTHEST_STAGE,
        "region": "company__region",
        "source": "source",
    },
    events=(Event("", "created_at", {"deals": Count("pk")}),),
    related={Company: ("company", ("region",))},
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

ROLLUPS = {r.key: r for r in (DEALS, FUNNEL, CONTACTS, CASES, ACTIVITIES, PURCHASES)}
