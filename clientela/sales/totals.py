"""The arithmetic of line items, shared by deals, quotes and purchases.

Each line is rounded on its own, half up to cents: net = quantity × unit price − discount, then
tax = net × rate. Totals add up the rounded lines, so the sum of a quote's lines is its total
and the tax of each rate is the sum of that rate's line taxes (what an invoice shows).
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from .money import round_money

HUNDRED = Decimal(100)


def line_amounts(quantity, unit_price, discount, tax_percent):
    """``(net, tax)`` of one line, each rounded half up to cents."""
    gross_before_discount = Decimal(quantity) * Decimal(unit_price)
    net = round_money(gross_before_discount * (HUNDRED - Decimal(discount)) / HUNDRED)
    tax = round_money(net * Decimal(tax_percent) / HUNDRED)
    return net, tax


@dataclass
class Totals:
    """Net, tax and gross of some lines, with the tax of each rate (in the order first met)."""

    net: Decimal = Decimal("0.00")
    tax: Decimal = Decimal("0.00")
    by_rate: dict = field(default_factory=OrderedDict)  # tax percent -> {"base", "tax"}

    @property
    def gross(self):
        return self.net + self.tax

    def add(self, net, tax, tax_percent):
        self.net += net
        self.tax += tax
        key = Decimal(tax_percent).quantize(Decimal("0.01"))
        entry = self.by_rate.setdefault(key, {"base": Decimal("0.00"), "tax": Decimal("0.00")})
        entry["base"] += net
        entry["tax"] += tax


def totals_of(lines):
    """``Totals`` of objects with ``net``, ``tax`` and ``tax_percent`` (rates sorted high to
    low, as Spanish invoices list them)."""
    totals = Totals()
    for line in lines:
        totals.add(line.net, line.tax, line.tax_percent)
    totals.by_rate = OrderedDict(sorted(totals.by_rate.items(), key=lambda item: -item[0]))
    return totals
