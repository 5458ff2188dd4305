"""Churn risk and the next best action for a customer: plain rules over what the models and
the records say, in an order a service-minded seller would follow (fix what is broken first,
then keep the valuable, then grow the rest). Rules, not a learnt model: each suggestion must
be explainable in one sentence, and a small business has too few outcomes of each action to
learn from.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

HIGH_RISK, MEDIUM_RISK = 0.6, 0.3
# RFM segments (``segmentation.rfm.SEGMENTS``) worth a personal effort, and those slipping.
VALUED = {"champions", "loyal", "cant_lose", "potential"}
SLIPPING = {"at_risk", "cant_lose", "hibernating", "about_to_sleep", "attention"}

ACTIONS = {
    "resolve_case": _("Resolve their open case before anything else."),
    "answer_detractor": _("Call them about the low score they gave us."),
    "save_valued": _("Call them: a valued customer is slipping away."),
    "win_back": _("Send a win-back offer."),
    "follow_deal": _("Follow up their open deal."),
    "welcome": _("Welcome them and suggest a second purchase."),
    "ask_referral": _("Ask for a referral or a review."),
    "cross_sell": _("Offer a related product."),
    "newsletter": _("Keep them on the newsletter; no personal effort."),
}


@dataclass(frozen=True)
class Facts:
    segment: str
    p_alive: float | None = None  # None when the model could not be fitted
    open_cases: int = 0
    open_deals: int = 0
    detractor: bool = False  # answered a survey as a detractor recently


def churn_risk(p_alive):
    """The chance the customer has stopped buying, from the BG/NBD's P(alive)."""
    return None if p_alive is None else 1.0 - p_alive


def risk_level(p_alive):
    """ "high", "medium" or "low" (``None`` without a model)."""
    risk = churn_risk(p_alive)
    if risk is None:
        return None
    return "high" if risk >= HIGH_RISK else "medium" if risk >= MEDIUM_RISK else "low"


def suggest(facts):
    """The code of the next best action (a key of ``ACTIONS``)."""
    risk = risk_level(facts.p_alive)
    slipping = risk == "high" or facts.segment in SLIPPING
    if facts.open_cases:
        return "resolve_case"
    if facts.detractor:
        return "answer_detractor"
    if slipping and facts.segment in VALUED:
        return "save_valued"
    if facts.open_deals:
        return "follow_deal"
    if facts.segment == "lost":
        return "newsletter"
    if slipping:
        return "win_back"
    if facts.segment in ("new", "promising"):
        return "welcome"
    if facts.segment in ("champions", "loyal"):
        return "ask_referral"
    return "cross_sell"
