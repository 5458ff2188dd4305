"""Deal pages: thin subclasses of ``core.views.records`` naming the model, filterset, templates
and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.views import records

from .. import money, services
from ..filtersets import DealFilterSet
from ..forms import DealForm
from ..models import Deal, DealStageChange

SORTS = {
    "closing": (gettext_lazy("Closing soonest"), ("expected_close_date", "id")),
    "amount": (gettext_lazy("Largest"), ("-amount_base", "-id")),
    "newest": (gettext_lazy("Newest"), ("-created_at", "-id")),
    "updated": (gettext_lazy("Recently updated"), ("-updated_at", "-id")),
}


class DealMixin:
    model = Deal
    url_prefix = "sales:deal"
    list_name = "deals"


class DealListView(DealMixin, records.RecordListView):
    filterset_class = DealFilterSet
    template_name = "sales/deal_list.html"
    sorts = SORTS
    default_sort = "closing"
    list_select_related = ("owner", "team", "company", "stage")


class DealDetailView(DealMixin, records.RecordDetailView):
    template_name = "sales/deal_detail.html"
    detail_select_related = ("owner", "team", "company", "pipeline", "stage", "lost_reason")
    detail_prefetch_related = ("tags",)

    def extra_context(self, record):
        moves = DealStageChange.objects.filter(deal=record).select_related(
            "from_stage", "to_stage", "actor"
        )
        return {
            "base_currency": money.base_currency(),
            "contact_links": record.contact_links.select_related("contact"),
            "stage_moves": moves[:50],
        }


class DealFormView(DealMixin, records.RecordFormView):
    form_class = DealForm
    template_name = "sales/deal_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk, Deal.objects.prefetch_related("tags"))

    def create(self, *, actor, **kwargs):
        return services.create_deal(actor=actor, **kwargs)

    def update(self, record, *, actor, expected_version, **kwargs):
        return services.update_deal(
            record, actor=actor, expected_version=expected_version, **kwargs
        )


class DealBulkView(DealMixin, records.RecordBulkView):
    assign_service = staticmethod(services.assign_deals)
    tag_service = staticmethod(services.tag_deals)
    delete_service = staticmethod(services.delete_deals)


class DealSavedViewSave(DealMixin, records.SavedViewSaveView):
    pass


class DealSavedViewDelete(DealMixin, records.SavedViewDeleteView):
    pass


class DealDeleteView(DealMixin, records.RecordDeleteView):
    delete_service = staticmethod(services.delete_deals)


class DealRestoreView(DealMixin, records.RecordRestoreView):
    service = staticmethod(services.restore_deals)


class DealPurgeView(DealMixin, records.RecordPurgeView):
    service = staticmethod(services.purge_deals)
    trash_url_name = "contacts:trash"


class QualifyView(DealMixin, records.RecordViewMixin, View):
    """A lead becomes an opportunity: a new deal for the contact, then its form to complete."""

    http_method_names = ["post"]

    def post(self, request, contact_pk):
        self.require_write()
        contact = get_object_or_404(
            permissions.visible(request.user, Contact.objects.all()), pk=contact_pk
        )
        try:
            deal = services.qualify_contact(contact, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("contacts:contact_detail", pk=contact.pk)
        messages.success(request, _("Deal “%(deal)s” created; complete it below.") % {"deal": deal})
        return redirect("sales:deal_edit", pk=deal.pk)
