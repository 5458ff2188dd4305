"""People and companies: the shared customer record every department works on."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord
from clientela.core.models.fields import SortKeyField
from clientela.core.prefetch import related
from clientela.core.text import sort_key

from .choices import (
    CompanySize,
    ConsentMethod,
    ConsentStatus,
    EmailKind,
    Industry,
    LeadStatus,
    LifecycleStage,
    PhoneKind,
    SourceChannel,
)

ALIVE = Q(deleted_at__isnull=True)


class Address(models.Model):
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    region = models.CharField(_("region / province"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. ES")
    )

    class Meta:
        abstract = True


class SocialProfiles(models.Model):
    """Profiles on the usual networks, stored as canonical ``https://`` addresses
    (``contacts.social`` checks and rewrites what is typed: a full address or ``@handle``)."""

    linkedin = models.CharField(_("LinkedIn"), max_length=300, blank=True)
    x = models.CharField(_("X (Twitter)"), max_length=300, blank=True)
    instagram = models.CharField(_("Instagram"), max_length=300, blank=True)
    facebook = models.CharField(_("Facebook"), max_length=300, blank=True)
    tiktok = models.CharField(_("TikTok"), max_length=300, blank=True)

    class Meta:
        abstract = True


class QualityColumns(models.Model):
    """Derived from the record and its e-mail/phone rows by ``contacts.quality`` whenever
    ``core.records`` writes it (never edited, never in history), so lists can filter and sort
    on them with an index."""

    completeness = models.PositiveSmallIntegerField(
        _("completeness"), default=0, db_default=0, editable=False
    )
    has_phone = models.BooleanField(default=False, db_default=False, editable=False)

    class Meta:
        abstract = True


class PurchaseRollup(models.Model):
    """What the record bought: its completed purchases summed up by ``sales.rollups`` whenever
    one is written (never edited, never in history). Segment rules over a whole purchase
    history read these columns instead of grouping every purchase."""

    purchase_count = models.PositiveIntegerField(
        _("number of purchases"), default=0, db_default=0, editable=False
    )
    purchase_total = models.DecimalField(
        _("amount spent"), max_digits=16, decimal_places=2, default=0, db_default=0, editable=False
    )
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True, editable=False)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, editable=False)

    class Meta:
        abstract = True


ROLLUP_COLUMNS = ("purchase_count", "purchase_total", "first_purchase_at", "last_purchase_at")
DERIVED_COLUMNS = ("completeness", "has_phone", "has_email", *ROLLUP_COLUMNS)


def _missing_index(name, condition, fields=("sort_name", "id")):
    """A list page of records lacking something, in name order, is one range read of this."""
    return models.Index(fields=list(fields), condition=ALIVE & condition, name=name)


class Company(CrmRecord, Address, SocialProfiles, QualityColumns, PurchaseRollup):
    """An organisation: a customer, a prospect, a partner."""

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    tax_id = models.CharField(
        _("tax id"), max_length=20, blank=True, help_text=_("Spanish NIF/CIF/NIE or EU VAT number")
    )
    domain = models.CharField(_("domain"), max_length=200, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    sort_name = SortKeyField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["sort_name", "id"], condition=ALIVE, name="company_sort_idx"),
            models.Index(
                fields=["-created_at", "-id"], condition=ALIVE, name="company_created_idx"
            ),
            models.Index(
                fields=["owner", "sort_name", "id"], condition=ALIVE, name="company_owner_idx"
            ),
            models.Index(fields=["tax_id"], name="company_tax_id_idx"),
            models.Index(fields=["domain"], name="company_domain_idx"),
            models.Index(fields=["deleted_at"], condition=~ALIVE, name="company_trash_idx"),
            _missing_index("company_no_phone_idx", Q(has_phone=False)),
            models.Index(
                fields=["completeness", "sort_name", "id"],
                condition=ALIVE,
                name="company_completeness_idx",
            ),
        ]

    permission_area = "contacts"
    history_exclude = (*CrmRecord.history_exclude, *DERIVED_COLUMNS)

    def __str__(self):
        return self.name

    def history_extra(self):
        if not self.pk:
            return {}
        return {"phones": _phone_values(CompanyPhone.objects.filter(company_id=self.pk))}

    def refresh_sort_name(self):
        self.sort_name = sort_key(self.name, self._meta.get_field("sort_name").max_length)


class Contact(CrmRecord, Address, SocialProfiles, QualityColumns, PurchaseRollup):
    """A person. Spanish names have two surnames: ``last_name`` (first surname) and
    ``second_last_name``; lists sort by surnames then first name."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("first surname"), max_length=100, blank=True)
    second_last_name = models.CharField(_("second surname"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("company"),
    )
    language = models.CharField(
        _("preferred language"),
        max_length=5,
        blank=True,
        choices=[("es", _("Spanish")), ("ca", _("Catalan")), ("en", _("English"))],
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    lead_status = models.CharField(
        _("lead status"), max_length=20, choices=LeadStatus.choices, blank=True
    )
    source = models.CharField(
        _("source"), max_length=20, choices=SourceChannel.choices, default=SourceChannel.MANUAL
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    consent_status = models.CharField(
        _("marketing consent"),
        max_length=12,
        choices=ConsentStatus.choices,
        default=ConsentStatus.UNKNOWN,
    )
    consent_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    consent_method = models.CharField(
        _("consent method"), max_length=20, choices=ConsentMethod.choices, blank=True
    )
    consent_proof = models.TextField(
        _("consent proof"),
        blank=True,
        max_length=4000,
        help_text=_("What the person agreed to, and where."),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    website = models.CharField(_("website"), max_length=300, blank=True)
    has_email = models.BooleanField(default=False, db_default=False, editable=False)
    sort_name = SortKeyField(max_length=320, editable=False)
    # Set by an erasure: the personal data are gone, the record stays for the figures.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["sort_name", "id"], condition=ALIVE, name="contact_sort_idx"),
            models.Index(
                fields=["-created_at", "-id"], condition=ALIVE, name="contact_created_idx"
            ),
            models.Index(
                fields=["-updated_at", "-id"], condition=ALIVE, name="contact_updated_idx"
            ),
            models.Index(
                fields=["owner", "sort_name", "id"], condition=ALIVE, name="contact_owner_idx"
            ),
            models.Index(
                fields=["team", "sort_name", "id"], condition=ALIVE, name="contact_team_idx"
            ),
            models.Index(
                fields=["lifecycle_stage", "sort_name", "id"],
                condition=ALIVE,
                name="contact_stage_idx",
            ),
            models.Index(fields=["deleted_at"], condition=~ALIVE, name="contact_trash_idx"),
            _missing_index("contact_no_email_idx", Q(has_email=False)),
            _missing_index("contact_no_phone_idx", Q(has_phone=False)),
            # "No company" is this index's range of company_id NULL, in name order (the plain
            # foreign key index would need a sort of every such contact); "contacts of a
            # company" read it too.
            models.Index(
                fields=["company", "sort_name", "id"],
                condition=ALIVE,
                name="contact_company_sort_idx",
            ),
            models.Index(
                fields=["completeness", "sort_name", "id"],
                condition=ALIVE,
                name="contact_completeness_idx",
            ),
            # The quality page's averages by owner and by team read only these indexes
            # (``deleted_at`` is a column too: SQLite counts an index as covering only when it
            # holds every column the query names, its own condition's included).
            models.Index(
                fields=["owner", "completeness", "deleted_at"],
                condition=ALIVE,
                name="contact_owner_quality_idx",
            ),
            models.Index(
                fields=["team", "completeness", "deleted_at"],
                condition=ALIVE,
                name="contact_team_quality_idx",
            ),
        ]

    permission_area = "contacts"
    history_exclude = (*CrmRecord.history_exclude, *DERIVED_COLUMNS)

    def __str__(self):
        return self.full_name or str(_("(no name)"))

    def history_extra(self):
        """E-mails and phones as history sees them: ``"ana@x.es (work)"``, primary first, read
        from the database (not a prefetched cache, which a service may have made stale)."""
        if not self.pk:
            return {}
        emails = ContactEmail.objects.filter(contact_id=self.pk).values_list("email", "kind")
        return {
            "emails": [f"{email} ({kind})" for email, kind in emails],
            "phones": _phone_values(ContactPhone.objects.filter(contact_id=self.pk)),
        }

    @property
    def surnames(self):
        return " ".join(p for p in (self.last_name, self.second_last_name) if p)

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.surnames) if p)

    def refresh_sort_name(self):
        """Surnames, then first name: first surname, second surname and first name are compared
        one after the other (a tab, below any letter, separates them), so "García, Zoe" comes
        before "García López, Ana". People with no surname sort by their first name."""
        parts = [self.last_name, self.second_last_name] if self.surnames else []
        key = "\t".join(sort_key(p) for p in [*parts, self.first_name])
        self.sort_name = key[: self._meta.get_field("sort_name").max_length]

    @property
    def primary_email(self):
        """The primary address, else the first one, else ``""`` (uses a prefetch of
        ``emails`` when there is one, so lists cost no query per row)."""
        return _primary(related(self, "emails"), "email")

    @property
    def primary_phone(self):
        return _primary(related(self, "phones"), "number")

    @property
    def has_marketing_consent(self):
        return self.consent_status == ConsentStatus.GRANTED


def _primary(items, attribute):
    items = list(items)
    chosen = next((i for i in items if i.is_primary), items[0] if items else None)
    return getattr(chosen, attribute) if chosen else ""


def _phone_values(queryset):
    return [f"{number} ({kind})" for number, kind in queryset.values_list("number", "kind")]


class ContactEmail(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(_("e-mail"), max_length=254)
    kind = models.CharField(
        _("kind"), max_length=10, choices=EmailKind.choices, default=EmailKind.WORK
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["email"], name="contactemail_email_idx")]

    def __str__(self):
        return self.email


class PhoneNumber(models.Model):
    number = models.CharField(_("phone"), max_length=20, help_text=_("E.164, e.g. +34600123456"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=PhoneKind.choices, default=PhoneKind.MOBILE
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        abstract = True
        ordering = ["-is_primary", "id"]

    def __str__(self):
        return self.number


class ContactPhone(PhoneNumber):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")

    class Meta(PhoneNumber.Meta):
        indexes = [models.Index(fields=["number"], name="contactphone_number_idx")]


class CompanyPhone(PhoneNumber):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="phones")

    class Meta(PhoneNumber.Meta):
        indexes = [models.Index(fields=["number"], name="companyphone_number_idx")]


class Employment(models.Model):
    """A contact's link to a company, current or past, with their role there."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="employments")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="employments")
    role = models.CharField(_("role"), max_length=150, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-is_current", "-started_on", "id"]
        verbose_name = _("company link")
        verbose_name_plural = _("company links")

    def __str__(self):
        return f"{self.contact} @ {self.company}"


class DuplicateDismissal(models.Model):
    """A pair of contacts (or companies) someone reviewed and said are not duplicates: the scan
    never shows it again. Ids are stored lowest first, as plain numbers (a merge or a purge of
    one of them leaves nothing to clean up)."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("contact")
        COMPANY = "company", _("company")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    low_id = models.BigIntegerField()
    high_id = models.BigIntegerField()
    dismissed_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "low_id", "high_id"], name="duplicate_dismissal_unique"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.low_id} / {self.high_id}"

    @classmethod
    def dismissed_keys(cls, kind):
        return set(cls.objects.filter(kind=kind).values_list("low_id", "high_id"))


