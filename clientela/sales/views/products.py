"""The catalogue pages (products for sales writers; tax rates, price lists and the seller
profile for managers) and the line-item editor of a deal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import permissions
from clientela.core.records import StaleRecord
from clientela.core.views.records import page_links, page_or_first

from .. import services
from ..filtersets import ProductFilterSet
from ..forms import (
    PriceFormSet,
    PriceListForm,
    ProductForm,
    SellerProfileForm,
    TaxRateForm,
    line_formset,
)
from ..models import PriceList, PriceListItem, Product, SellerProfile, TaxRate
from ..totals import totals_of
from .quotes import visible_deal
from .setup import manager_view

PAGE_SIZE = 50


def _put_errors(error, form, formset=None, formset_key=None):
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, problems in error.message_dict.items():
        if formset is not None and field == formset_key:
            formset.non_form_errors().extend(problems)
        elif field in form.fields:
            form.add_error(field, problems)
        else:
            form.add_error(None, problems)


# --- products ------------------------------------------------------------------------------------


@login_required
def product_list(request):
    if not permissions.can_read(request.user, "sales"):
        raise PermissionDenied
    filterset = ProductFilterSet(
        request.GET, queryset=Product.objects.select_related("tax_rate"), request=request
    )
    products = filterset.qs if filterset.is_valid() else Product.objects.none()
    page = page_or_first(products, ("name", "id"), request.GET.get("cursor"), PAGE_SIZE)
    return render(
        request,
        "sales/products/product_list.html",
        {
            "page": page,
            "products": page.items,
            "page_links": page_links(request, page),
            "filter_form": filterset.form,
            "can_write": permissions.can_write(request.user, "sales"),
            "can_manage": permissions.can_manage(request.user, "sales"),
        },
    )


@login_required
def product_form(request, pk=None):
    permissions.require_write(request.user, "sales")
    product = get_object_or_404(Product, pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    initial = {}
    if product is not None:
        initial = {
            name: getattr(product, name)
            for name in ("sku", "name", "description", "currency", "tax_rate", "active")
        }
        initial["unit_price"] = product.unit_price.normalize()
        initial["version"] = product.version
    form = ProductForm(data, initial=initial, product=product)
    prices = PriceFormSet(
        data,
        initial=[
            {"price_list": item.price_list_id, "unit_price": item.unit_price.normalize()}
            for item in PriceListItem.objects.filter(product=product).order_by("price_list_id")
        ]
        if product
        else [],
        prefix="prices",
    )
    status = 200
    if data is not None:
        status = 400
        if form.is_valid() and prices.is_valid():
            fields = dict(form.cleaned_data)
            version = fields.pop("version")
            try:
                if product is None:
                    product = services.create_product(
                        actor=request.user, prices=prices.service_rows(), **fields
                    )
                else:
                    product = services.update_product(
                        product,
                        actor=request.user,
                        expected_version=version,
                        prices=prices.service_rows(),
                        **fields,
                    )
            except StaleRecord:
                form.add_error(
                    None,
                    _("Someone else changed this product meanwhile; reload the page to see it."),
                )
                status = 409
            except ValidationError as error:
                _put_errors(error, form, prices, "prices")
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": product.name})
                return redirect("sales:product_list")
    return render(
        request,
        "sales/products/product_form.html",
        {"form": form, "prices": prices, "product": product},
        status=status if data is not None else 200,
    )


# --- tax rates, price lists, seller profile (managers) -------------------------------------------


def _simple_settings(request, *, model, form_class, pk, save, template, fields, redirect_to):
    item = get_object_or_404(model, pk=pk) if pk else None
    initial = {name: getattr(item, name) for name in fields} if item else {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(item, form.cleaned_data)
        except ValidationError as error:
            _put_errors(error, form)
        else:
            messages.success(request, _("Saved."))
            return redirect(redirect_to)
    return render(
        request,
        template,
        {"form": form, "item": item, "items": model.objects.all()},
        status=400 if form.errors else 200,
    )


@manager_view
def tax_rates(request, pk=None):
    return _simple_settings(
        request,
        model=TaxRate,
        form_class=TaxRateForm,
        pk=pk,
        save=lambda item, data: services.save_tax_rate(actor=request.user, tax_rate=item, **data),
        template="sales/products/tax_rates.html",
        fields=("name", "rate", "is_default", "active"),
        redirect_to="sales:tax_rates",
    )


@manager_view
def price_lists(request, pk=None):
    return _simple_settings(
        request,
        model=PriceList,
        form_class=PriceListForm,
        pk=pk,
        save=lambda item, data: services.save_price_list(
            actor=request.user, price_list=item, **data
        ),
        template="sales/products/price_lists.html",
        fields=("name", "currency", "is_default", "active"),
        redirect_to="sales:price_lists",
    )


@manager_view
def seller_profile(request):
    profile = SellerProfile.current()
    form = SellerProfileForm(request.POST or None, instance=SellerProfile.current())
    if request.method == "POST" and form.is_valid():
        try:
            services.save_seller_profile(
                actor=request.user, **{n: form.cleaned_data[n] for n in form.Meta.fields}
            )
        except ValidationError as error:
            _put_errors(error, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:seller_profile")
    return render(
        request,
        "sales/products/seller_profile.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )


# --- the lines of a deal -------------------------------------------------------------------------


@login_required
def deal_lines(request, pk):
    """All the lines of a deal in one form (works without JavaScript); saving replaces them and
    the deal's amount becomes their net total."""
    deal = visible_deal(request, pk, change=True)
    lines = list(deal.line_items.select_related("product", "tax_rate").order_by("position", "id"))
    used_rates = {line.tax_rate_id for line in lines}
    rates = TaxRate.objects.filter(active=True) | TaxRate.objects.filter(pk__in=used_rates)
    price_lists = PriceList.objects.filter(active=True, currency=deal.currency)
    data = request.POST if request.method == "POST" else None
    formset = line_formset(data, lines, rates.distinct())
    errors, status = [], 200
    if data is not None:
        status = 400
        chosen = price_lists.filter(pk=_int(data.get("price_list"))).first()
        if formset.is_valid():
            try:
                services.set_deal_lines(
                    deal,
                    formset.service_rows(),
                    actor=request.user,
                    expected_version=_int(data.get("version")),
                    price_list=chosen,
                )
            except StaleRecord:
                errors.append(
                    _("Someone else changed this deal meanwhile; reload the page to see it.")
                )
                status = 409
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(request, _("Line items saved."))
                return redirect(reverse("sales:deal_detail", args=[deal.pk]) + "#lines-heading")
    return render(
        request,
        "sales/products/deal_lines.html",
        {
            "deal": deal,
            "formset": formset,
            "errors": errors,
            "lines": lines,
            "totals": totals_of(lines),
            "price_lists": price_lists,
            "skus": Product.objects.filter(active=True).order_by("sku")[:500],
        },
        status=status,
    )


@login_required
@require_POST
def product_delete(request, pk):
    permissions.require_write(request.user, "sales")
    product = get_object_or_404(Product, pk=pk)
    try:
        services.delete_product(product, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:product_edit", pk=pk)
    messages.success(request, _("“%(name)s” deleted.") % {"name": product.name})
    return redirect("sales:product_list")


def _int(raw):
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 18 else None
