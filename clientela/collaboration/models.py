"""Comments with mentions, followers and notifications: how people work together on the one
customer record every department shares.

Comments, follows and notifications point at any CRM record through its content type and id
(a contact, a company, a deal, a case, a campaign, a purchase).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Delivery, FeedVerb, FollowReason, NotificationKind, Visibility

MAX_BODY = 10_000


class Comment(models.Model):
    """A comment on a record, written in Markdown and kept with its sanitised HTML. Internal
    unless marked visible to the customer. Edits keep the earlier text (``CommentRevision``);
    a deleted comment keeps its place in the conversation, without its text."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=MAX_BODY)
    body_html = models.TextField(editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["content_type", "object_id", "id"], name="comment_record_idx")
        ]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def record(self):
        """The record commented on (also when it is in the trash)."""
        model = self.content_type.model_class()
        return getattr(model, "all_objects", model._default_manager).get(pk=self.object_id)


class CommentRevision(models.Model):
    """The text a comment had before one of its edits."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=MAX_BODY)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.comment} @ {self.edited_at:%Y-%m-%d %H:%M}"


class Mention(models.Model):
    """A person or a team named in a comment (``@jordi.ferrer``, ``@ventas``)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, null=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True)
                | Q(user__isnull=True, team__isnull=False),
                name="mention_user_or_team",
            )
        ]

    def __str__(self):
        return f"@{self.user or self.team}"


class Follow(models.Model):
    """A person following a record: told about its comments and changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    reason = models.CharField(_("why"), max_length=10, choices=FollowReason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follow_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_record_idx")]

    def __str__(self):
        return f"{self.user} → {self.content_type.model} #{self.object_id}"


class Notification(models.Model):
    """Something a person should know about a record: in the bell until read, and by e-mail
    as their preferences say. ``title`` and ``text`` are written when it is made (the
    record's name then, an excerpt), so the bell reads no record."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.CharField(_("text"), max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True)
    emailed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class NotificationPreference(models.Model):
    """How a person wants to hear of one kind of notification (in the app when not set)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IN_APP)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once")]

    def __str__(self):
        return f"{self.user}: {self.kind} → {self.delivery}"


class Handoff(models.Model):
    """A record handed from one owner or department (team) to another, with a note: the
    trail stays on the record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("new owner"),
    )
    from_team = models.ForeignKey(
        "core.Team", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("new team"),
    )
    note = models.TextField(_("note"), max_length=MAX_BODY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        indexes = [
            models.Index(fields=["content_type", "object_id", "id"], name="handoff_record_idx")
        ]

    def __str__(self):
        return f"{self.from_owner or self.from_team} → {self.to_owner or self.to_team}"


class FeedEntry(models.Model):
    """One thing that happened to a record, for the feeds of those it concerns: its owner and
    team when it happened (``owner``, ``team``), and its followers. Written with the history
    entry it comes from (or the activity, comment, handoff or answer), in the same
    transaction; ``title`` and ``detail`` are the record's name and what changed, so a feed
    page reads no record. ``area`` is the record's permission area, for the reader's access."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    verb = models.CharField(_("what happened"), max_length=10, choices=FeedVerb.choices)
    title = models.CharField(max_length=200)
    # Changed field names, comma-separated, for an update; a short text otherwise.
    detail = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    area = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "core.Team", on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        indexes = [
            models.Index(fields=["owner", "-id"], name="feed_owner_idx"),
            models.Index(fields=["team", "-id"], name="feed_team_idx"),
            models.Index(fields=["content_type", "object_id", "-id"], name="feed_record_idx"),
        ]

    def __str__(self):
        return f"{self.get_verb_display()} {self.title}"

    @property
    def model(self):
        """The record's model (content types are cached: no query)."""
        return ContentType.objects.get_for_id(self.content_type_id).model_class()

    @property
    def record_kind(self):
        return self.model._meta.verbose_name

    @property
    def changed_fields(self):
        """The labels of the fields an update changed, in the reader's language."""
        if self.verb != FeedVerb.UPDATED or not self.detail:
            return []
        return field_labels(self.model, self.detail.split(","))


def field_labels(model, names):
    """The labels of ``model``'s fields called ``names``, in the reader's language."""
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # a custom field ("custom_fields.x"), tags, a removed field
            labels.append(name.removeprefix("custom_fields."))
    return labels


class FollowedEntry(models.Model):
    """A feed entry put in the feed of someone following its record, when it was written (and,
    when they start following, the record's latest entries): the followed part of a person's
    feed is one range of this table's index, whatever they follow."""

    # The unique (user, entry) index is the one a feed page reads, newest entry first.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    entry = models.ForeignKey(FeedEntry, on_delete=models.CASCADE, related_name="deliveries")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "entry"], name="followed_entry_once")
        ]

    def __str__(self):
        return f"{self.user_id} ← {self.entry_id}"


from .models_feedback import Survey, SurveyAnswer, SurveyInvitation  # noqa: E402, F401
