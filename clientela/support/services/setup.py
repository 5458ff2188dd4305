"""Setting up customer service: case categories, working calendars with their holidays, and
SLA policies (the settings pages of managers: ``permissions.can_manage(user, "support")``).

A change to what an SLA clock counts with -- a policy's targets, warning or calendar, a
calendar's hours, time zone or holidays -- counts the due moments of the active cases concerned
again (``sla.recompute``) in the same transaction, so queues and "breaching soon" follow at
once. Resolved and closed cases keep what they were measured against. Targets a calendar could
never reach (a year of work on a calendar of one hour a week) are refused, since no due moment
could be counted for them.

These settings are not records: they have no history or trash; each write is logged.
"""

import datetime
import functools
import logging
import zoneinfo

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import permissions, settings_cache
from clientela.core.models import Tag, Team, User

from ..business_time import NoWorkingTime
from ..choices import ACTIVE_STATUSES, CasePriority
from ..holidays import REGIONS, spanish_holidays
from ..models import BusinessCalendar, Case, CaseCategory, Holiday, SlaPolicy
from . import sla

logger = logging.getLogger(__name__)

DEFAULT_ZONE = "Europe/Madrid"
MAX_TARGET_MINUTES = 365 * 24 * 60  # a year: any longer target is a typing mistake
MAX_POSITION = 10_000
MIN_YEAR, MAX_YEAR = 2000, 2100  # of holidays: what a team plans, not history
SHOWN_CHARACTERS = 60  # of a value quoted back in an error message

CATEGORY_FIELDS = {"name", "team", "active"}
CALENDAR_FIELDS = {"name", "time_zone", "hours"}
POLICY_FIELDS = {
    "name",
    "position",
    "active",
    "priority",
    "tier_tag",
    "calendar",
    "first_response_minutes",
    "resolution_minutes",
    "warn_before_minutes",
    "escalate_to",
}
# A change to one of these moves the due moments (or the warning) of the policy's cases.
CLOCK_SETTINGS = {"calendar", "first_response_minutes", "resolution_minutes", "warn_before_minutes"}


# --- case categories -----------------------------------------------------------------------------


@transaction.atomic
def create_category(*, actor, name, team=None, active=True):
    """A category (unique name, ignoring case); new cases of it go to ``team``."""
    category = CaseCategory(active=bool(active))
    _set_category(category, name=name, team=team)
    _save_unique(category)
    logger.info("case category created", extra={"category_id": category.pk, "actor_id": _id(actor)})
    return category


@transaction.atomic
def update_category(category, *, actor, **fields):
    """Change a category's ``name``, ``team`` (``None``: no team) or ``active``. Cases keep
    their team; the new one applies to cases opened from now on."""
    _check_fields(fields, CATEGORY_FIELDS)
    category = CaseCategory.objects.select_for_update().get(pk=category.pk)
    if "active" in fields:
        category.active = bool(fields.pop("active"))
    _set_category(
        category, name=fields.get("name", category.name), team=fields.get("team", category.team)
    )
    _save_unique(category)
    logger.info("case category saved", extra={"category_id": category.pk, "actor_id": _id(actor)})
    return category


def deactivate_category(category, *, actor):
    """No longer offered for new cases; the cases of the category keep it."""
    return update_category(category, actor=actor, active=False)


def _set_category(category, *, name, team):
    if team is not None and not isinstance(team, Team):
        raise ValidationError({"team": [_("Choose a team.")]})
    category.name = _clean_name(name, CaseCategory)
    category.team = team
    _unique_name(category, _("There is already a category called “%(name)s”."))
    category.full_clean(validate_unique=False, validate_constraints=False)


# --- working calendars ---------------------------------------------------------------------------


@transaction.atomic
def create_calendar(*, actor, name, hours, time_zone=DEFAULT_ZONE):
    """A working week (``hours`` as ``sla.clean_hours`` reads them) in an IANA time zone."""
    calendar = BusinessCalendar()
    _set_calendar(calendar, name=name, time_zone=time_zone, hours=hours)
    _save_unique(calendar)
    logger.info("calendar created", extra={"calendar_id": calendar.pk, "actor_id": _id(actor)})
    return calendar


