"""Forms of the deal pages. They validate input; services write."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import CompanyChoiceField, OwnedRecordForm, companies_for
from clientela.contacts.models import Contact
from clientela.core import permissions

from . import money
from .choices import PurchaseChannel
from .models import (
    Deal,
    Pipeline,
    PriceList,
    Product,
    Purchase,
    SellerProfile,
    Stage,
    TaxRate,
)
from .models.products import MAX_QUANTITY, MAX_UNIT_PRICE, default_tax_rate
from .services import DEAL_FIELDS, PURCHASE_FIELDS
from .services.quotes import SELLER_FIELDS


class DealForm(OwnedRecordForm):
    groups = [
        (
            _("Deal"),
            ["name", "company", "pipeline", "stage", "amount", "currency", "expected_close_date"],
        ),
        (_("Progress"), ["forecast_category", "next_step", "source", "source_detail"]),
        (_("Assignment"), ["owner", "team", "tags"]),
    ]

    currency = forms.ChoiceField(label=_("Currency"), choices=())
    company = CompanyChoiceField()

    class Meta:
        model = Deal
        fields = list(DEAL_FIELDS)
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_for(self.user, self.instance.company_id)
        self.fields["currency"].choices = money.currency_choices()
        if not self.instance.pk:
            self.initial.setdefault("currency", money.base_currency())
        self.fields["pipeline"].queryset = Pipeline.objects.filter(archived=False)
        self.fields["pipeline"].required = False
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline")
        self.fields["stage"].required = False
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline} · {s}"
        self.fields["expected_close_date"].required = False
        self.fields["name"].widget.attrs["autofocus"] = True
        if self.instance.pk and self.instance.line_items.exists():
            for name in ("amount", "currency"):
                self.fields[name].disabled = True
            self.fields["amount"].help_text = _("The net total of the line items.")


# --- catalogue, line items, purchases -------------------------------------------------------------


def _price_field(label, required=True):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=4,
        min_value=0,
        max_value=MAX_UNIT_PRICE,
        localize=False,
    )


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea
    )
    unit_price = _price_field(_("Unit price (before tax)"))
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    tax_rate = forms.ModelChoiceField(label=_("Tax rate"), queryset=TaxRate.objects.none())
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = money.currency_choices()
        current = product.tax_rate_id if product else None
        self.fields["tax_rate"].queryset = TaxRate.objects.filter(
            Q(active=True) | Q(pk=current or 0)
        )
        self.fields["tax_rate"].label_from_instance = str
        if product is None:
            self.initial.setdefault("currency", money.base_currency())
            self.initial.setdefault("tax_rate", default_tax_rate())


class PriceRowForm(forms.Form):
    price_list = forms.ModelChoiceField(
        label=_("Price list"), queryset=PriceList.objects.all(), required=False
    )
    unit_price = _price_field(_("Unit price"), required=False)


class PriceRowFormSet(forms.BaseFormSet):
    legend = _("Prices in price lists")

    def service_rows(self):
        return [
            {"price_list": f.cleaned_data["price_list"], "unit_price": f.cleaned_data["unit_price"]}
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and f.cleaned_data.get("price_list")
            and f.cleaned_data.get("unit_price") is not None
        ]


PriceFormSet = forms.formset_factory(
    PriceRowForm, formset=PriceRowFormSet, extra=2, max_num=50, validate_max=True
)


class TaxRateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    rate = forms.DecimalField(
        label=_("Rate (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    is_default = forms.BooleanField(label=_("Default"), required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    is_default = forms.BooleanField(label=_("Default for its currency"), required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = money.currency_choices()
        self.initial.setdefault("currency", money.base_currency())


class SellerProfileForm(forms.ModelForm):
    class Meta:
        model = SellerProfile
        fields = list(SELLER_FIELDS)
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class LineRowForm(forms.Form):
    """One line of a deal or a purchase; a row without SKU and description is skipped."""

    sku = forms.CharField(label=_("Product (SKU)"), max_length=64, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        min_value=0,
        max_value=MAX_QUANTITY,
        required=False,
        localize=False,
    )
    unit_price = _price_field(_("Unit price"), required=False)
    discount = forms.DecimalField(
        label=_("Discount (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        localize=False,
    )
    tax_rate = forms.ModelChoiceField(
        label=_("Tax rate"), queryset=TaxRate.objects.none(), required=False
    )

    def __init__(self, *args, tax_rates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_rate"].queryset = tax_rates
        self.fields["tax_rate"].label_from_instance = str
        self.fields["tax_rate"].empty_label = _("Product's or default")
        self.fields["sku"].widget.attrs["list"] = "product-skus"

    @property
    def is_blank(self):
        data = getattr(self, "cleaned_data", None) or {}
        return not (data.get("sku") or data.get("description"))

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        if not sku:
            self.product = None
            return ""
        self.product = Product.objects.filter(sku__iexact=sku).first()
        if self.product is None:
            raise forms.ValidationError(_("No product has this SKU."))
        return self.product.sku


class LineRowFormSet(forms.BaseFormSet):
    legend = _("Lines")

    def service_rows(self):
        rows = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.is_blank:
                continue
            data = form.cleaned_data
            rows.append(
                {
                    "product": form.product,
                    "description": data["description"],
                    "quantity": data["quantity"] if data["quantity"] is not None else 1,
                    "unit_price": data["unit_price"],
                    "discount": data["discount"] or 0,
                    "tax_rate": data["tax_rate"],
                }
            )
        return rows


LineFormSet = forms.formset_factory(
    LineRowForm, formset=LineRowFormSet, extra=3, max_num=200, validate_max=True
)


def line_formset(data, lines, tax_rates):
    initial = [
        {
            "sku": line.product.sku if line.product_id else "",
            "description": line.description,
            "quantity": line.quantity.normalize(),
            "unit_price": line.unit_price.normalize(),
            "discount": line.discount.normalize() if line.discount else None,
            "tax_rate": line.tax_rate_id,
        }
        for line in lines
    ]
    return LineFormSet(data, initial=initial, prefix="lines", form_kwargs={"tax_rates": tax_rates})


class PurchaseItemFormSet(LineRowFormSet):
    """Lines of a purchase: the tax rate chosen (or the product's, or the default) gives the
    percentage stored on the line."""

    legend = _("Items")

    def service_rows(self):
        fallback = default_tax_rate()
        rows = []
        for row in super().service_rows():
            rate = row.pop("tax_rate") or (row["product"].tax_rate if row["product"] else fallback)
            rows.append({**row, "tax_percent": rate.rate if rate else 0})
        return rows


PurchaseItemFormSetClass = forms.formset_factory(
    LineRowForm, formset=PurchaseItemFormSet, extra=3, max_num=200, validate_max=True
)


def purchase_item_formset(data, purchase):
    items = list(purchase.items.select_related("product")) if purchase and purchase.pk else []
    rates = {rate.rate: rate.pk for rate in TaxRate.objects.all()}
    initial = [
        {
            "sku": item.product.sku if item.product_id else "",
            "description": item.description,
            "quantity": item.quantity.normalize(),
            "unit_price": item.unit_price.normalize(),
            "discount": item.discount.normalize() if item.discount else None,
            "tax_rate": rates.get(item.tax_percent),
        }
        for item in items
    ]
    return PurchaseItemFormSetClass(
        data,
        initial=initial,
        prefix="items",
        form_kwargs={"tax_rates": TaxRate.objects.filter(active=True)},
    )


class PurchaseForm(OwnedRecordForm):
    groups = [
        (_("Purchase"), ["contact", "company", "purchased_at", "channel", "status", "currency"]),
        (_("Without items"), ["total_amount", "tax_amount"]),
        (_("Details"), ["source", "external_id", "note"]),
        (_("Assignment"), ["owner", "team", "tags"]),
    ]
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    company = CompanyChoiceField()
    total_amount = forms.DecimalField(
        label=_("Total paid (tax included)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        localize=False,
        help_text=_("Only for a purchase recorded without items."),
    )
    tax_amount = forms.DecimalField(
        label=_("Tax included in the total"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        localize=False,
    )

    class Meta:
        model = Purchase
        fields = list(PURCHASE_FIELDS)
        widgets = {"purchased_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args, contact_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        purchase = self.instance
        self.fields["company"].queryset = companies_for(self.user, purchase.company_id)
        posted = self.data.get("contact") if self.is_bound else None
        wanted = [pk for pk in (contact_id, purchase.contact_id, _int(posted)) if pk]
        self.fields["contact"].queryset = Contact.objects.filter(
            Q(pk__in=permissions.visible(self.user, Contact.objects.filter(pk__in=wanted)))
            | Q(pk=purchase.contact_id or 0)
        )
        self.fields["contact"].help_text = _(
            "Record a purchase from the contact's page to choose the contact."
        )
        if contact_id and not purchase.pk:
            self.initial["contact"] = contact_id
        self.fields["currency"].choices = money.currency_choices()
        self.fields["purchased_at"].widget.format = "%Y-%m-%dT%H:%M"
        if not purchase.pk:
            self.initial.setdefault("currency", money.base_currency())
            self.initial.setdefault("purchased_at", timezone.localtime().replace(second=0))
            self.initial.setdefault("channel", PurchaseChannel.STORE)
        else:
            if not purchase.items.exists():
                self.initial.setdefault("total_amount", purchase.total_amount)
                self.initial.setdefault("tax_amount", purchase.tax_amount)

    def service_kwargs(self):
        kwargs = super().service_kwargs()
        for name in ("total_amount", "tax_amount"):
            kwargs[name] = self.cleaned_data.get(name)
        return kwargs


def _int(raw):
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 18 else None
