"""Currencies and conversion to the base currency.

Currency codes are ISO 4217 (pycountry's list). Amounts in another currency are converted with
the newest ``ExchangeRate`` valid on the day asked for; reports add up base-currency amounts.
"""

import gettext
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

CENT = Decimal("0.01")


@cache
def currency_codes():
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def base_currency():
    return settings.BASE_CURRENCY


def validate_currency(code):
    if code not in currency_codes():
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code (EUR, USD, GBP...).") % {"code": code},
            code="currency",
        )


@cache
def _names(language):
    try:
        return gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


def currency_name(code):
    """``"EUR"`` -> ``"euro"`` in the active language (the code when unknown)."""
    currency = pycountry.currencies.get(alpha_3=code)
    if currency is None:
        return code
    return _names(get_language() or "en").gettext(currency.name)


def currency_choices():
    return sorted((code, f"{code} · {currency_name(code)}") for code in currency_codes())


def round_money(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


class MissingRate(ValidationError):
    pass


def rate_on(currency, day):
    """Units of base currency for one unit of ``currency`` on ``day``."""
    from clientela.sales.models import ExchangeRate

    if currency == base_currency():
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingRate(
            _("There is no exchange rate for %(code)s on %(day)s; add one in the sales settings.")
            % {"code": currency, "day": day.isoformat()},
            code="exchange_rate",
        )
    return rate


def to_base(amount, currency, day):
    return round_money(Decimal(amount) * rate_on(currency, day))
