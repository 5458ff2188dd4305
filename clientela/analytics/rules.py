"""What analytics knows about a contact, as fields the rule builder can test: the RFM segment,
the behaviour group, the churn risk, the expected value and the next best action. A marketing
segment built on them follows each day's training (this is how any analytics segment becomes
a marketing segment)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.marketing import rules
from clientela.marketing.rules import builders as b
from clientela.marketing.rules.catalogue import CHOICE, MONEY, NUMBER, Field

from .predictions.next_action import ACTIONS
from .segmentation.rfm import SEGMENTS

GROUP = _("Predictions")
SCORE = "analytics_score__"
# Churn risk is 1 - P(alive): a bound on the risk is the opposite bound on P(alive).
MIRRORED = {"gt": "lt", "gte": "lte", "lt": "gt", "lte": "gte", "eq": "exact", "ne": "exact"}


def _churn_risk(condition):
    path = f"{SCORE}p_alive"

    def alive(percent):
        return 1 - float(percent) / 100

    if condition.operator == "between":
        low, high = condition.value
        return Q(**{f"{path}__gte": alive(high), f"{path}__lte": alive(low)})
    if condition.operator in ("is_empty", "is_not_empty"):
        empty = Q(**{f"{path}__isnull": True})
        return empty if condition.operator == "is_empty" else ~empty
    q = Q(**{f"{path}__{MIRRORED[condition.operator]}": alive(condition.value)})
    return ~q if condition.operator == "ne" else q


def _clusters():
    from .models import CustomerCluster

    return [(str(c.number), c.name) for c in CustomerCluster.objects.all()]


def contact_fields():
    return [
        Field(
            "analytics.segment",
            _("Customer segment (RFM)"),
            CHOICE,
            b.column(f"{SCORE}segment"),
            GROUP,
            lambda: list(SEGMENTS.items()),
        ),
        Field(
            "analytics.cluster",
            _("Behaviour group"),
            CHOICE,
            b.column(f"{SCORE}cluster"),
            GROUP,
            _clusters,
        ),
        Field("analytics.churn_risk", _("Churn risk (%)"), NUMBER, _churn_risk, GROUP),
        Field(
            "analytics.lifetime_value",
            _("Value expected in 12 months"),
            MONEY,
            b.column(f"{SCORE}lifetime_value"),
            GROUP,
        ),
        Field(
            "analytics.next_action",
            _("Next best action"),
            CHOICE,
            b.column(f"{SCORE}next_action"),
            GROUP,
            lambda: list(ACTIONS.items()),
        ),
    ]


def register():
    rules.add_fields("contact", contact_fields)
