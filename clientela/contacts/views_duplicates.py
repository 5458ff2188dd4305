"""The duplicates review queue and the merge page of contacts and companies.

The queue reads the pairs the scan stored (``duplicates.stored_page``), keyset-paginated, so a
page costs the same few queries whatever the table size. Only records the user may change take
part (``permissions.visible(..., write=True)``); a merge or a dismissal of a record outside them
answers 404. Managers may start a scan at once ("Scan now"); otherwise it runs nightly.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.core import permissions
from clientela.core.models import Flag

from . import duplicates, jobs, services
from .jobs import SCAN_FLAG
from .models import Company, Contact

PAGE_SIZE = 50


def encode_position(pair):
    return duplicates.encode_position(pair.score, pair.first.pk, pair.second.pk)


def decode_position(text):
    position = duplicates.decode_position(text)
    return None if position is None else (-position[0], position[1], position[2])


def page_of_pairs(pairs, after=None, page_size=PAGE_SIZE):
    """One page of a list of pairs computed in memory (already best first) after the position
    ``after``, in the stored queue's position format; returns ``(pairs, next_position or
    None)``."""
    start = decode_position(after) if after else None
    if start is not None:
        pairs = [p for p in pairs if (-p.score, p.first.pk, p.second.pk) > start]
    page = pairs[:page_size]
    following = encode_position(page[-1]) if len(pairs) > page_size else None
    return page, following


def last_scan():
    """When the last duplicate scan finished (an aware datetime), or ``None``."""
    flag = Flag.objects.filter(name=SCAN_FLAG).first()
    finished = (flag.value or {}).get("finished_at") if flag else None
    return datetime.fromisoformat(finished) if finished else None


class DuplicateKind:
    """What differs between contacts and companies on these pages."""

    def __init__(self, model, merge, fields, url_prefix, title):
        self.model, self.merge = model, merge
        self.fields, self.url_prefix, self.title = fields, url_prefix, title
        self.kind = duplicates.kind_of(model)

    def changeable(self, user):
        return permissions.visible(user, self.model.objects.all(), write=True)

    def get_pair(self, user, first_id, second_id):
        try:
            ids = {int(first_id), int(second_id)}
        except (TypeError, ValueError):
            raise Http404 from None
        found = self.changeable(user).in_bulk(ids)
        if len(ids) != 2 or len(found) != 2:
            raise Http404
        return found[int(first_id)], found[int(second_id)]


CONTACT_KIND = DuplicateKind(
    Contact,
    services.merge_contacts,
    services.CONTACT_MERGE_FIELDS,
    "contacts:contact",
    gettext_lazy("Duplicate contacts"),
)
COMPANY_KIND = DuplicateKind(
    Company,
    services.merge_companies,
    services.COMPANY_MERGE_FIELDS,
    "contacts:company",
    gettext_lazy("Duplicate companies"),
)


class DuplicateListView(LoginRequiredMixin, View):
    """Likely duplicates, best first, with "Merge" and "Not duplicates"."""

    kind = CONTACT_KIND

    def get(self, request):
        if not permissions.can_write(request.user, "contacts"):
            raise Http404
        page, following = duplicates.stored_page(
            self.kind.model, request.user, after=request.GET.get("after")
        )
        rows = [
            {
                "pair": pair,
                "merge_url": reverse(f"{self.kind.url_prefix}_merge", args=[pair.first.pk])
                + "?"
                + urlencode({"other": pair.second.pk}),
            }
            for pair in page
        ]
        return render(
            request,
            "contacts/duplicate_list.html",
            {
                "title": self.kind.title,
                "rows": rows,
                "url_prefix": self.kind.url_prefix,
                "dismiss_url": reverse(f"{self.kind.url_prefix}_duplicates_dismiss"),
                "next_url": f"?{urlencode({'after': following})}" if following else None,
                "last_scan": last_scan(),
                "scan_url": reverse(f"{self.kind.url_prefix}_duplicates_scan")
                if permissions.can_manage(request.user, "contacts")
                else None,
            },
        )


class CompanyDuplicateListView(DuplicateListView):
    kind = COMPANY_KIND


class ScanDuplicatesView(LoginRequiredMixin, View):
    """ "Scan now" (managers): the scan runs in the background, as the nightly one does."""

    kind = CONTACT_KIND

    def post(self, request):
        if not permissions.can_manage(request.user, "contacts"):
            raise Http404
        jobs.scan_duplicates.enqueue([str(self.kind.kind)])
        messages.success(
            request, _("The duplicate scan has started. Its pairs appear here when it finishes.")
        )
        return redirect(f"{self.kind.url_prefix}_duplicates")


class CompanyScanDuplicatesView(ScanDuplicatesView):
    kind = COMPANY_KIND


class DismissDuplicateView(LoginRequiredMixin, View):
    kind = CONTACT_KIND

    def post(self, request):
        first, second = self.kind.get_pair(
            request.user, request.POST.get("first"), request.POST.get("second")
        )
        services.dismiss_duplicate(first, second, actor=request.user)
        messages.success(request, _("Marked as not duplicates."))
        return redirect(f"{self.kind.url_prefix}_duplicates")


class CompanyDismissDuplicateView(DismissDuplicateView):
    kind = COMPANY_KIND


class MergeView(LoginRequiredMixin, View):
    """Both records side by side; each differing field chooses its value."""

    kind = CONTACT_KIND

    def rows(self, keep, other):
        rows = []
        for name in self.kind.fields:
            field = self.kind.model._meta.get_field(name)
            mine, theirs = getattr(keep, field.attname), getattr(other, field.attname)
            rows.append(
                {
                    "name": name,
                    "label": field.verbose_name,
                    "keep": _display(keep, field),
                    "other": _display(other, field),
                    "differs": mine != theirs,
                    "default": "keep"
                    if mine not in ("", None) or theirs in ("", None)
                    else "other",
                }
            )
        return rows

    def get(self, request, pk):
        keep, other = self.kind.get_pair(request.user, pk, request.GET.get("other"))
        return self.show(request, keep, other)

    def show(self, request, keep, other, errors=None, status=200):
        return render(
            request,
            "contacts/merge.html",
            {
                "keep": keep,
                "other": other,
                "rows": self.rows(keep, other),
                "errors": errors or [],
                "action": reverse(f"{self.kind.url_prefix}_merge", args=[keep.pk]),
                "swap_url": reverse(f"{self.kind.url_prefix}_merge", args=[other.pk])
                + "?"
                + urlencode({"other": keep.pk}),
            },
            status=status,
        )

    def post(self, request, pk):
        keep, other = self.kind.get_pair(request.user, pk, request.POST.get("other"))
        values = {
            name: request.POST[f"field_{name}"]
            for name in self.kind.fields
            if request.POST.get(f"field_{name}") in ("keep", "other")
        }
        try:
            self.kind.merge(keep, other, actor=request.user, values=values)
        except ValidationError as error:
            return self.show(request, keep, other, errors=error.messages, status=400)
        messages.success(request, _("Merged. The other record is in the trash."))
        return redirect(f"{self.kind.url_prefix}_detail", pk=keep.pk)


class CompanyMergeView(MergeView):
    kind = COMPANY_KIND


def _display(record, field):
    if field.choices:
        return getattr(record, f"get_{field.name}_display")()
    value = getattr(record, field.name)
    return "" if value is None else value