@transaction.atomic
def update_calendar(calendar, *, actor, **fields):
    """Change a calendar's ``name``, ``time_zone`` or ``hours``. New hours or a new time zone
    count the due moments of the active cases of its policies again (``calendar.recounted``:
    how many)."""
    _check_fields(fields, CALENDAR_FIELDS)
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    before = (calendar.time_zone, calendar.hours)
    _set_calendar(
        calendar,
        name=fields.get("name", calendar.name),
        time_zone=fields.get("time_zone", calendar.time_zone),
        hours=fields.get("hours", calendar.hours),
    )
    changed = (calendar.time_zone, calendar.hours) != before
    if changed:
        _check_reachable(calendar, field="hours")
    _save_unique(calendar)
    calendar.recounted = _recount_calendar(calendar) if changed else 0
    logger.info("calendar saved", extra={"calendar_id": calendar.pk, "actor_id": _id(actor)})
    return calendar


@transaction.atomic
def delete_calendar(calendar, *, actor):
    """Delete a calendar and its holidays; refused while a policy counts with it."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    users = list(SlaPolicy.objects.filter(calendar=calendar).values_list("name", flat=True))
    if users:
        raise ValidationError(
            _(
                "The calendar “%(calendar)s” cannot be deleted: the SLA policies %(policies)s "
                "count with it. Give them another calendar first."
            )
            % {"calendar": calendar.name, "policies": ", ".join(f"“{n}”" for n in users)}
        )
    calendar.delete()
    logger.info("calendar deleted", extra={"calendar_id": calendar.pk, "actor_id": _id(actor)})


def _set_calendar(calendar, *, name, time_zone, hours):
    calendar.name = _clean_name(name, BusinessCalendar)
    calendar.time_zone = clean_time_zone(time_zone)
    calendar.hours = sla.clean_hours(hours)
    if not calendar.hours:
        raise ValidationError({"hours": [_("Give at least one working period in the week.")]})
    _unique_name(calendar, _("There is already a calendar called “%(name)s”."))
    calendar.full_clean(validate_unique=False, validate_constraints=False)


def clean_time_zone(value):
    """An IANA time zone name known to this machine ("Europe/Madrid"), or a ValidationError."""
    text = str(value or "").strip()
    if text not in time_zones():
        raise ValidationError(
            {
                "time_zone": [
                    _("“%(zone)s” is not a time zone; choose one such as Europe/Madrid.")
                    % {"zone": _shown(text)}
                ]
            }
        )
    return text


@functools.cache
def time_zones():
    """The IANA time zone names ``zoneinfo`` can load here (not the machine's own "localtime"
    nor tzdata's placeholder "Factory")."""
    return frozenset(zoneinfo.available_timezones() - {"localtime", "Factory", "posixrules"})


# --- holidays ------------------------------------------------------------------------------------


@transaction.atomic
def add_holiday(calendar, *, actor, date, name):
    """A day off in ``calendar`` (one per date); the cases counted with it are counted again."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    date = _clean_date(date)
    holiday = Holiday(calendar=calendar, date=date, name=_clean_name(name, Holiday))
    existing = calendar.holidays.filter(date=date).first()
    if existing is not None:
        raise ValidationError(
            {
                "date": [
                    _("There is already a holiday on %(date)s: %(name)s.")
                    % {"date": date.isoformat(), "name": existing.name}
                ]
            }
        )
    holiday.full_clean(validate_constraints=False)
    holiday.save()
    _check_reachable(calendar)
    _recount_calendar(calendar)
    logger.info("holiday added", extra={"calendar_id": calendar.pk, "actor_id": _id(actor)})
    return holiday


@transaction.atomic
def remove_holiday(holiday, *, actor):
    """The day is a working day again; the cases counted with the calendar are counted again."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=holiday.calendar_id)
    Holiday.objects.filter(pk=holiday.pk).delete()
    _recount_calendar(calendar)
    logger.info("holiday removed", extra={"calendar_id": calendar.pk, "actor_id": _id(actor)})


@transaction.atomic
def load_holidays(calendar, year, region=None, *, actor):
    """Copy the Spanish holidays of ``year`` (national, and ``region``'s: an ISO 3166-2 code of
    ``holidays.REGIONS``) into ``calendar``, named in the current language. Dates the calendar
    already has are skipped, so loading twice adds nothing. Returns how many were added."""
    if region not in (None, "") and region not in REGIONS:
        raise ValidationError(
            {"region": [_("“%(region)s” is not a region we know.") % {"region": _shown(region)}]}
        )
    year = _clean_year(year)
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    taken = set(
        calendar.holidays.filter(
            date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
        ).values_list("date", flat=True)
    )
    new = [
        Holiday(calendar=calendar, date=day, name=str(name)[:100])
        for day, name in spanish_holidays(year, region or None)
        if day not in taken
    ]
    Holiday.objects.bulk_create(new)
    settings_cache.changed()  # no signal from a bulk insert
    if new:
        _check_reachable(calendar)
        _recount_calendar(calendar)
    logger.info(
        "holidays loaded",
        extra={"calendar_id": calendar.pk, "added": len(new), "actor_id": _id(actor)},
    )
    return len(new)


def _clean_year(year):
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {
                "year": [
                    _("Choose a year from %(first)d to %(last)d.")
                    % {"first": MIN_YEAR, "last": MAX_YEAR}
                ]
            }
        )
    return year


