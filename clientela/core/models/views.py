from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Sharing


class SavedViewQuerySet(models.QuerySet):
    def visible_to(self, user, list_name):
        """The views of ``list_name`` ``user`` saved or that were shared with them (with one of
        their teams, or with everyone); their own first."""
        shared = Q(sharing=Sharing.EVERYONE) | Q(sharing=Sharing.TEAM, team__in=user.team_ids())
        return (
            self.filter(Q(user=user) | shared, list_name=list_name)
            .select_related("user", "team")
            .order_by(models.Case(models.When(user=user, then=0), default=1), "name", "id")
        )


class SavedView(models.Model):
    """A named list filter (the list page's query string) a user can come back to, for
    themselves or shared with a team or everyone. A shared view shares the filters, never the
    records: each person sees the records of their own scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(max_length=40)  # e.g. "contacts", "companies"
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    sharing = models.CharField(
        _("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE
    )
    team = models.ForeignKey(
        "core.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"], name="core_savedview_unique_name"
            )
        ]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self):
        return self.name
