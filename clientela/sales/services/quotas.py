"""Monthly sales quotas."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Quota
from .common import amount_error, clean_amount


@transaction.atomic
def set_quota(*, actor, user, month, amount):
    """What ``user`` should win in ``month`` (any day of it); an empty amount removes the quota."""
    month = datetime.date(month.year, month.month, 1)
    if amount in (None, ""):
        Quota.objects.filter(user=user, month=month).delete()
        return None
    value = clean_amount(amount)
    if value is None:
        raise ValidationError({"amount": [amount_error()]})
    quota, _created = Quota.objects.update_or_create(
        user=user, month=month, defaults={"amount": value}
    )
    return quota
