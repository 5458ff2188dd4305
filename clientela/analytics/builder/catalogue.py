"""What the report builder offers for each kind of record: the dimensions a report may group by
(fields with a few values, and dates by bucket) and the figures it may measure. The records are
selected with the segment rule builder's rules for the same entity (``marketing.rules``)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from clientela.contacts.models import Company, Contact
from clientela.core.models import Team, User
from clientela.sales.models import Deal, LostReason, Pipeline, Stage

from ..segmentation.rfm import SEGMENTS


@dataclass(frozen=True)
class Dimension:
    key: str
    label: object
    path: str
    date: bool = False  # grouped by a bucket of days
    day_column: bool = False  # a date without time (no time zone to apply)
    names: object = None  # () -> {value: label} for ids and codes

    def labels(self, values):
        if self.names is None:
            return {}
        return self.names(values)


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    path: str | None  # None: the number of records
    kind: str = "number"


@dataclass(frozen=True)
class Source:
    entity: str  # the rules entity
    label: object
    model: type
    dimensions: tuple
    measures: tuple
    area: str = field(default="")

    def dimension(self, key):
        return next((d for d in self.dimensions if d.key == key), None)

    def measure(self, key):
        return next((m for m in self.measures if m.key == key), None)


def _choices(model, name):
    def names(values):
        return {k: str(v) for k, v in model._meta.get_field(name).choices}

    return names


def _records(model, attribute="name"):
    def names(values):
        ids = [v for v in values if v is not None]
        return {o.pk: str(getattr(o, attribute)) for o in model.objects.filter(pk__in=ids)}

    return names


def _people(values):
    ids = [v for v in values if v is not None]
    return {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}


def _stages(values):
    ids = [v for v in values if v is not None]
    found = Stage.objects.filter(pk__in=ids).select_related("pipeline")
    several = len({s.pipeline_id for s in found}) > 1
    return {s.pk: f"{s.pipeline.name} · {s.name}" if several else s.name for s in found}


def _segments(values):
    return {k: str(v) for k, v in SEGMENTS.items()}


def _owned(created="created_at"):
    return (
        Dimension("owner", _("Owner"), "owner_id", names=_people),
        Dimension("team", _("Team"), "team_id", names=_records(Team)),
        Dimension("created", _("Created"), created, date=True),
    )


def _address(prefix=""):
    return (
        Dimension("region", _("Region"), f"{prefix}region"),
        Dimension("country", _("Country"), f"{prefix}country"),
    )


COUNT = Measure("records", _("Number of records"), None, "count")

SOURCES = {
    source.entity: source
    for source in (
        Source(
            "deal",
            _("Deals"),
            Deal,
            (
                *_owned(),
                Dimension("pipeline", _("Pipeline"), "pipeline_id", names=_records(Pipeline)),
                Dimension("stage", _("Stage"), "stage_id", names=_stages),
                Dimension("status", _("Status"), "status", names=_choices(Deal, "status")),
                Dimension("source", _("Source"), "source", names=_choices(Deal, "source")),
                Dimension(
                    "forecast_category",
                    _("Forecast category"),
                    "forecast_category",
                    names=_choices(Deal, "forecast_category"),
                ),
                Dimension(
                    "lost_reason", _("Why lost"), "lost_reason_id", names=_records(LostReason)
                ),
                Dimension(
                    "industry",
                    _("Company industry"),
                    "company__industry",
                    names=_choices(Company, "industry"),
                ),
                *_address("company__"),
                Dimension("closed", _("Closed"), "closed_at", date=True),
                Dimension(
                    "expected_close",
                    _("Expected close"),
                    "expected_close_date",
                    date=True,
                    day_column=True,
                ),
            ),
            (
                COUNT,
                Measure("amount", _("Amount (base currency)"), "amount_base", "money"),
            ),
            "sales",
        ),
        Source(
            "contact",
            _("Contacts"),
            Contact,
            (
                *_owned(),
                Dimension(
                    "lifecycle_stage",
                    _("Lifecycle stage"),
                    "lifecycle_stage",
                    names=_choices(Contact, "lifecycle_stage"),
                ),
                Dimension("source", _("Source"), "source", names=_choices(Contact, "source")),
                Dimension(
                    "language", _("Language"), "language", names=_choices(Contact, "language")
                ),
                *_address(),
                Dimension(
                    "industry",
                    _("Company industry"),
                    "company__industry",
                    names=_choices(Company, "industry"),
                ),
                Dimension(
                    "segment",
                    _("Customer segment (RFM)"),
                    "analytics_score__segment",
                    names=_segments,
                ),
                Dimension("last_purchase", _("Last purchase"), "last_purchase_at", date=True),
            ),
            (
                COUNT,
                Measure("purchase_total", _("Total bought"), "purchase_total", "money"),
                Measure("purchase_count", _("Purchases"), "purchase_count"),
                Measure("completeness", _("Completeness (%)"), "completeness"),
                Measure(
                    "lifetime_value",
                    _("Value expected in 12 months"),
                    "analytics_score__lifetime_value",
                    "money",
                ),
            ),
            "contacts",
        ),
        Source(
            "company",
            _("Companies"),
            Company,
            (
                *_owned(),
                Dimension(
                    "industry", _("Industry"), "industry", names=_choices(Company, "industry")
                ),
                Dimension("size", _("Size"), "size", names=_choices(Company, "size")),
                *_address(),
            ),
            (
                COUNT,
                Measure("purchase_total", _("Total bought"), "purchase_total", "money"),
                Measure("purchase_count", _("Purchases"), "purchase_count"),
            ),
            "contacts",
        ),
    )
}

OPERATIONS = {
    "count": _("Count"),
    "sum": _("Sum"),
    "avg": _("Average"),
    "min": _("Minimum"),
    "max": _("Maximum"),
}