def _clean_date(value):
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({"date": [_("Enter a valid date.")]})
    _clean_year(value.year)
    return value


# --- SLA policies --------------------------------------------------------------------------------


@transaction.atomic
def create_policy(
    *,
    actor,
    name,
    first_response_minutes=None,
    resolution_minutes=None,
    warn_before_minutes=60,
    priority="",
    tier_tag=None,
    calendar=None,
    escalate_to=None,
    position=None,
    active=True,
):
    """A policy for the cases opened from now on that match its priority and customer tier
    (empty: any), the first by ``position`` winning (default: after the others). At least
    one target, in minutes of the calendar's working time (no calendar: round the clock)."""
    if position is None:
        last = SlaPolicy.objects.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else min(last + 1, MAX_POSITION)
    policy = SlaPolicy()
    _set_policy(
        policy,
        name=name,
        position=position,
        active=active,
        priority=priority,
        tier_tag=tier_tag,
        calendar=calendar,
        first_response_minutes=first_response_minutes,
        resolution_minutes=resolution_minutes,
        warn_before_minutes=warn_before_minutes,
        escalate_to=escalate_to,
    )
    policy.save()
    logger.info("SLA policy created", extra={"policy_id": policy.pk, "actor_id": _id(actor)})
    return policy


@transaction.atomic
def update_policy(policy, *, actor, **fields):
    """Change any of ``POLICY_FIELDS``. New targets, warning or calendar count the due moments
    of the active cases following the policy again (``policy.recounted``: how many). Which
    cases follow it does not change: a new priority or tier applies to cases opened (or
    given a new priority) from now on; a policy made inactive keeps its open cases."""
    _check_fields(fields, POLICY_FIELDS)
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    values = {name: getattr(policy, name) for name in POLICY_FIELDS}
    before = {name: values[name] for name in CLOCK_SETTINGS}
    values.update(fields)
    _set_policy(policy, **values)
    policy.save()
    changed = {name: getattr(policy, name) for name in CLOCK_SETTINGS} != before
    policy.recounted = sla.recompute([policy.pk]) if changed else 0
    logger.info("SLA policy saved", extra={"policy_id": policy.pk, "actor_id": _id(actor)})
    return policy


@transaction.atomic
def delete_policy(policy, *, actor):
    """Delete a policy. Its active cases take the first other active policy that matches
    them (or none), counted from their opening; resolved and closed cases keep their result.
    Returns how many active cases were moved."""
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    open_ids = list(
        Case.all_objects.filter(sla_policy=policy, status__in=ACTIVE_STATUSES).values_list(
            "pk", flat=True
        )
    )
    policy.delete()
    moved = sla.rematch(open_ids) if open_ids else 0
    logger.info("SLA policy deleted", extra={"policy_id": policy.pk, "actor_id": _id(actor)})
    return moved


