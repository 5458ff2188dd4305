"""What the sales services share: the accepted range of amounts."""

from decimal import Decimal

from django.utils.translation import gettext as _

from .. import money

MAX_AMOUNT = Decimal("999999999999.99")


def clean_amount(value):
    """``value`` as money (two decimals), or ``None`` when it is not an amount from 0 to
    ``MAX_AMOUNT`` (negative, too large, NaN, not a number)."""
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None
    if not amount.is_finite() or not Decimal(0) <= amount <= MAX_AMOUNT:
        return None
    return money.round_money(amount)


def amount_error():
    return _("Enter an amount between 0 and 999,999,999,999.99.")
