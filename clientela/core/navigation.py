"""The main menu. Apps add their entries here as they join (sales, support, marketing...).

A section (marketing, automation) is one entry of the main menu, leading to its first page the
user may open; inside it, its pages are a second row of links."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    area: str
    write: bool = False  # shown only to those who may change the area (settings-like pages)

    def url(self):
        return reverse(self.url_name)

    def allowed(self, user):
        return (permissions.can_write if self.write else permissions.can_read)(user, self.area)


@dataclass(frozen=True)
class NavSection:
    label: str
    prefix: str  # the section's pages are under this path
    items: tuple


MENU = [
    NavItem(_("Contacts"), "contacts:contact_list", "contacts"),
    NavItem(_("Companies"), "contacts:company_list", "contacts"),
    NavItem(_("Deals"), "sales:deal_list", "sales"),
    NavItem(_("Cases"), "support:case_list", "support"),
    NavSection(
        _("Marketing"),
        "/marketing/",
        (
            NavItem(_("Campaigns"), "marketing:campaign_list", "marketing"),
            NavItem(_("Segments"), "marketing:segment_list", "marketing"),
            NavItem(_("Sequences"), "marketing:sequence_list", "marketing"),
            NavItem(_("E-mail templates"), "marketing:template_list", "marketing"),
            NavItem(_("Loyalty"), "marketing:loyalty_members", "marketing"),
            NavItem(_("Suppressed addresses"), "marketing:suppression_list", "marketing"),
        ),
    ),
    NavItem(_("My day"), "activities:today", "activities"),
    NavItem(_("Feed"), "collaboration:feed", "contacts"),
    NavItem(_("Feedback"), "feedback:feedback", "contacts"),
    NavItem(_("Reports"), "analytics:report_list", "contacts"),
    NavItem(_("Calendar"), "activities:calendar", "activities"),
    NavItem(_("Trash"), "contacts:trash", "contacts"),
    NavSection(
        _("Automation"),
        "/automation/",
        (
            NavItem(_("Workflow rules"), "automation:rule_list", "automation", write=True),
            NavItem(_("Outgoing webhooks"), "automation:webhook_list", "automation", write=True),
        ),
    ),
]


def navigation_for(request):
    """``[{"label", "url", "active", "children"}]``: the main menu as the user may see it;
    ``children`` are a section's pages (empty for a plain entry)."""
    user, path = request.user, request.path
    items = []
    for entry in MENU:
        if isinstance(entry, NavSection):
            children = [_link(item, path) for item in entry.items if item.allowed(user)]
            if children:
                active = path.startswith(entry.prefix)
                items.append(
                    {
                        "label": entry.label,
                        "url": children[0]["url"],
                        "active": active,
                        "children": children,
                    }
                )
        elif entry.allowed(user):
            items.append({**_link(entry, path), "children": []})
    return items


def _link(item, path):
    url = item.url()
    return {"label": item.label, "url": url, "active": path.startswith(url)}
