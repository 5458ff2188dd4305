"""Customer-service settings: case categories, working calendars with their holidays, SLA
policies. For managers of the area (``permissions.can_manage(user, "support")``: managers, the
service role, administrators); everyone else gets 403. Writes go through ``services.setup``;
a form with errors comes back with what was typed (status 400)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import permissions
from clientela.core.forms import add_service_errors
from clientela.intake.models import Mailbox

from .choices import ACTIVE_STATUSES
from .forms_settings import (
    ArticleCategoryForm,
    CalendarForm,
    CategoryForm,
    HolidayForm,
    LoadHolidaysForm,
    PolicyForm,
    ServiceMailboxForm,
)
from .models import (
    ArticleCategory,
    BusinessCalendar,
    Case,
    CaseCategory,
    Holiday,
    ServiceMailbox,
    SlaPolicy,
)
from .services import knowledge, mailboxes, setup


def manager_view(view):
    """Signed in and allowed to set up customer service, or 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can_manage(request.user, "support"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _status(request, *forms):
    return 400 if request.method == "POST" and any(f.errors for f in forms if f) else 200


@manager_view
def settings_home(request):
    return redirect("support:category_list")


# --- case categories -----------------------------------------------------------------------------


@manager_view
def category_list(request):
    categories = CaseCategory.objects.select_related("team").order_by("-active", "name")
    return render(request, "support/settings/category_list.html", {"categories": categories})


@manager_view
def category_form(request, pk=None):
    category = get_object_or_404(CaseCategory, pk=pk) if pk else None
    initial = (
        {"name": category.name, "team": category.team_id, "active": category.active}
        if category
        else {}
    )
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if category is None:
                category = setup.create_category(actor=request.user, **form.cleaned_data)
            else:
                category = setup.update_category(category, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
            return redirect("support:category_list")
    return render(
        request,
        "support/settings/category_form.html",
        {"form": form, "category": category},
        status=_status(request, form),
    )


# --- knowledge-base categories -------------------------------------------------------------------


@manager_view
def article_category_list(request):
    categories = ArticleCategory.objects.annotate(article_count=Count("articles"))
    return render(
        request, "support/settings/article_category_list.html", {"categories": categories}
    )


@manager_view
def article_category_form(request, pk=None):
    category = get_object_or_404(ArticleCategory, pk=pk) if pk else None
    initial = {}
    if category:
        initial = {name: getattr(category, name) for name in ArticleCategoryForm.base_fields}
    form = ArticleCategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if category is None:
                category = knowledge.create_article_category(
                    actor=request.user, **form.cleaned_data
                )
            else:
                category = knowledge.update_article_category(
                    category, actor=request.user, **form.cleaned_data
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
            return redirect("support:article_category_list")
    return render(
        request,
        "support/settings/article_category_form.html",
        {"form": form, "category": category},
        status=_status(request, form),
    )


@manager_view
def article_category_delete(request, pk):
    category = get_object_or_404(ArticleCategory, pk=pk)
    if request.method == "POST":
        knowledge.delete_article_category(category, actor=request.user)
        messages.success(request, _("Category “%(name)s” deleted.") % {"name": category.name})
        return redirect("support:article_category_list")
    return render(
        request,
        "support/settings/article_category_delete.html",
        {"category": category, "article_count": category.articles.count()},
    )


# --- working calendars ---------------------------------------------------------------------------


@manager_view
def calendar_list(request):
    calendars = (
        BusinessCalendar.objects.annotate(holiday_count=Count("holidays"))
        .prefetch_related("policies")
        .order_by("name")
    )
    rows = [{"calendar": c, "week": week_summary(c)} for c in calendars]
    return render(request, "support/settings/calendar_list.html", {"rows": rows})


def week_summary(calendar):
    """``[(weekday, "09:00–14:00, 15:00–18:00")]`` for the days with working hours."""
    return [
        (WEEKDAYS_ABBR[int(day)], ", ".join(f"{start}–{end}" for start, end in periods))
        for day, periods in sorted(calendar.hours.items(), key=lambda item: int(item[0]))
    ]


@manager_view
def calendar_form(request, pk=None):
    calendar = get_object_or_404(BusinessCalendar, pk=pk) if pk else None
    if calendar is not None:
        form = CalendarForm(request.POST or None, calendar=calendar)
    else:
        form = CalendarForm(request.POST or None, initial=CalendarForm.office_hours())
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("name", "time_zone", "hours")}
        try:
            if calendar is None:
                calendar = setup.create_calendar(actor=request.user, **fields)
                messages.success(
                    request,
                    _("Calendar “%(name)s” created. Now add its holidays.")
                    % {"name": calendar.name},
                )
            else:
                calendar = setup.update_calendar(calendar, actor=request.user, **fields)
                messages.success(request, _saved_message(calendar, calendar.recounted))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("support:calendar_edit", pk=calendar.pk)
    return _calendar_page(request, calendar, form)


def _calendar_page(request, calendar, form=None, holiday_form=None, load_form=None):
    """The calendar's form and, once it exists, its holidays with the forms to add some."""
    context = {"calendar": calendar, "form": form or CalendarForm(calendar=calendar)}
    if calendar is not None:
        context.update(
            holidays=calendar.holidays.all(),
            holiday_form=holiday_form or HolidayForm(),
            load_form=load_form or LoadHolidaysForm(),
            policies=calendar.policies.all(),
        )
    status = _status(request, form, holiday_form, load_form)
    return render(request, "support/settings/calendar_form.html", context, status=status)


def _saved_message(calendar, recounted):
    if recounted:
        return _(
            "Calendar “%(name)s” saved. Open cases whose due moments were counted again: %(count)d."
        ) % {"name": calendar.name, "count": recounted}
    return _("Calendar “%(name)s” saved.") % {"name": calendar.name}


def _to_holidays(calendar_id):
    return redirect(reverse("support:calendar_edit", args=[calendar_id]) + "#holidays")


@manager_view
@require_POST
def holiday_add(request, pk):
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            setup.add_holiday(calendar, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Holiday added."))
            return _to_holidays(calendar.pk)
    return _calendar_page(request, calendar, holiday_form=form)


@manager_view
@require_POST
def holiday_remove(request, pk, holiday_pk):
    holiday = get_object_or_404(Holiday, pk=holiday_pk, calendar_id=pk)
    setup.remove_holiday(holiday, actor=request.user)
    messages.success(
        request,
        _("Holiday “%(name)s” (%(date)s) removed.")
        % {"name": holiday.name, "date": holiday.date.isoformat()},
    )
    return _to_holidays(holiday.calendar_id)


@manager_view
@require_POST
def holiday_load(request, pk):
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    form = LoadHolidaysForm(request.POST)
    if form.is_valid():
        year, region = form.cleaned_data["year"], form.cleaned_data["region"]
        try:
            added = setup.load_holidays(calendar, year, region or None, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if added:
                messages.success(
                    request,
                    _(
                        "Holidays of %(year)d added: %(count)d. Check them against the official "
                        "calendar of the year, and add your town's."
                    )
                    % {"count": added, "year": year},
                )
            else:
                messages.info(
                    request,
                    _("The calendar already had every holiday of %(year)d.") % {"year": year},
                )
            return _to_holidays(calendar.pk)
    return _calendar_page(request, calendar, load_form=form)


@manager_view
def calendar_delete(request, pk):
    """GET asks for confirmation; POST deletes (refused while a policy counts with it)."""
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    if request.method == "POST":
        try:
            setup.delete_calendar(calendar, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("support:calendar_edit", pk=calendar.pk)
        messages.success(request, _("Calendar “%(name)s” deleted.") % {"name": calendar.name})
        return redirect("support:calendar_list")
    return render(
        request,
        "support/settings/calendar_delete.html",
        {"calendar": calendar, "policies": calendar.policies.all()},
    )


# --- SLA policies --------------------------------------------------------------------------------


@manager_view
def policy_list(request):
    policies = SlaPolicy.objects.select_related("tier_tag", "calendar", "escalate_to")
    rows = [
        {
            "policy": policy,
            "first_response": working_time(policy.first_response_minutes),
            "resolution": working_time(policy.resolution_minutes),
            "warn_before": working_time(policy.warn_before_minutes),
        }
        for policy in policies
    ]
    return render(request, "support/settings/policy_list.html", {"rows": rows})


def working_time(minutes):
    """480 -> "8 h", 90 -> "1 h 30 min"; "" for no target."""
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


@manager_view
def policy_form(request, pk=None):
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk else None
    if policy is not None:
        initial = PolicyForm.initial_for(policy)
    else:
        last = SlaPolicy.objects.order_by("-position").values_list("position", flat=True).first()
        initial = {"position": 0 if last is None else min(last + 1, setup.MAX_POSITION)}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if policy is None:
                policy = setup.create_policy(actor=request.user, **form.cleaned_data)
                recounted = 0
            else:
                policy = setup.update_policy(policy, actor=request.user, **form.cleaned_data)
                recounted = policy.recounted
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if recounted:
                text = _(
                    "SLA policy “%(name)s” saved. Open cases whose due moments were counted "
                    "again: %(count)d."
                ) % {"name": policy.name, "count": recounted}
            else:
                text = _("SLA policy “%(name)s” saved.") % {"name": policy.name}
            messages.success(request, text)
            return redirect("support:policy_list")
    return render(
        request,
        "support/settings/policy_form.html",
        {"form": form, "policy": policy},
        status=_status(request, form),
    )


@manager_view
def policy_delete(request, pk):
    """GET asks for confirmation (saying how many open cases follow it); POST deletes."""
    policy = get_object_or_404(SlaPolicy, pk=pk)
    if request.method == "POST":
        moved = setup.delete_policy(policy, actor=request.user)
        messages.success(
            request,
            _(
                "SLA policy “%(name)s” deleted. Open cases moved to the next policy that "
                "matches them: %(count)d."
            )
            % {"name": policy.name, "count": moved}
            if moved
            else _("SLA policy “%(name)s” deleted.") % {"name": policy.name},
        )
        return redirect("support:policy_list")
    open_cases = Case.all_objects.filter(sla_policy=policy, status__in=ACTIVE_STATUSES).count()
    return render(
        request,
        "support/settings/policy_delete.html",
        {"policy": policy, "open_cases": open_cases},
    )


# --- service mailboxes ---------------------------------------------------------------------------


@manager_view
def mailbox_list(request):
    """Every intake mailbox, and whether (and how) it is a support address."""
    mailboxes = Mailbox.objects.select_related("service__category", "service__team").order_by(
        "name", "id"
    )
    return render(request, "support/settings/mailbox_list.html", {"mailboxes": mailboxes})


@manager_view
def mailbox_form(request, pk):
    mailbox = get_object_or_404(Mailbox, pk=pk)
    service = ServiceMailbox.objects.filter(mailbox=mailbox).first()
    form = ServiceMailboxForm(request.POST or None, instance=service)
    if request.method == "POST" and "remove" in request.POST:
        mailboxes.remove_service_mailbox(mailbox, actor=request.user)
        messages.success(
            request,
            _("%(address)s is no longer a support address.") % {"address": mailbox.email_address},
        )
        return redirect("support:mailbox_list")
    if request.method == "POST" and form.is_valid():
        try:
            mailboxes.save_service_mailbox(mailbox, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(address)s opens cases.") % {"address": mailbox.email_address}
            )
            return redirect("support:mailbox_list")
    context = {"form": form, "mailbox": mailbox, "service": service, "section": "mailboxes"}
    return render(
        request, "support/settings/mailbox_form.html", context, status=_status(request, form)
    )
