"""Assignment rules (who gets a new record, whatever channel brought it), web forms and
webhooks (the doors leads come in by)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import SourceChannel

from .choices import DeliveryStatus, RecordType, Strategy, WebhookKind


class AssignmentRule(models.Model):
    """When a new record matches every condition given (source, territory, a field's value),
    it goes to ``user``, or to a member of ``team`` in turn (round robin) or to the member who
    owns the fewest such records (workload). Rules are tried in ``position`` order; the first
    that matches wins."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    record_type = models.CharField(_("applies to"), max_length=10, choices=RecordType.choices)
    sources = models.JSONField(_("source channels"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    regions = models.JSONField(_("regions / provinces"), default=list, blank=True)
    postcode_prefixes = models.JSONField(_("postcodes starting with"), default=list, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True)
    field_value = models.CharField(_("field value"), max_length=200, blank=True)
    strategy = models.CharField(_("give to"), max_length=12, choices=Strategy.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    # Round robin: who got the last record, so the next goes to the member after them.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["record_type", "position", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self):
        return self.name


class WebForm(models.Model):
    """A form on the business's website (hosted page or embedded snippet) that brings leads.

    ``fields`` lists what it asks, in order: ``{"name": "email", "label": "...", "required":
    true}``; names are contact fields (``first_name``, ``email``, ``phone``, ``company`` (a
    name), ``job_title``, ``city``, ``notes``...) or ``cf_<key>`` custom fields. The consent
    checkbox text is kept per language and versioned by the submission that records it.
    """

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    active = models.BooleanField(_("active"), default=True)
    fields = models.JSONField(_("fields"), default=list)
    consent_text = models.JSONField(_("consent text"), default=dict, blank=True)
    double_opt_in = models.BooleanField(_("confirm consent by e-mail"), default=True)
    success_message = models.CharField(_("thank-you message"), max_length=500, blank=True)
    redirect_url = models.URLField(_("redirect to"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self):
        return self.name

    def consent_in(self, language):
        """The consent text in ``language``, else English, else any; "" when none is set."""
        texts = self.consent_text or {}
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class FormSubmission(models.Model):
    """One submission as it arrived (what was typed, where from) and the contact it made."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        related_name="form_submissions",
    )
    data = models.JSONField(default=dict)
    # UTM parameters, referrer, page, the consent text shown, a hash of the address.
    context = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["form", "-created_at"], name="submission_form_idx")]

    def __str__(self):
        return f"{self.form_id} #{self.pk}"


class Webhook(models.Model):
    """An address another system posts JSON to: a phone system telling of calls, or an ads
    platform (Facebook and Instagram Lead Ads) or any tool sending leads. Each call is signed
    with ``secret`` (HMAC-SHA256 of the body); ``mapping`` says which payload key fills which
    contact field, on top of the usual names."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("receives"), max_length=4, choices=WebhookKind.choices)
    token = models.CharField(max_length=43, unique=True, editable=False)
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source channel"), max_length=20, choices=SourceChannel.choices)
    mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    """One authentic call to a webhook and what came of it, so that errors can be seen and a
    call sent twice (same ``external_id``) is done once."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    external_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    errors = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(default=dict)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-received_at"], name="delivery_webhook_idx"),
            models.Index(fields=["webhook", "external_id"], name="delivery_external_idx"),
        ]
        constraints = [
            # What was done once is not done again, even when two copies arrive together.
            models.UniqueConstraint(
                fields=["webhook", "external_id"],
                condition=models.Q(status="done") & ~models.Q(external_id=""),
                name="delivery_done_once",
            )
        ]

    def __str__(self):
        return f"{self.webhook_id} #{self.pk}"
