"""Segments: a saved rule tree over contacts (dynamic), or a hand-kept list (static)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord

from ..choices import SegmentEntity, SegmentKind


class Segment(CrmRecord):
    """Who a campaign, a report or a workflow rule is about. A dynamic segment is its
    ``rules`` (``marketing.rules``), evaluated when it is used, so it always holds whoever
    matches now; a static one is its members, added by hand or frozen from a dynamic one.
    ``cached_count``/``counted_at`` keep the last count for lists (never used to decide who
    gets anything)."""

    permission_area = "marketing"
    search_indexed = False
    history_exclude = (*CrmRecord.history_exclude, "cached_count", "counted_at")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    kind = models.CharField(
        _("type"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC
    )
    entity = models.CharField(
        _("records"), max_length=20, choices=SegmentEntity.choices, default=SegmentEntity.CONTACT
    )
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    cached_count = models.PositiveIntegerField(_("count"), null=True, blank=True, editable=False)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [
            models.Index(
                fields=["name", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="segment_name_idx",
            ),
            models.Index(
                fields=["deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="segment_trash_idx",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_static(self):
        return self.kind == SegmentKind.STATIC


class SegmentMember(models.Model):
    """A contact on a static segment."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="segment_memberships"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "contact"], name="segment_member_once")
        ]
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")

    def __str__(self):
        return f"{self.segment_id}: {self.contact_id}"
