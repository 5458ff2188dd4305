"""The "Data quality" page for managers: what is missing, how often, and who owns it.

Every count reads a partial index (``*_no_*_idx``) or the completeness index, so the page costs
the same few indexed reads whatever the number of complete records.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from clientela.core import permissions
from clientela.core.models import Team, User

from .filtersets import COMPANY_MISSING, CONTACT_MISSING, MISSING
from .models import Company, Contact

LOW_SCORE = 50  # "below this" is the page's "needs work" line


def _list_url(name, **params):
    return f"{reverse(name)}?{urlencode(params)}"


def _missing_rows(user, model, keys, list_name):
    records = permissions.visible(user, model.objects.all())
    rows = [
        {
            "label": MISSING[key][0],
            "count": records.filter(MISSING[key][1]).count(),
            "url": _list_url(list_name, missing=key),
        }
        for key in keys
    ]
    rows.append(
        {
            "label": None,
            "count": records.filter(completeness__lt=LOW_SCORE).count(),
            "url": _list_url(list_name, completeness_below=LOW_SCORE, sort="completeness"),
        }
    )
    return rows


def _averages(user, group_field, names):
    """``[{name, count, average, url}]`` of the visible contacts grouped by ``group_field``,
    lowest average first."""
    contacts = permissions.visible(user, Contact.objects.all())
    found = (
        contacts.order_by()
        .values(group_field)
        .annotate(count=Count("id"), average=Avg("completeness"))
        .order_by("average", group_field)
    )
    rows = []
    for row in found:
        key = row[group_field]
        param = "owner" if group_field == "owner" else "team"
        value = key if key is not None else ("none" if param == "owner" else "")
        rows.append(
            {
                "name": names.get(key),
                "count": row["count"],
                "average": int((row["average"] or 0) + 0.5),  # 12.5 shows as 13
                "url": _list_url("contacts:contact_list", **{param: value, "sort": "completeness"})
                if value != ""
                else None,
            }
        )
    return rows


@login_required
def data_quality(request):
    user = request.user
    if not permissions.can_manage(user, "contacts"):
        raise PermissionDenied
    context = {
        "low_score": LOW_SCORE,
        "contact_rows": _missing_rows(user, Contact, CONTACT_MISSING, "contacts:contact_list"),
        "company_rows": _missing_rows(user, Company, COMPANY_MISSING, "contacts:company_list"),
        "by_owner": _averages(user, "owner", {u.pk: str(u) for u in User.objects.all()}),
        "by_team": _averages(user, "team", {t.pk: str(t) for t in Team.objects.all()}),
    }
    return render(request, "contacts/data_quality.html", context)
