"""Reports e-mailed on a schedule: on Mondays the last seven days, on the 1st the month before,
each computed in its reader's scope and written in their language, as a PDF and a CSV."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.core import permissions

from ..builder import query
from ..models import Frequency, ReportSubscription, SavedReport
from ..reports import BUILT_IN, tables
from ..reports import pdf as report_pdf
from ..reports.filters import Filters
from ..reports.period import DAY, Period, add_months
from ..reports.tables import Report

SEND_FROM_HOUR = 7


def period_for(frequency, today):
    """The period a subscription sent ``today`` covers."""
    if frequency == Frequency.WEEKLY:
        return Period(today - 7 * DAY, today)
    month = today.replace(day=1)
    return Period(add_months(month, -1), month, 1)


def is_due(subscription, now):
    local = timezone.localtime(now)
    if local.hour < SEND_FROM_HOUR:
        return False
    if subscription.frequency == Frequency.WEEKLY and local.weekday() != 0:
        return False
    if subscription.frequency == Frequency.MONTHLY and local.day != 1:
        return False
    last = subscription.last_sent_at
    return last is None or timezone.localtime(last).date() < local.date()


def build(subscription, period):
    """The report of ``subscription`` over ``period``, as its user reads it."""
    user = subscription.user
    if subscription.saved_report_id:
        saved = subscription.saved_report
        if not SavedReport.objects.visible_to(user).filter(pk=saved.pk).exists():
            raise PermissionDenied  # no longer shared with them
        table = query.run(query.Spec.from_data(saved.spec), user, title=saved.name)
        return Report("saved", saved.name, period, None, tables=[table])
    definition = BUILT_IN[subscription.report]
    if not permissions.can_read(user, definition.area):
        raise PermissionDenied
    bucket = "day" if subscription.frequency == Frequency.WEEKLY else "week"
    return BUILT_IN[subscription.report].build(user, Filters(period, bucket=bucket))


def send(subscription, now=None):
    """E-mail one subscription now (PDF and CSV attached)."""
    now = now or timezone.now()
    user = subscription.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        period = period_for(subscription.frequency, timezone.localtime(now).date())
        report = build(subscription, period)
        subject = _("%(report)s: %(period)s") % {"report": report.title, "period": period.label()}
        body = _("Your report is attached as a PDF and as a CSV file for a spreadsheet.")
        message = EmailMessage(subject[:200], body, None, [user.email])
        stem = f"{report.key}-{period.start:%Y-%m-%d}"
        message.attach(f"{stem}.pdf", report_pdf.render(report), "application/pdf")
        message.attach(f"{stem}.csv", "".join(tables.to_csv(report)), "text/csv")
    message.send()
    ReportSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)


def send_due(now=None):
    """Send every subscription due now; returns how many were sent. A reader who may no longer
    read a report (or has no address) is skipped."""
    now = now or timezone.now()
    sent = 0
    for subscription in ReportSubscription.objects.select_related("user", "saved_report"):
        user = subscription.user
        if not (user.is_active and user.email) or not is_due(subscription, now):
            continue
        try:
            send(subscription, now)
        except (PermissionDenied, ValidationError):
            continue
        sent += 1
    return sent
