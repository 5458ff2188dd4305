"""Forms of the customer-service settings pages. They validate input; ``services.setup``
writes (and checks again what matters: a form is not the only way in)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.models import Tag, Team, User

from .choices import CasePriority
from .holidays import REGIONS
from .models import BusinessCalendar, CaseCategory, ServiceMailbox
from .services import setup, sla

PERIODS = (1, 2)  # working periods a day offers on the form (a morning and an afternoon)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("No team"),
        help_text=_("New cases of this category are given to this team."),
    )
    active = forms.BooleanField(label=_("Offered for new cases"), required=False, initial=True)


class ArticleCategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.CharField(
        label=_("Address"),
        max_length=100,
        required=False,
        help_text=_(
            "Where the category starts on the help centre's page (…/help/#billing); "
            "made from the name when left empty."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("Shown under the category's name in the help centre."),
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=10000,
        initial=0,
        help_text=_("Categories are listed from the lowest position."),
    )


# --- working calendars ---------------------------------------------------------------------------


class ClockField(forms.CharField):
    """A time of day written "HH:MM" (a browser's time input sends that). As the end of a
    period, "00:00" and "24:00" are midnight at the end of the day."""

    def __init__(self, *, end=False, **kwargs):
        self.end = end
        kwargs.setdefault("widget", forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
        super().__init__(required=False, max_length=8, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return ""
        match = _CLOCK.match(text)
        hour, minute = (int(match[1]), int(match[2])) if match else (99, 99)
        if not (0 <= minute < 60 and (hour < 24 or (self.end and (hour, minute) == (24, 0)))):
            raise ValidationError(_("Write a time of day such as 09:00."), code="invalid")
        if self.end and (hour, minute) == (0, 0):
            return "24:00"
        return f"{hour:02d}:{minute:02d}"


class CalendarForm(forms.Form):
    """A calendar's name, time zone and working week: for each weekday up to two periods
    "from - to". ``cleaned_data["hours"]`` is the week as ``sla.clean_hours`` stores it."""

    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        initial=setup.DEFAULT_ZONE,
        help_text=_("The hours below are read in this time zone."),
    )

    def __init__(self, *args, calendar=None, **kwargs):
        if calendar is not None:
            kwargs.setdefault("initial", self.initial_for(calendar))
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(setup.time_zones())]
        for day in WEEKDAYS:
            for n in PERIODS:
                self.fields[self.period_name(day, n, "from")] = ClockField(
                    label=_("%(day)s, period %(n)d: from") % {"day": WEEKDAYS[day], "n": n}
                )
                self.fields[self.period_name(day, n, "to")] = ClockField(
                    end=True,
                    label=_("%(day)s, period %(n)d: to") % {"day": WEEKDAYS[day], "n": n},
                )

    @staticmethod
    def period_name(day, n, side):
        return f"d{day}_{n}_{side}"

    @classmethod
    def initial_for(cls, calendar):
        initial = {"name": calendar.name, "time_zone": calendar.time_zone}
        for day, periods in (calendar.hours or {}).items():
            for n, (start, end) in zip(PERIODS, periods, strict=False):
                initial[cls.period_name(day, n, "from")] = start
                # A time input cannot show 24:00; midnight reads as 00:00 there.
                initial[cls.period_name(day, n, "to")] = "00:00" if end == "24:00" else end
        return initial

    @classmethod
    def office_hours(cls):
        """Monday to Friday, 9:00 to 14:00 and 15:00 to 18:00: a new calendar's start."""
        week = {str(d): [["09:00", "14:00"], ["15:00", "18:00"]] for d in range(5)}
        return cls.initial_for(BusinessCalendar(time_zone=setup.DEFAULT_ZONE, hours=week))

    def week_rows(self):
        """For the template: each weekday's label, fields (from, to, from, to) and errors."""
        rows = []
        for day, label in WEEKDAYS.items():
            fields = [
                self[self.period_name(day, n, side)] for n in PERIODS for side in ("from", "to")
            ]
            errors = [error for field in fields for error in field.errors]
            rows.append({"label": label, "fields": fields, "errors": errors})
        return rows

    def clean(self):
        data = super().clean()
        hours = {}
        for day in WEEKDAYS:
            periods = []
            for n in PERIODS:
                start_name, end_name = (self.period_name(day, n, s) for s in ("from", "to"))
                if start_name in self.errors or end_name in self.errors:
                    continue
                start, end = data.get(start_name), data.get(end_name)
                if start and end:
                    periods.append([start, end])
                elif start or end:
                    self.add_error(
                        end_name if start else start_name,
                        _("Give both the start and the end of the period."),
                    )
            if periods:
                try:
                    hours.update(sla.clean_hours({str(day): periods}))
                except ValidationError as error:
                    self.add_error(self.period_name(day, 1, "from"), error.messages)
        if not self.errors and not hours:
            raise ValidationError(_("Give at least one working period in the week."))
        data["hours"] = hours
        return data


class HolidayForm(forms.Form):
    prefix = "holiday"  # on the calendar's page, beside the calendar's own "name"
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=100)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not setup.MIN_YEAR <= day.year <= setup.MAX_YEAR:
            raise ValidationError(
                _("Choose a date from %(first)d to %(last)d.")
                % {"first": setup.MIN_YEAR, "last": setup.MAX_YEAR}
            )
        return day


