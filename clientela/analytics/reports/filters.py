"""The filters every built-in report takes (period, owner, team, pipeline, region, channel),
read from a query string, and the rollup rows they select for a reader."""

from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions
from clientela.core.models import Team, User

from .. import rollups
from .period import BUCKETS, PRESETS, Period, add_months, custom, preset

MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class Filters:
    period: Period
    bucket: str = "month"
    owner: int | None = None
    team: int | None = None
    pipeline: int | None = None
    region: str = ""
    channel: str = ""

    def as_query(self):
        """The filters as query-string values (for links that keep them)."""
        values = {"start": self.period.start.isoformat(), "end": self.period.last.isoformat()}
        values |= {"period": "custom", "bucket": self.bucket}
        for name in ("owner", "team", "pipeline", "region", "channel"):
            if getattr(self, name):
                values[name] = getattr(self, name)
        return values


class FilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=list(PRESETS.items()), required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    bucket = forms.ChoiceField(label=_("By"), choices=list(BUCKETS.items()), required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.filter(is_active=True), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    pipeline = forms.IntegerField(label=_("Pipeline"), required=False, min_value=1)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    channel = forms.CharField(label=_("Channel"), max_length=20, required=False)

    def __init__(self, *args, default_period="this_year", default_bucket="month", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_period, self.default_bucket = default_period, default_bucket

    def clean(self):
        data = super().clean()
        name = data.get("period") or self.default_period
        if name == "custom" or (data.get("start") and data.get("end")):
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of a custom period."))
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("A period can span ten years at most."))
            data["resolved"] = custom(start, end)
        elif "resolved" not in data and not self.errors:
            data["resolved"] = preset(name)
        return data

    def filters(self):
        """The valid filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return Filters(
            period=data["resolved"],
            bucket=data.get("bucket") or self.default_bucket,
            owner=data["owner"].pk if data.get("owner") else None,
            team=data["team"].pk if data.get("team") else None,
            pipeline=data.get("pipeline"),
            region=(data.get("region") or "").strip(),
            channel=(data.get("channel") or "").strip(),
        )


def owned_by(queryset, reader, filters, *, via=""):
    """``queryset`` narrowed to what ``reader`` may see and the owner and team filters select,
    by the owner and team of ``via`` (``"contact__"``: the contact's; ``""``: the row's)."""
    scope = permissions.scope_q(reader, f"{via}owner_id", f"{via}team_id")
    if scope is not None:
        queryset = queryset.filter(scope)
    for name in ("owner", "team"):
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{f"{via}{name}_id": value})
    return queryset


def rows(key, reader, filters, period=None, *, columns, by_day=False):
    """The rows of rollup ``key`` in ``period`` (the filters' by default) that ``reader`` may
    count and the filters select; ``columns`` maps the other filters the rollup has (region,
    pipeline, channel) to its columns. Whole months are read from the month rows and the
    partial ends from the day rows, unless the caller needs every day (``by_day``)."""
    period = period or filters.period
    model = rollups.settled(key)
    selected = model.objects.filter(_span_q(period, by_day))
    return narrowed(owned_by(selected, reader, filters), filters, columns)


def narrowed(queryset, filters, lookups):
    """``queryset`` narrowed by each filter that has a value, through ``lookups`` (filter name
    -> lookup: ``{"region": "company__region"}``)."""
    for name, lookup in lookups.items():
        value = getattr(filters, name)
        if value not in (None, ""):
            queryset = queryset.filter(**{lookup: value})
    return queryset


def needs_days(bucket):
    """Whether a series by ``bucket`` needs day rows (weeks and days cut across months)."""
    return bucket in ("day", "week")


def _span_q(period, by_day):
    days = Q(span="d", day__gte=period.start, day__lt=period.end)
    first = period.start if period.start.day == 1 else add_months(period.start, 1)
    last = period.end.replace(day=1)  # the months wholly inside are [first, last)
    if by_day or first >= last:
        return days
    return (
        Q(span="m", day__gte=first, day__lt=last)
        | Q(span="d", day__gte=period.start, day__lt=first)
        | Q(span="d", day__gte=last, day__lt=period.end)
    )
