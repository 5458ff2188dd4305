"""Activity pages: the generic record pages (list, detail, form, trash) named for activities,
plus "My day", the calendar, the private iCalendar feed and a meeting's ``.ics``."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clientela.contacts.models import Company, Contact
from clientela.core import permissions
from clientela.core.prefetch import prefetched
from clientela.core.records import StaleRecord
from clientela.core.views import records
from clientela.sales.models import Deal

from . import agenda, ical, services
from .choices import ActivityKind
from .filtersets import ActivityFilterSet
from .forms import ActivityForm
from .models import Activity, CalendarFeed

SORTS = {
    "recent": (gettext_lazy("Most recent"), ("-timeline_at", "-id")),
    "oldest": (gettext_lazy("Oldest"), ("timeline_at", "id")),
}
AREA = "activities"


def _int(raw):
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 18 else None


class ActivityMixin:
    model = Activity
    url_prefix = "activities:activity"
    list_name = "activities"


class ActivityListView(ActivityMixin, records.RecordListView):
    filterset_class = ActivityFilterSet
    template_name = "activities/activity_list.html"
    sorts = SORTS
    default_sort = "recent"
    list_select_related = ("owner", "team", "contact", "company", "deal")


class ActivityDetailView(ActivityMixin, records.RecordDetailView):
    template_name = "activities/activity_detail.html"
    detail_select_related = ("owner", "team", "contact", "company", "deal")
    detail_prefetch_related = (
        "tags",
        prefetched("attendees"),
        prefetched("attendee_contacts", Contact.objects.prefetch_related(prefetched("emails"))),
    )

    def extra_context(self, record):
        return {"now": timezone.now()}


class ActivityFormView(ActivityMixin, records.RecordFormView):
    form_class = ActivityForm
    template_name = "activities/activity_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(
            pk, Activity.objects.prefetch_related("tags", "attendees")
        )

    def new_instance(self):
        """A new activity of ``?kind=`` for the current user, linked to the ``?contact=``,
        ``?company=`` or ``?deal=`` it is logged from (when the user may see it)."""
        kind = self.request.GET.get("kind", "")
        if kind not in ActivityKind.values:
            kind = ActivityKind.NOTE
        activity = Activity(kind=kind, owner=self.request.user)
        for name, model in (("contact", Contact), ("company", Company), ("deal", Deal)):
            pk = _int(self.request.GET.get(name))
            if pk is not None:
                found = permissions.visible(self.request.user, model.objects.filter(pk=pk)).first()
                setattr(activity, name, found)
        if activity.contact is not None and activity.company is None:
            activity.company_id = activity.contact.company_id
        if kind == ActivityKind.MEETING and activity.pk is None:
            start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            activity.starts_at = start + datetime.timedelta(hours=1)
            activity.ends_at = activity.starts_at + services.DEFAULT_MEETING_LENGTH
        return activity

    def create(self, *, actor, **kwargs):
        return services.log_activity(actor=actor, kind=self.kind, **kwargs)

    def update(self, record, *, actor, expected_version, **kwargs):
        return services.update_activity(
            record, actor=actor, expected_version=expected_version, **kwargs
        )

    def post(self, request, pk=None):
        record = self.load(pk)
        self.kind = record.kind if record else self.new_instance().kind
        return super().post(request, pk)

    def saved(self, record, *, created):
        message = _("“%(name)s” logged.") if created else _("“%(name)s” saved.")
        messages.success(self.request, message % {"name": record})
        default = (
            self.url("detail", record.pk)
            if permissions.can_view_record(self.request.user, record)
            else reverse("activities:today")
        )
        return HttpResponseRedirect(records.safe_next(self.request, default))

    def render_form(self, form, formsets, record, *, title="", status=200):
        if record is None:
            title = _("New %(kind)s") % {"kind": form.kind.label.lower()}
        cancel = self.url("detail", record.pk) if record else reverse("activities:today")
        context = {
            **self.common_context(),
            "form": form,
            "formsets": formsets,
            "record": record,
            "record_title": title or str(record),
            "cancel_url": records.safe_next(self.request, cancel),
        }
        return render(self.request, self.template_name, context, status=status)


class ActivityBulkView(ActivityMixin, records.RecordBulkView):
    assign_service = staticmethod(services.assign_activities)
    tag_service = staticmethod(services.tag_activities)
    delete_service = staticmethod(services.delete_activities)


class ActivitySavedViewSave(ActivityMixin, records.SavedViewSaveView):
    pass


class ActivitySavedViewDelete(ActivityMixin, records.SavedViewDeleteView):
    pass


class ActivityDeleteView(ActivityMixin, records.RecordDeleteView):
    delete_service = staticmethod(services.delete_activities)


class ActivityRestoreView(ActivityMixin, records.RecordRestoreView):
    service = staticmethod(services.restore_activities)


class ActivityPurgeView(ActivityMixin, records.RecordPurgeView):
    service = staticmethod(services.purge_activities)
    trash_url_name = "activities:trash"


class ActivityTrashView(records.TrashView):
    sections = (
        records.TrashSection(Activity, gettext_lazy("Activities"), "activities:activity", "cursor"),
    )


class TaskStateView(ActivityMixin, records.RecordViewMixin, View):
    """POST: mark a task done (or not done again), then go back where the form was."""

    http_method_names = ["post"]
    done = True

    def post(self, request, pk):
        task = self.get_changeable_record(pk)
        back = records.safe_next(request, self.url("detail", pk))
        service = services.complete_task if self.done else services.reopen_task
        try:
            task = service(
                task, actor=request.user, expected_version=_int(request.POST.get("version"))
            )
        except StaleRecord:
            messages.error(request, _("Someone else changed this task meanwhile; try again."))
            return HttpResponseRedirect(back)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(back)
        if self.done:
            message = _("“%(task)s” done.") % {"task": task}
            if getattr(task, "next_task", None) is not None:
                message += " " + _("Next time: %(when)s.") % {"when": _local(task.next_task.due_at)}
        else:
            message = _("“%(task)s” is to do again.") % {"task": task}
        messages.success(request, message)
        return HttpResponseRedirect(back)


def _local(moment):
    return formats.localize(timezone.localtime(moment))


# --- my day ----------------------------------------------------------------------------------


def _require_read(user):
    if not permissions.can_read(user, AREA):
        raise PermissionDenied


@login_required
def my_day(request):
    _require_read(request.user)
    day = agenda.my_day(request.user)
    return render(
        request,
        "activities/my_day.html",
        {
            "day": day,
            "now": timezone.now(),
            "can_write": permissions.can_write(request.user, AREA),
            "this_url": request.get_full_path(),
        },
    )


@login_required
@require_POST
def reminders_read(request):
    """Mark one reminder (``id``) or all of them as read."""
    _require_read(request.user)
    pk = _int(request.POST.get("id"))
    services.mark_reminders_read(request.user, None if pk is None else [pk])
    return redirect(records.safe_next(request, reverse("activities:today")))


# --- calendar ---------------------------------------------------------------------------------

MAX_IN_A_DAY = 4  # items shown in one day of the month view; the week view shows them all


def parse_week(text):
    """``"2026-W48"`` -> the Monday of that ISO week, or ``None``."""
    try:
        year, week = text.split("-W")
        monday = datetime.date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        return None
    return monday if 1970 <= monday.year <= 2199 else None


def parse_month(text):
    """``"2026-11"`` -> the first day of that month, or ``None``."""
    try:
        year, month = text.split("-")
        first = datetime.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None
    return first if 1970 <= first.year <= 2199 else None


def week_param(day):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_param(day):
    return f"{day.year}-{day.month:02d}"


def _add_months(first, months):
    index = first.month - 1 + months
    return datetime.date(first.year + index // 12, index % 12 + 1, 1)


def _days_of(items, start_day, days):
    """``{date: [items]}``: meetings on every day they cover, tasks on their due day."""
    by_day = {start_day + datetime.timedelta(days=i): [] for i in range(days)}
    for item in items:
        if item.kind == ActivityKind.MEETING:
            first = timezone.localdate(item.starts_at)
            last = timezone.localdate(item.ends_at - datetime.timedelta(microseconds=1))
        else:
            first = last = timezone.localdate(item.due_at)
        day = first
        while day <= last:
            if day in by_day:
                by_day[day].append(item)
            day += datetime.timedelta(days=1)
    return by_day


@login_required
def calendar_page(request):
    """A week (``?week=2026-W48``, the default) or a month (``?month=2026-11``) of the signed-in
    person's meetings and tasks."""
    _require_read(request.user)
    today = timezone.localdate()
    view = "month" if "month" in request.GET else "week"
    if view == "month":
        first = parse_month(request.GET.get("month", ""))
        if first is None:
            messages.warning(request, _("That month could not be read; here is this month."))
            first = today.replace(day=1)
        start_day = first - datetime.timedelta(days=first.weekday())
        following = _add_months(first, 1)
        end_day = following + datetime.timedelta(days=(7 - following.weekday()) % 7)
        title = first
        previous_link = {"month": month_param(_add_months(first, -1))}
        next_link = {"month": month_param(following)}
        today_link = {"month": month_param(today)}
        other_link = {"week": week_param(first)}
    else:
        start_day = parse_week(request.GET.get("week", "")) if "week" in request.GET else None
        if start_day is None:
            if "week" in request.GET:
                messages.warning(request, _("That week could not be read; here is this week."))
            start_day = today - datetime.timedelta(days=today.weekday())
        end_day = start_day + datetime.timedelta(days=7)
        title = start_day
        previous_link = {"week": week_param(start_day - datetime.timedelta(days=7))}
        next_link = {"week": week_param(end_day)}
        today_link = {"week": week_param(today)}
        other_link = {"month": month_param(start_day)}
    start = agenda.day_bounds(start_day)[0]
    end = agenda.day_bounds(end_day)[0]
    items = agenda.items_between(request.user, start, end)
    by_day = _days_of(items, start_day, (end_day - start_day).days)
    days = [
        {
            "date": day,
            "items": found if view == "week" else found[:MAX_IN_A_DAY],
            "more": max(0, len(found) - MAX_IN_A_DAY) if view == "month" else 0,
            "is_today": day == today,
            "in_month": view == "week" or day.month == title.month,
            "week": week_param(day),
        }
        for day, found in by_day.items()
    ]
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    return render(
        request,
        "activities/calendar.html",
        {
            "view": view,
            "title_day": title,
            "week_end": end_day - datetime.timedelta(days=1),
            "weeks": weeks,
            "weekdays": [day["date"] for day in weeks[0]] if weeks else [],
            "previous_url": "?" + urlencode(previous_link),
            "next_url": "?" + urlencode(next_link),
            "today_url": "?" + urlencode(today_link),
            "other_url": "?" + urlencode(other_link),
            "can_write": permissions.can_write(request.user, AREA),
            "has_feed": CalendarFeed.objects.filter(user=request.user).exists(),
        },
    )