class LoadHolidaysForm(forms.Form):
    prefix = "load"
    year = forms.IntegerField(label=_("Year"), min_value=setup.MIN_YEAR, max_value=setup.MAX_YEAR)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        regions = sorted(((code, name) for code, (name, _days) in REGIONS.items()), key=_label)
        self.fields["region"].choices = [("", _("Spain: national holidays only")), *regions]


def _label(choice):
    return str(choice[1])


# --- SLA policies --------------------------------------------------------------------------------


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=setup.MAX_POSITION,
        help_text=_("A case follows the first active policy that matches it, by position."),
    )
    active = forms.BooleanField(
        label=pgettext_lazy("SLA policy", "Active"), required=False, initial=True
    )
    priority = forms.ChoiceField(
        label=_("For priority"),
        required=False,
        choices=[("", _("Any priority")), *CasePriority.choices],
    )
    tier_tag = forms.ModelChoiceField(
        label=_("For customers tagged"),
        queryset=Tag.objects.order_by("name"),
        required=False,
        empty_label=_("Any customer"),
        help_text=_("A tag of the case's company or contact, such as “vip”."),
    )
    calendar = forms.ModelChoiceField(
        label=_("Working calendar"),
        queryset=BusinessCalendar.objects.order_by("name"),
        required=False,
        empty_label=_("Round the clock"),
        help_text=_("Without a calendar, the clock runs every hour of every day."),
    )
    first_response_minutes = forms.IntegerField(
        label=_("First response within (minutes)"),
        required=False,
        min_value=1,
        max_value=setup.MAX_TARGET_MINUTES,
        help_text=_("Minutes of working time: 480 is a working day of eight hours."),
    )
    resolution_minutes = forms.IntegerField(
        label=_("Resolution within (minutes)"),
        required=False,
        min_value=1,
        max_value=setup.MAX_TARGET_MINUTES,
    )
    warn_before_minutes = forms.IntegerField(
        label=_("Warn before (minutes)"),
        min_value=0,
        max_value=setup.MAX_TARGET_MINUTES,
        initial=60,
        help_text=_("A case shows as “due soon” this long before a target."),
    )
    escalate_to = forms.ModelChoiceField(
        label=_("On breach, reassign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: keep the assignee"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).select_related("role")
        ids = [user.pk for user in people if setup.can_take_cases(user)]
        self.fields["escalate_to"].queryset = User.objects.filter(pk__in=ids).order_by(
            "first_name", "last_name", "username"
        )

    def clean(self):
        data = super().clean()
        if (
            not self.errors
            and data.get("first_response_minutes") is None
            and data.get("resolution_minutes") is None
        ):
            raise ValidationError(_("Give a first-response target, a resolution target or both."))
        return data

    @staticmethod
    def initial_for(policy):
        return {
            "name": policy.name,
            "position": policy.position,
            "active": policy.active,
            "priority": policy.priority,
            "tier_tag": policy.tier_tag_id,
            "calendar": policy.calendar_id,
            "first_response_minutes": policy.first_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "warn_before_minutes": policy.warn_before_minutes,
            "escalate_to": policy.escalate_to_id,
        }


class ServiceMailboxForm(forms.ModelForm):
    class Meta:
        model = ServiceMailbox
        fields = ["category", "team", "priority", "acknowledge", "is_default"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(active=True)
