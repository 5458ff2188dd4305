"""Exchange rates to the base currency."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import money
from ..models import ExchangeRate

LOWEST_RATE, HIGHEST_RATE = Decimal("0.00000001"), Decimal("1000000000")


@transaction.atomic
def set_exchange_rate(*, actor, currency, valid_from, rate):
    """From ``valid_from`` on, one ``currency`` is worth ``rate`` base-currency units."""
    currency = (currency or "").strip().upper()
    money.validate_currency(currency)
    if currency == money.base_currency():
        raise ValidationError({"currency": [_("The base currency needs no rate.")]})
    try:
        rate = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        rate = None
    if rate is None or not rate.is_finite() or not LOWEST_RATE <= rate <= HIGHEST_RATE:
        raise ValidationError({"rate": [_("Enter a rate greater than 0.")]})
    found, _created = ExchangeRate.objects.update_or_create(
        currency=currency, valid_from=valid_from, defaults={"rate": rate}
    )
    return found


@transaction.atomic
def delete_exchange_rate(rate, *, actor):
    """Forget a rate; amounts already converted keep their value until the deal changes."""
    rate.delete()
