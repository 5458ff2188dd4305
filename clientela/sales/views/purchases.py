"""Purchase pages: thin subclasses of ``core.views.records`` naming the model, filterset,
templates and services."""

from django.utils.translation import gettext_lazy

from clientela.core.views import records

from .. import money, services
from ..filtersets import PurchaseFilterSet
from ..forms import PurchaseForm, purchase_item_formset
from ..models import Purchase, PurchaseItem
from ..totals import totals_of

SORTS = {
    "recent": (gettext_lazy("Most recent"), ("-purchased_at", "-id")),
    "oldest": (gettext_lazy("Oldest"), ("purchased_at", "id")),
    "newest": (gettext_lazy("Recorded last"), ("-created_at", "-id")),
}


class PurchaseMixin:
    model = Purchase
    url_prefix = "sales:purchase"
    list_name = "purchases"


class PurchaseListView(PurchaseMixin, records.RecordListView):
    filterset_class = PurchaseFilterSet
    template_name = "sales/purchases/purchase_list.html"
    sorts = SORTS
    default_sort = "recent"
    list_select_related = ("owner", "team", "contact", "company")

    def export_url(self):
        return self.url("export")

    def extra_context(self):
        return {"base_currency": money.base_currency()}


class PurchaseExportView(PurchaseMixin, records.RecordExportView):
    filterset_class = PurchaseFilterSet
    filename = "purchases.csv"

    def iter_rows(self, queryset):
        from ..io import iter_purchases_csv

        return iter_purchases_csv(queryset)


class PurchaseDetailView(PurchaseMixin, records.RecordDetailView):
    template_name = "sales/purchases/purchase_detail.html"
    detail_select_related = ("owner", "team", "contact", "company", "deal")

    def extra_context(self, record):
        items = list(PurchaseItem.objects.filter(purchase=record).select_related("product"))
        return {
            "items": items,
            "totals": totals_of(items),
            "base_currency": money.base_currency(),
        }


class PurchaseFormView(PurchaseMixin, records.RecordFormView):
    form_class = PurchaseForm
    template_name = "sales/purchases/purchase_form.html"

    def get_formsets(self, data, record):
        # Not "items": the form template reads ``formsets.items``.
        return {"lines": purchase_item_formset(data, record)}

    def new_instance(self):
        return Purchase(owner=self.request.user)

    def get(self, request, pk=None):
        record = self.load(pk)
        form = PurchaseForm(
            instance=record or self.new_instance(),
            user=request.user,
            contact_id=_int(request.GET.get("contact")),
        )
        return self.render_form(form, self.get_formsets(None, record), record)

    def create(self, *, actor, lines, **kwargs):
        purchase, _created = services.record_purchase(actor=actor, items=lines or None, **kwargs)
        return purchase

    def update(self, record, *, actor, expected_version, lines, **kwargs):
        return services.update_purchase(
            record, actor=actor, expected_version=expected_version, items=lines or None, **kwargs
        )


class PurchaseBulkView(PurchaseMixin, records.RecordBulkView):
    assign_service = staticmethod(services.assign_purchases)
    tag_service = staticmethod(services.tag_purchases)
    delete_service = staticmethod(services.delete_purchases)


class PurchaseSavedViewSave(PurchaseMixin, records.SavedViewSaveView):
    pass


class PurchaseSavedViewDelete(PurchaseMixin, records.SavedViewDeleteView):
    pass


class PurchaseDeleteView(PurchaseMixin, records.RecordDeleteView):
    delete_service = staticmethod(services.delete_purchases)


class PurchaseRestoreView(PurchaseMixin, records.RecordRestoreView):
    service = staticmethod(services.restore_purchases)


class PurchasePurgeView(PurchaseMixin, records.RecordPurgeView):
    service = staticmethod(services.purge_purchases)
    trash_url_name = "contacts:trash"


def _int(raw):
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 18 else None
