"""``{% timeline record %}``: the timeline section of a contact, company or deal page."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions

from ..choices import ActivityKind
from ..timeline import CURSOR_PARAM, KIND_PARAM, timeline_for

register = template.Library()

KIND_FILTERS = (
    (ActivityKind.CALL, _("Calls")),
    (ActivityKind.MEETING, _("Meetings")),
    (ActivityKind.EMAIL, _("E-mails")),
    (ActivityKind.NOTE, _("Notes")),
    (ActivityKind.TASK, _("Tasks")),
)
LOGGABLE = (
    (ActivityKind.CALL, _("Log a call")),
    (ActivityKind.MEETING, _("Log a meeting")),
    (ActivityKind.EMAIL, _("Log an e-mail")),
    (ActivityKind.NOTE, _("Add a note")),
    (ActivityKind.TASK, _("Add a task")),
)


@register.inclusion_tag("activities/_timeline.html", takes_context=True)
def timeline(context, record):
    request = context["request"]
    user = request.user
    if not permissions.can_read(user, "activities"):
        return {"shown": False}
    found = timeline_for(request, record)
    return {
        "shown": True,
        "request": request,
        "timeline": found,
        "kinds": [(kind.value, label) for kind, label in KIND_FILTERS],
        "loggable": [(kind.value, label) for kind, label in LOGGABLE],
        "now": timezone.now(),
        "can_log": permissions.can_write(user, "activities"),
        "kind_param": KIND_PARAM,
        "cursor_param": CURSOR_PARAM,
        "back": request.get_full_path(),
    }


@register.filter
def activity_body(activity):
    """The stored description: sanitised HTML (``services`` cleaned it on write)."""
    return mark_safe(activity.body)  # noqa: S308 - nh3-sanitised when written


@register.filter
def duration(seconds):
    """A call's length: "45 s", "12 min", "1 h 05 min"."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    hours, minutes = divmod(round(seconds / 60), 60)
    if not hours:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}


@register.inclusion_tag("activities/_quick_call.html", takes_context=True)
def quick_calls(context, record):
    """A "Log a call" form beside each phone of a contact, company or deal page (for users who
    may log activities)."""
    from ..quick_call import QuickCallForm, link_name, targets

    request = context["request"]
    user = request.user
    if not permissions.can_write(user, "activities"):
        return {"shown": False}
    link = link_name(record)
    entries = []
    for index, (contact, number) in enumerate(targets(record, user), start=1):
        initial = {link: record.pk, "number": number}
        if contact is not None:
            initial["contact"] = contact.pk
        form = QuickCallForm(initial=initial, user=user, auto_id=f"quick-call-{index}-%s")
        entries.append({"contact": contact, "number": number, "form": form, "index": index})
    return {"shown": True, "entries": entries, "back": request.get_full_path()}
