"""The base every CRM record stands on: timestamps, version (ETag), soft delete, owner and team,
tags and custom field values.

Domain models inherit ``CrmRecord``; services in each app write them through
``clientela.core.records`` so that history, search and events follow every change.
"""

from functools import cache

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    """A free label shared across record types."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#64748b")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class AliveQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(AliveQuerySet)):
    """Default manager: records in the trash are invisible unless asked for."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class CrmRecord(models.Model):
    """Abstract base of tracked, owned, taggable, soft-deletable records."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="+", verbose_name=_("tags"))
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = AliveManager()
    all_objects = AliveQuerySet.as_manager()

    # False for models that are not in the global search (``core.search.is_indexed``).
    search_indexed = True
    # Fields left out of history diffs (bookkeeping, not user data).
    history_exclude = ("created_at", "updated_at", "version", "deleted_at")

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    def _get_FIELD_display(self, field):
        # Django rebuilds a dict of the field's choices on every call (25 µs); a list page calls
        # ``get_<field>_display`` for every row and column, so read a dict built once per field.
        value = getattr(self, field.attname)
        label = _choice_labels(field).get(make_hashable(value), value)
        return force_str(label, strings_only=True)

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def etag(self):
        return f'"{self.pk}-{self.version}"'


@cache
def _choice_labels(field):
    """Value -> (lazy) label of a field with choices; translated when displayed."""
    return dict(make_hashable(field.flatchoices))
