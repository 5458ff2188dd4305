"""Purchases: what each customer bought, when, where and for how much.

The history that post-purchase follow-ups, loyalty and RFM analysis read. A purchase comes from
a won deal (one per deal), from an online shop through the API (one per order: ``source`` and
``external_id`` identify it, so posting it twice does not count it twice) or from an import.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord

from ..choices import PurchaseChannel, PurchaseStatus
from .products import LineAmounts, Product

ALIVE = Q(deleted_at__isnull=True)


class Purchase(CrmRecord):
    """One order of a customer (a contact, a company or both: the services require one), with
    its totals in its currency and in the base currency (at the rate of the purchase day), kept
    by ``sales.services``. Purging a contact from the trash keeps their purchases, unlinked."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    source = models.CharField(
        _("source"),
        max_length=50,
        blank=True,
        help_text=_("The system the order comes from (the shop's name, “deal”, an import)."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The order's id in its source system; one purchase per source and id."),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("contact"),
    )
    company = models.ForeignKey(
        "contacts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("company"),
    )
    deal = models.OneToOneField(
        "sales.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchase",
        verbose_name=_("deal"),
    )
    purchased_at = models.DateTimeField(_("purchased"))
    channel = models.CharField(_("channel"), max_length=20, choices=PurchaseChannel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.COMPLETED
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    net_amount = models.DecimalField(_("net"), max_digits=14, decimal_places=2, default=0)
    tax_amount = models.DecimalField(_("tax"), max_digits=14, decimal_places=2, default=0)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    net_base = models.DecimalField(
        _("net in base currency"), max_digits=14, decimal_places=2, default=0, editable=False
    )
    total_base = models.DecimalField(
        _("total in base currency"), max_digits=14, decimal_places=2, default=0, editable=False
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    permission_area = "sales"

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        indexes = [
            models.Index(
                fields=["-purchased_at", "-id"], condition=ALIVE, name="purchase_recent_idx"
            ),
            models.Index(
                fields=["contact", "-purchased_at"], condition=ALIVE, name="purchase_contact_idx"
            ),
            models.Index(
                fields=["company", "-purchased_at"], condition=ALIVE, name="purchase_company_idx"
            ),
            models.Index(fields=["deleted_at"], condition=~ALIVE, name="purchase_trash_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="purchase_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(total_amount__gte=0) & Q(net_amount__gte=0) & Q(tax_amount__gte=0),
                name="purchase_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return self.number

    def history_extra(self):
        if not self.pk:
            return {}
        return {"items": [str(item) for item in PurchaseItem.objects.filter(purchase_id=self.pk)]}

    @property
    def counts(self):
        """Whether it adds to what the customer spent (refunds and cancellations do not)."""
        return self.status == PurchaseStatus.COMPLETED


class PurchaseItem(LineAmounts):
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchase_lines",
        verbose_name=_("product"),
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)

    class Meta:
        ordering = ["purchase", "position", "id"]
        verbose_name = _("purchase item")
        verbose_name_plural = _("purchase items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchaseitem_quantity_pos"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="purchaseitem_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=100),
                name="purchaseitem_discount_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.quantity.normalize():f} × {self.description} = {self.net} + {self.tax}"


def main_contact_of(deal):
    """The person a deal is with: its first decision maker, else its first contact."""
    from clientela.contacts.models import Contact

    from ..choices import DealContactRole

    links = deal.contact_links.order_by("id")
    link = links.filter(role=DealContactRole.DECISION_MAKER).first() or links.first()
    return Contact.all_objects.filter(pk=link.contact_id).first() if link else None
