"""The catalogue: tax rates, products, price lists, and the line items of deals.

Products, price lists and tax rates are shared by the whole team (a catalogue, not customer
data), so they are plain models without owner or scope; anyone who reads sales reads them.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import BUILTIN_TAX_RATES
from ..totals import line_amounts

# Bounds of what a person could mean; anything past them is a typo or an attack.
MAX_QUANTITY = Decimal("1000000")
MAX_UNIT_PRICE = Decimal("1000000000")


class TaxRate(models.Model):
    """A tax applied to a line (IVA 21 %, 10 %, 4 %, exempt...). The default one is proposed for
    new products and lines. Rates in use are deactivated, never deleted."""

    code = models.SlugField(_("code"), max_length=30, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "-rate", "id"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="taxrate_rate_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.rate.normalize():f} %)"

    @property
    def display_name(self):
        """Built-in rates in the reader's language, unless someone renamed them."""
        builtin = BUILTIN_TAX_RATES.get(self.code)
        if builtin and self.name == builtin[0]:
            return builtin[1]
        return self.name


class Product(models.Model):
    """Something sold: a unit price in a currency (before tax) and its usual tax rate.

    ``version`` grows with every change, as a record's does, so the API can refuse a stale
    ``If-Match``."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    tax_rate = models.ForeignKey(
        TaxRate, on_delete=models.PROTECT, related_name="products", verbose_name=_("tax rate")
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    permission_area = "sales"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["name", "id"], name="product_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="product_price_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.sku})"

    @property
    def etag(self):
        return f'"{self.pk}-{self.version}"'


class PriceList(models.Model):
    """Prices in one currency that differ from the products' own (wholesale, USD, 2027...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    is_default = models.BooleanField(
        _("default for its currency"),
        default=False,
        help_text=_("Used for the lines of deals in this currency when none is chosen."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self):
        return f"{self.name} ({self.currency})"


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="list_prices")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["price_list", "product"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="pricelistitem_unique"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="pricelistitem_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.price_list_id}/{self.product_id}: {self.unit_price}"


class LineAmounts(models.Model):
    """What a deal line and a purchase line share: quantity, price, discount and tax, with the
    net and tax amounts the services compute (rounded per line) so totals are plain sums."""

    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    discount = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=0)
    tax_percent = models.DecimalField(_("tax (%)"), max_digits=5, decimal_places=2, default=0)
    net = models.DecimalField(_("net"), max_digits=14, decimal_places=2, default=0)
    tax = models.DecimalField(_("tax"), max_digits=14, decimal_places=2, default=0)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    @property
    def gross(self):
        return self.net + self.tax

    @property
    def computed_amounts(self):
        """``(net, tax)`` as the rounding rule gives them for the current values."""
        return line_amounts(self.quantity, self.unit_price, self.discount, self.tax_percent)


class DealLineItem(LineAmounts):
    """A line of a deal: a product (or a free description), how many, at what price. The
    deal's amount is the net total of its lines when it has any."""

    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deal_lines",
        verbose_name=_("product"),
    )
    tax_rate = models.ForeignKey(
        TaxRate, on_delete=models.PROTECT, related_name="deal_lines", verbose_name=_("tax rate")
    )

    class Meta:
        ordering = ["deal", "position", "id"]
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="deallineitem_quantity_pos"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="deallineitem_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=100),
                name="deallineitem_discount_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.description}"


def default_tax_rate():
    return TaxRate.objects.filter(active=True).order_by("-is_default", "position", "id").first()
