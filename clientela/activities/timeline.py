"""The timeline of a contact, company or deal: its activities, newest first, a page at a time.

One page is one range read of the link's timeline index (``activity_<link>_idx``), with the
reader's scope and the kind filter applied to the rows read, and costs one query whatever the
number of activities (the related names come in the same query).
"""

from dataclasses import dataclass

from clientela.contacts.models import Company, Contact
from clientela.core import permissions
from clientela.core.views.records import page_links, page_or_first
from clientela.sales.models import Deal

from .choices import ActivityKind
from .models import Activity

PAGE_SIZE = 20
ORDERING = ("-timeline_at", "-id")
CURSOR_PARAM = "timeline"
KIND_PARAM = "kind"
LINK_FIELDS = {Contact: "contact", Company: "company", Deal: "deal"}


def link_field(record):
    return LINK_FIELDS[type(record)]


def timeline_queryset(user, record, kind=None):
    activities = Activity.objects.filter(**{f"{link_field(record)}_id": record.pk})
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    return permissions.visible(user, activities).select_related(
        "owner", "contact", "company", "deal"
    )


@dataclass
class Timeline:
    record: object
    link: str
    kind: str
    items: list
    links: dict


def timeline_for(request, record):
    """The page of ``record``'s timeline the request asks for (``?kind=`` and ``?timeline=``,
    a cursor; a broken cursor shows the first page)."""
    kind = request.GET.get(KIND_PARAM, "")
    kind = kind if kind in ActivityKind.values else ""
    page = page_or_first(
        timeline_queryset(request.user, record, kind),
        ORDERING,
        request.GET.get(CURSOR_PARAM),
        PAGE_SIZE,
    )
    return Timeline(
        record=record,
        link=link_field(record),
        kind=kind,
        items=page.items,
        links=page_links(request, page, CURSOR_PARAM),
    )
