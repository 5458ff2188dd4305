"""The main menu. Apps add their entries here as they join (sales, support, marketing...)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    area: str

    def url(self):
        return reverse(self.url_name)


MENU = [
    NavItem(_("Contacts"), "contacts:contact_list", "contacts"),
    NavItem(_("Companies"), "contacts:company_list", "contacts"),
    NavItem(_("Deals"), "sales:deal_list", "sales"),
    NavItem(_("Cases"), "support:case_list", "support"),
    NavItem(_("My day"), "activities:today", "activities"),
    NavItem(_("Calendar"), "activities:calendar", "activities"),
    NavItem(_("Trash"), "contacts:trash", "contacts"),
]


def navigation_for(request):
    user = request.user
    items = []
    for item in MENU:
        if permissions.can_read(user, item.area):
            items.append(
                {
                    "label": item.label,
                    "url": item.url(),
                    "active": request.path.startswith(item.url()),
                }
            )
    return items