# --- iCalendar ----------------------------------------------------------------------------------


def _absolute(request, activity):
    return request.build_absolute_uri(reverse("activities:activity_detail", args=[activity.pk]))


@never_cache
def calendar_feed(request, secret):
    """The private feed: no sign-in, the secret in the address is the key. Unknown secrets (and
    deactivated users) are 404, like any address that does not exist."""
    user = services.feed_owner(secret)
    if user is None or not permissions.can_read(user, AREA):
        raise Http404
    meetings, tasks = agenda.feed_items(user)
    body = ical.feed(user, meetings, tasks, request.get_host(), lambda a: _absolute(request, a))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="clientela.ics"'
    return response


class MeetingIcsView(ActivityMixin, records.RecordViewMixin, View):
    """One meeting as an ``.ics`` file, to add it to any calendar."""

    def get(self, request, pk):
        meeting = self.get_visible_record(
            pk,
            Activity.objects.select_related("owner").prefetch_related(
                prefetched("attendees"),
                prefetched(
                    "attendee_contacts", Contact.objects.prefetch_related(prefetched("emails"))
                ),
            ),
        )
        if meeting.kind != ActivityKind.MEETING:
            raise Http404
        body = ical.single_meeting(meeting, request.get_host(), _absolute(request, meeting))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response


class CalendarFeedSettingsView(LoginRequiredMixin, View):
    """The account page of the private feed: make (or remake) its address, or turn it off. The
    address is shown once, right after it is made (only a hash of its secret is kept)."""

    template_name = "activities/calendar_feed.html"

    def get(self, request):
        _require_read(request.user)
        return self.page(request, None)

    def post(self, request):
        _require_read(request.user)
        if request.POST.get("action") == "remove":
            services.remove_calendar_feed(request.user)
            messages.success(request, _("The calendar feed is off; its address no longer works."))
            return redirect("activities:calendar_feed")
        secret = services.create_calendar_feed(request.user)
        url = request.build_absolute_uri(reverse("activities:feed", args=[secret]))
        return self.page(request, url)

    def page(self, request, new_url):
        feed = CalendarFeed.objects.filter(user=request.user).first()
        return render(request, self.template_name, {"feed": feed, "new_url": new_url})
