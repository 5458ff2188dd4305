"""The built-in reports: what each is called, whose area it reads, its filters and its builder."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions

from . import channels, customers, marketing, sales, service


@dataclass(frozen=True)
class BuiltIn:
    key: str
    title: str
    description: str
    area: str  # reading it needs read access to this area; it counts the reader's scope only
    build: object  # (reader, filters) -> tables.Report
    filters: tuple  # the filters it offers besides the period
    channels: tuple = ()  # (value, label) choices of the channel filter


BUILT_IN = {
    report.key: report
    for report in (
        BuiltIn(
            "sales",
            _("Sales"),
            _(
                "Revenue won against the previous period, pipeline, win rate, cycle, funnel, "
                "leaderboard and forecast against quota."
            ),
            sales.AREA,
            sales.build,
            ("owner", "team", "pipeline", "region", "channel"),
            sales.CHANNELS,
        ),
        BuiltIn(
            "marketing",
            _("Marketing"),
            _(
                "Leads by source and region and how many became customers; campaigns' cost "
                "per lead, revenue and return by channel and region; e-mail engagement."
            ),
            marketing.AREA,
            marketing.build,
            ("owner", "team", "region", "channel"),
            marketing.CHANNELS,
        ),
        BuiltIn(
            "service",
            _("Service"),
            _(
                "Cases by channel and category, first-response and resolution times, SLA "
                "compliance, satisfaction and NPS, and the backlog."
            ),
            service.AREA,
            service.build,
            ("owner", "team", "region", "channel"),
            service.CHANNELS,
        ),
        BuiltIn(
            "channels",
            _("Interactions by channel"),
            _("E-mails, calls, meetings, web forms, social media, portal and chat over time."),
            channels.AREA,
            channels.build,
            ("owner", "team"),
        ),
        BuiltIn(
            "customers",
            _("Customers"),
            _(
                "RFM segments, behaviour groups, cohort retention, lifetime value, churn risk "
                "and the next best action for valued customers at risk."
            ),
            customers.AREA,
            customers.build,
            ("owner", "team", "region"),
        ),
    )
}


def readable(user):
    """The built-in reports ``user`` may read."""
    return [r for r in BUILT_IN.values() if permissions.can_read(user, r.area)]


def built_in(user, key):
    """The built-in report ``key`` if ``user`` may read it: ``Http404`` for an unknown one,
    ``PermissionDenied`` for one outside the user's areas."""
    report = BUILT_IN.get(key)
    if report is None:
        raise Http404
    if not permissions.can_read(user, report.area):
        raise PermissionDenied
    return report
