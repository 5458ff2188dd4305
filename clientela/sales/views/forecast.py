"""The forecast and the quota grid."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from clientela.core import permissions
from clientela.core.models import Team, User
from clientela.core.views import records

from .. import forecast, money, services
from ..models import Quota
from .deals import DealMixin


def _year(request):
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else timezone.localdate().year
    return min(max(year, 1970), 2199)


class ForecastView(DealMixin, records.RecordViewMixin, View):
    """Won, commit, best case, weighted pipeline and quota attainment per person and period."""

    def get(self, request):
        self.require_read()
        granularity = "quarter" if request.GET.get("period") == "quarter" else "month"
        year = _year(request)
        teams = list(Team.objects.all())
        team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
        people = forecast.people_for(request.user, team)
        result = forecast.build(self.visible(), people, year, granularity)
        return render(
            request,
            "sales/forecast.html",
            {
                **self.common_context(),
                "forecast": result,
                "year": year,
                "granularity": granularity,
                "teams": teams,
                "team": team,
                "base_currency": money.base_currency(),
                "can_set_quotas": permissions.can_manage(request.user, "sales"),
            },
        )


class QuotaView(DealMixin, records.RecordViewMixin, View):
    """A year of monthly quotas for every active person, edited in one form."""

    def get(self, request):
        return self.page(request, errors={})

    def post(self, request):
        if not permissions.can_manage(request.user, "sales"):
            raise PermissionDenied
        year = _year(request)
        errors = {}
        with transaction.atomic():
            for person in self.people():
                for month in range(1, 13):
                    key = f"q_{person.pk}_{month}"
                    if key not in request.POST:
                        continue
                    try:
                        services.set_quota(
                            actor=request.user,
                            user=person,
                            month=datetime.date(year, month, 1),
                            amount=request.POST[key].strip(),
                        )
                    except ValidationError as error:
                        errors[key] = " ".join(error.messages)
            if errors:
                transaction.set_rollback(True)
        if errors:
            return self.page(request, errors=errors, status=400)
        messages.success(request, _("Quotas for %(year)s saved.") % {"year": year})
        return redirect(f"{reverse('sales:quotas')}?year={year}")

    def people(self):
        return list(User.objects.filter(is_active=True).order_by("first_name", "last_name", "id"))

    def page(self, request, *, errors, status=200):
        if not permissions.can_manage(request.user, "sales"):
            raise PermissionDenied
        year = _year(request)
        stored = {
            (q.user_id, q.month.month): q.amount for q in Quota.objects.filter(month__year=year)
        }
        grid = [
            (
                person,
                [
                    {
                        "name": f"q_{person.pk}_{m}",
                        "value": request.POST.get(
                            f"q_{person.pk}_{m}", stored.get((person.pk, m), "")
                        ),
                        "error": errors.get(f"q_{person.pk}_{m}"),
                        "month": datetime.date(year, m, 1),
                    }
                    for m in range(1, 13)
                ],
            )
            for person in self.people()
        ]
        return render(
            request,
            "sales/quotas.html",
            {
                **self.common_context(),
                "grid": grid,
                "year": year,
                "base_currency": money.base_currency(),
            },
            status=status,
        )