class DuplicateCandidate(models.Model):
    """A pair of contacts (or companies) the duplicate scan found probably the same: the review
    queue reads these rows instead of recomputing them. Ids are stored lowest first, as plain
    numbers like ``DuplicateDismissal``; ``reasons`` holds codes (``duplicates.REASONS``), shown
    in the reader's language. The nightly scan replaces the open pairs, a contact's create or
    update re-checks its own, a dismissal or a merge closes the pair."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        DISMISSED = "dismissed", _("dismissed")
        MERGED = "merged", _("merged")

    kind = models.CharField(max_length=10, choices=DuplicateDismissal.Kind.choices)
    low_id = models.BigIntegerField()
    high_id = models.BigIntegerField()
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    found_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "low_id", "high_id"], name="duplicate_candidate_unique"
            )
        ]
        indexes = [
            # The queue: best first, keyset on (score, low, high).
            models.Index(
                "kind",
                "state",
                models.F("score").desc(),
                "low_id",
                "high_id",
                name="duplicate_queue_idx",
            ),
            models.Index(fields=["kind", "high_id"], name="duplicate_candidate_high_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.low_id} / {self.high_id} ({self.score})"


# The consent log, privacy requests and retention rules live in their own module.
from .models_privacy import (  # noqa: E402, F401
    ConsentRecord,
    ConsentText,
    PrivacyRequest,
    RetentionRule,
)