def _set_policy(
    policy,
    *,
    name,
    position,
    active,
    priority,
    tier_tag,
    calendar,
    first_response_minutes,
    resolution_minutes,
    warn_before_minutes,
    escalate_to,
):
    errors = {}

    def check(field, test, message):
        if not test:
            errors.setdefault(field, []).append(message)

    policy.name = _clean_name(name, SlaPolicy)
    _unique_name(policy, _("There is already an SLA policy called “%(name)s”."))
    priority = priority or ""
    check("priority", priority == "" or priority in CasePriority.values, _("Choose a priority."))
    check("tier_tag", tier_tag is None or isinstance(tier_tag, Tag), _("Choose a tag."))
    check(
        "calendar",
        calendar is None or isinstance(calendar, BusinessCalendar),
        _("Choose a working calendar."),
    )
    check(
        "escalate_to",
        escalate_to is None or (isinstance(escalate_to, User) and can_take_cases(escalate_to)),
        _("Choose an active user who works on cases."),
    )
    targets = {
        "first_response_minutes": first_response_minutes,
        "resolution_minutes": resolution_minutes,
    }
    for field, minutes in targets.items():
        check(
            field,
            minutes is None or _whole(minutes, 1, MAX_TARGET_MINUTES),
            _("Give a number of minutes from 1 to %(most)d (a year).")
            % {"most": MAX_TARGET_MINUTES},
        )
    check(
        "warn_before_minutes",
        _whole(warn_before_minutes, 0, MAX_TARGET_MINUTES),
        _("Give a number of minutes from 0 to %(most)d (a year).") % {"most": MAX_TARGET_MINUTES},
    )
    check(
        "position",
        _whole(position, 0, MAX_POSITION),
        _("Give a position from 0 to %(most)d.") % {"most": MAX_POSITION},
    )
    if first_response_minutes is None and resolution_minutes is None:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("Give a first-response target, a resolution target or both.")
        )
    if errors:
        raise ValidationError(errors)
    policy.position = position
    policy.active = bool(active)
    policy.priority = priority
    policy.tier_tag = tier_tag
    policy.calendar = calendar
    policy.first_response_minutes = first_response_minutes
    policy.resolution_minutes = resolution_minutes
    policy.warn_before_minutes = warn_before_minutes
    policy.escalate_to = escalate_to
    if calendar is not None:
        _check_policy_reachable(policy, calendar.schedule(), field="calendar")
    policy.full_clean(validate_unique=False, validate_constraints=False)


def can_take_cases(user):
    """Whether ``user`` may be named to take over breached cases: active, writing cases."""
    return user.is_active and permissions.can_write(user, "support")


# --- keeping the clocks in step ------------------------------------------------------------------


def _recount_calendar(calendar):
    policies = SlaPolicy.objects.filter(calendar=calendar).values_list("pk", flat=True)
    return sla.recompute(list(policies))


def _check_reachable(calendar, field=None):
    """Every policy counting with ``calendar`` can still reach its targets in it."""
    schedule = calendar.schedule()
    for policy in SlaPolicy.objects.filter(calendar=calendar):
        _check_policy_reachable(policy, schedule, field=field)


def _check_policy_reachable(policy, schedule, field=None):
    longest = max(policy.first_response_minutes or 0, policy.resolution_minutes or 0)
    try:
        schedule.add(timezone.now(), longest * 60)
    except NoWorkingTime:
        message = _(
            "The working calendar has too few working hours for the SLA policy “%(policy)s”: "
            "its target of %(minutes)d minutes would not fall due within three years. Give "
            "the calendar more working hours or the policy a shorter target."
        ) % {"policy": policy.name, "minutes": longest}
        raise ValidationError({field: [message]} if field else message) from None


# --- helpers -------------------------------------------------------------------------------------


def _check_fields(fields, allowed):
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})


def _clean_name(value, model):
    """One line of printable text, not empty, no longer than the model's ``name``."""
    text = " ".join("".join(c for c in str(value or "") if c.isprintable() or c.isspace()).split())
    if not text:
        raise ValidationError({"name": [_("Give it a name.")]})
    most = model._meta.get_field("name").max_length
    if len(text) > most:
        raise ValidationError(
            {
                "name": [
                    _("A name has at most %(most)d characters (this one has %(count)d).")
                    % {"most": most, "count": len(text)}
                ]
            }
        )
    return text


def _unique_name(instance, message):
    others = type(instance).objects.filter(name__iexact=instance.name)
    if instance.pk:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise ValidationError({"name": [message % {"name": instance.name}]})


def _save_unique(instance):
    """Save; two people creating the same name at once get the same error, not a crash."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError({"name": [_("This name is already taken.")]}) from None


def _whole(value, least, most):
    return isinstance(value, int) and not isinstance(value, bool) and least <= value <= most


def _shown(text):
    text = str(text)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def _id(actor):
    return getattr(actor, "pk", None)
