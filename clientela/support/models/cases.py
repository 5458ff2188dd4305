"""Cases (tickets): what a customer asked, who works on it, its conversation and its SLA."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord
from clientela.core.models.records import _choice_labels

from ..choices import ACTIVE_STATUSES, CaseChannel, CasePriority, CaseStatus, MessageKind, SlaState

MAX_SUBJECT = 300
MAX_BODY = 100_000  # characters of one message; longer mail is cut with a note

_ALIVE = Q(deleted_at__isnull=True)


class CaseCategory(models.Model):
    """What a case is about ("Billing", "Returns"...); new cases of a category go to its team."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self):
        return self.name


class Case(CrmRecord):
    """A customer's request and everything done about it. ``owner`` is the assignee. Its number
    is its id, shown as ``#123`` (also in the subject of every e-mail about it)."""

    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    description = models.TextField(_("description"), blank=True, max_length=MAX_BODY)
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("contact"),
    )
    company = models.ForeignKey(
        "contacts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("company"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=CaseChannel.choices, default=CaseChannel.EMAIL
    )
    category = models.ForeignKey(
        CaseCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("category"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    deals = models.ManyToManyField(
        "sales.Deal", blank=True, related_name="cases", verbose_name=_("related deals")
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    # --- the SLA clock (bookkeeping kept by services.sla; not in history) ---
    sla_policy = models.ForeignKey(
        "support.SlaPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("SLA policy"),
    )
    sla_state = models.CharField(
        _("SLA"), max_length=10, choices=SlaState.choices, default=SlaState.NONE
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("working seconds paused"), default=0)
    # The earliest due moment still ahead of the case: what "breaching soon" sorts by.
    next_due = models.DateTimeField(_("next due"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    permission_area = "support"
    history_exclude = (
        *CrmRecord.history_exclude,
        "sla_state",
        "first_response_due",
        "resolution_due",
        "paused_at",
        "paused_seconds",
        "next_due",
        "last_message_at",
        "status_changed_at",
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The queues: newest first. The conditions hold literals only: SQLite cannot match
            # a partial index on ``status IN (...)`` against the bound values of a query, so
            # the active statuses are filtered while walking these (most recent cases are).
            models.Index(fields=["owner", "-id"], condition=_ALIVE, name="case_owner_recent_idx"),
            models.Index(fields=["team", "-id"], condition=_ALIVE, name="case_team_recent_idx"),
            models.Index(
                fields=["-id"], condition=_ALIVE & Q(owner__isnull=True), name="case_nobody_idx"
            ),
            # A due moment is only set on an active case whose clock runs (``services.sla``),
            # so "breaching soon" needs no status test: SQLite cannot match a partial index
            # against ``status IN (?, ?...)`` with bound parameters, only against literals.
            models.Index(
                fields=["next_due", "id"],
                condition=Q(next_due__isnull=False, deleted_at__isnull=True),
                name="case_next_due_idx",
            ),
            # The reports' daily counts (``analytics.rollups``) read one day of each.
            *(
                models.Index(fields=[moment], condition=_ALIVE, name=f"case_{moment}_idx")
                for moment in ("created_at", "first_responded_at", "resolved_at")
            ),
            models.Index(fields=["contact", "-id"], name="case_contact_idx"),
            models.Index(fields=["company", "-id"], name="case_company_idx"),
            models.Index(
                fields=["deleted_at"], condition=Q(deleted_at__isnull=False), name="case_trash_idx"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def reference(self):
        return f"#{self.pk}"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    def sla_breached(self, now):
        """Whether a target is missed (``now``: the moment to judge at)."""
        responded = self.first_responded_at or now
        finished = self.resolved_at or now
        return bool(
            (self.first_response_due and responded > self.first_response_due)
            or (self.resolution_due and finished > self.resolution_due)
        )


class CaseMessage(models.Model):
    """One entry of a case's conversation: the customer's messages, the replies sent to them
    (by e-mail), internal notes (never sent) and automatic messages (acknowledgements)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from contact"),
    )
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    to_addresses = models.JSONField(_("to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT, blank=True)
    body = models.TextField(_("message"), max_length=MAX_BODY)
    # The e-mail it came in as or went out as (threading: replies name it in In-Reply-To).
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True, db_index=True)
    mail = models.ForeignKey(
        "intake.MailMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_messages",
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    send_error = models.CharField(_("sending error"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "id"], name="casemessage_case_idx")]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self):
        return f"{self.case.reference} {self.get_kind_display()}"

    def _get_FIELD_display(self, field):
        # A case page shows the kind of each of up to 500 messages: read a dict built once
        # per field, as ``CrmRecord`` does, not the one Django rebuilds on every call.
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)

    @property
    def is_public(self):
        return self.kind != MessageKind.NOTE


class CaseAttachment(models.Model):
    """A file of a case message (kept where the mail capture keeps attachments, or uploaded).
    One too large to keep is recorded by name and size only."""

    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="support/%Y/%m/", blank=True)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return self.name
