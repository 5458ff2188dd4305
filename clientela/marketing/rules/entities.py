"""The built-in entities: contacts (with their behaviour), companies and deals.

Models are imported inside functions: this module is imported by apps that load before sales,
support or intake are ready.
"""

from decimal import Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, In
from django.utils.translation import gettext_lazy as _

from clientela.core import customfields

from . import builders as b
from . import spain
from .catalogue import (
    AGGREGATE_OPERATORS,
    BOOLEAN,
    CAMPAIGN_PARAM,
    CHOICE,
    DATE,
    DAYS_PARAM,
    FORM_PARAM,
    MONEY,
    NUMBER,
    PARAM_LABELS,
    PRODUCT_PARAM,
    TAG,
    TEAM,
    TEXT,
    USER,
    Entity,
    Field,
    Param,
    register,
)

G_RECORD = _("Record")
G_COMPANY = _("Company")
G_CONSENT = _("Consent")
G_CUSTOM = _("Custom fields")
G_PURCHASES = _("Purchases")
G_CAMPAIGNS = _("Campaigns")
G_ACTIVITY = _("Activity")
G_FORMS = _("Forms")
G_CASES = _("Cases")


# --- choices ------------------------------------------------------------------------------------


def _users():
    from clientela.core.models import User

    return [(u.pk, str(u)) for u in User.objects.order_by("first_name", "last_name", "id")]


def _teams():
    from clientela.core.models import Team

    return [(t.pk, str(t)) for t in Team.objects.order_by("name")]


def _products():
    from clientela.sales.models import Product

    return list(Product.objects.values_list("pk", "name"))


def _campaigns():
    from clientela.marketing.models import Campaign

    return list(Campaign.objects.values_list("pk", "name"))


def _forms():
    from clientela.intake.models import WebForm

    return list(WebForm.objects.values_list("pk", "name"))


def _pipelines():
    from clientela.sales.models import Pipeline

    return list(Pipeline.objects.values_list("pk", "name"))


def _choices_of(model, name):
    return lambda: list(model()._meta.get_field(name).choices)


DAYS = Param(DAYS_PARAM, PARAM_LABELS[DAYS_PARAM])
PRODUCT = Param(PRODUCT_PARAM, PARAM_LABELS[PRODUCT_PARAM], _products)
CAMPAIGN = Param(CAMPAIGN_PARAM, PARAM_LABELS[CAMPAIGN_PARAM], _campaigns)
FORM = Param(FORM_PARAM, PARAM_LABELS[FORM_PARAM], _forms)


# --- fields every record has -------------------------------------------------------------------


def record_fields(model):
    """Owner, team, tags, dates and the custom fields of a ``CrmRecord`` model."""
    return [
        Field("owner", _("Owner"), USER, b.column("owner_id", blank=False), G_RECORD, _users),
        Field("team", _("Team"), TEAM, b.column("team_id", blank=False), G_RECORD, _teams),
        Field("tags", _("Tags"), TAG, b.tags(model()), G_RECORD),
        Field("created_at", _("Created"), DATE, b.column("created_at"), G_RECORD),
        Field("updated_at", _("Updated"), DATE, b.column("updated_at"), G_RECORD),
        *custom_fields(model()),
    ]


def custom_fields(model):
    fields = []
    for definition in customfields.definitions_for(model):
        kind = b.CUSTOM_TYPES.get(definition.field_type)
        if kind is None:
            continue
        options = list(definition.choices or [])
        choices = (lambda o=options: [(c, c) for c in o]) if kind in (CHOICE, TAG) else None
        fields.append(
            Field(
                f"cf.{definition.key}",
                definition.label,
                kind,
                b.custom(definition.key, kind),
                G_CUSTOM,
                choices,
                day_column=True,
            )
        )
    return fields


def address_fields():
    return [
        Field("city", _("City"), TEXT, b.column("city"), G_RECORD),
        Field("postcode", _("Postcode"), TEXT, b.column("postcode"), G_RECORD),
        Field("region", _("Region / province"), TEXT, b.column("region"), G_RECORD),
        Field(
            "community",
            _("Autonomous community"),
            CHOICE,
            _community,
            G_RECORD,
            spain.community_choices,
            operators=("eq", "ne", "in", "not_in"),
        ),
        Field("country", _("Country (ISO code)"), TEXT, b.column("country"), G_RECORD),
    ]


def _community(condition):
    codes = condition.value if isinstance(condition.value, list) else [condition.value]
    q = Q(region__in=spain.region_names(codes))
    return q if condition.operator in ("eq", "in") else ~q


def _expression_choice(expression):
    """A choice field whose value is an SQL expression that is never null."""

    def build(condition):
        op, value = condition.operator, condition.value
        lookup = Exact if op in ("eq", "ne") else In
        q = Q(lookup(expression(), value))
        return q if op in ("eq", "in") else ~q

    return build


# --- contacts -----------------------------------------------------------------------------------


def _contact():
    from clientela.contacts.models import Contact

    return Contact


def _consent_state(purpose):
    from clientela.contacts.models import ConsentRecord

    def expression():
        latest = (
            ConsentRecord.objects.filter(contact=OuterRef("pk"), purpose=purpose)
            .order_by("-id")
            .values("action")[:1]
        )
        return Coalesce(Subquery(latest), Value("none"))

    return expression


CONSENT_STATES = [
    ("grant", _("Granted")),
    ("withdraw", _("Withdrawn")),
    ("none", _("Not recorded")),
]


def consent_fields():
    from clientela.contacts.choices import ConsentPurpose

    fields = [
        Field(
            "consent_status",
            _("Marketing e-mail consent"),
            CHOICE,
            b.column("consent_status", few_values=True),
            G_CONSENT,
            _choices_of(_contact, "consent_status"),
        )
    ]
    for purpose in ConsentPurpose:
        fields.append(
            Field(
                f"consent.{purpose.value}",
                purpose.label,
                CHOICE,
                _expression_choice(_consent_state(purpose.value)),
                G_CONSENT,
                lambda: CONSENT_STATES,
                operators=("eq", "ne", "in", "not_in"),
            )
        )
    return fields


def _purchases(key):
    def rows(condition):
        from clientela.sales.choices import PurchaseStatus
        from clientela.sales.models import Purchase, PurchaseItem

        rows = Purchase.objects.filter(**{f"{key}__isnull": False}, status=PurchaseStatus.COMPLETED)
        rows = b.within_days(rows, "purchased_at", condition)
        product = condition.params.get(PRODUCT_PARAM)
        if product:
            rows = rows.filter(
                Exists(PurchaseItem.objects.filter(purchase=OuterRef("pk"), product_id=product))
            )
        return rows

    return rows


def purchase_fields(key):
    """Over all of a record's purchases, the rules read the totals kept on it
    (``sales.rollups``); over a window or a product, the purchases themselves."""
    rows = _purchases(key)
    return [
        Field(
            "purchases.count",
            _("Number of purchases"),
            NUMBER,
            b.Aggregate(rows, key, Count("*"), zero=0, rollup="purchase_count"),
            G_PURCHASES,
            params=(DAYS, PRODUCT),
            operators=AGGREGATE_OPERATORS,
        ),
        Field(
            "purchases.total",
            _("Amount spent (base currency)"),
            MONEY,
            b.Aggregate(rows, key, Sum("total_base"), zero=Decimal(0), rollup="purchase_total"),
            G_PURCHASES,
            params=(DAYS, PRODUCT),
            operators=AGGREGATE_OPERATORS,
        ),
        Field(
            "purchases.last_date",
            _("Last purchase"),
            DATE,
            b.last_date(rows, key, "purchased_at", rollup="last_purchase_at"),
            G_PURCHASES,
            params=(PRODUCT,),
        ),
    ]


def _recipients(event):
    def rows(condition):
        from clientela.marketing.models import CampaignRecipient

        rows = CampaignRecipient.objects.filter(
            contact__isnull=False, **{f"{event}__isnull": False}
        )
        rows = b.within_days(rows, event, condition)
        campaign = condition.params.get(CAMPAIGN_PARAM)
        return rows.filter(campaign_id=campaign) if campaign else rows

    return rows


def _activities(condition):
    from clientela.activities.models import Activity

    # Planned meetings and calls ahead are not activity yet.
    rows = Activity.objects.filter(contact__isnull=False, timeline_at__lte=condition.now)
    return b.within_days(rows, "timeline_at", condition)


def _submissions(condition):
    from clientela.intake.models import FormSubmission

    rows = b.within_days(
        FormSubmission.objects.filter(contact__isnull=False), "created_at", condition
    )
    form = condition.params.get(FORM_PARAM)
    return rows.filter(form_id=form) if form else rows


def _cases(condition):
    from clientela.support.models import Case

    return b.within_days(Case.objects.filter(contact__isnull=False), "created_at", condition)


def _open_cases(condition):
    from clientela.support.choices import ACTIVE_STATUSES

    return _cases(condition).filter(status__in=ACTIVE_STATUSES)


def _surveys(condition):
    from clientela.support.models import SatisfactionSurvey

    rows = SatisfactionSurvey.objects.filter(
        case__contact__isnull=False, case__deleted_at__isnull=True, score__isnull=False
    )
    return b.within_days(rows, "answered_at", condition)


def behaviour_fields():
    contact = "contact_id"
    return [
        *purchase_fields(contact),
        Field(
            "campaigns.opened",
            _("Opened a campaign e-mail"),
            BOOLEAN,
            b.exists(_recipients("opened_at"), contact),
            G_CAMPAIGNS,
            params=(DAYS, CAMPAIGN),
        ),
        Field(
            "campaigns.clicked",
            _("Clicked a link in a campaign e-mail"),
            BOOLEAN,
            b.exists(_recipients("clicked_at"), contact),
            G_CAMPAIGNS,
            params=(DAYS, CAMPAIGN),
        ),
        Field(
            "activities.last_date",
            _("Last activity"),
            DATE,
            b.last_date(_activities, contact, "timeline_at"),
            G_ACTIVITY,
        ),
        Field(
            "activities.count",
            _("Number of activities"),
            NUMBER,
            b.Aggregate(_activities, contact, Count("*"), zero=0),
            G_ACTIVITY,
            params=(DAYS,),
            operators=AGGREGATE_OPERATORS,
        ),
        Field(
            "forms.submitted",
            _("Submitted a form"),
            BOOLEAN,
            b.exists(_submissions, contact),
            G_FORMS,
            params=(DAYS, FORM),
        ),
        Field(
            "cases.open",
            _("Has an open case"),
            BOOLEAN,
            b.exists(_open_cases, contact),
            G_CASES,
        ),
        Field(
            "cases.count",
            _("Number of cases"),
            NUMBER,
            b.Aggregate(_cases, contact, Count("*"), zero=0),
            G_CASES,
            params=(DAYS,),
            operators=AGGREGATE_OPERATORS,
        ),
        Field(
            "cases.csat",
            _("Average satisfaction score (1-5)"),
            NUMBER,
            b.Aggregate(_surveys, "case__contact_id", Avg("score"), zero=None),
            G_CASES,
            params=(DAYS,),
            operators=AGGREGATE_OPERATORS,
        ),
    ]


def contact_fields():
    emails = _contact_emails
    return [
        Field("first_name", _("First name"), TEXT, b.column("first_name"), G_RECORD),
        Field("last_name", _("First surname"), TEXT, b.column("last_name"), G_RECORD),
        Field("job_title", _("Job title"), TEXT, b.column("job_title"), G_RECORD),
        Field("email", _("E-mail"), TEXT, b.related_text(emails, "contact_id", "email"), G_RECORD),
        Field("has_phone", _("Has a phone"), BOOLEAN, b.column("has_phone"), G_RECORD),
        *address_fields(),
        Field(
            "language",
            _("Preferred language"),
            CHOICE,
            b.column("language", few_values=True),
            G_RECORD,
            _choices_of(_contact, "language"),
        ),
        Field(
            "lifecycle_stage",
            _("Lifecycle stage"),
            CHOICE,
            b.column("lifecycle_stage", few_values=True),
            G_RECORD,
            _choices_of(_contact, "lifecycle_stage"),
        ),
        Field(
            "lead_status",
            _("Lead status"),
            CHOICE,
            b.column("lead_status"),
            G_RECORD,
            _choices_of(_contact, "lead_status"),
        ),
        Field(
            "source",
            _("Source"),
            CHOICE,
            b.column("source"),
            G_RECORD,
            _choices_of(_contact, "source"),
        ),
        Field("completeness", _("Completeness (%)"), NUMBER, b.column("completeness"), G_RECORD),
        *record_fields(_contact),
        Field("company", _("Company name"), TEXT, b.column("company__name"), G_COMPANY),
        Field(
            "company.industry",
            _("Company industry"),
            CHOICE,
            b.column("company__industry"),
            G_COMPANY,
            _choices_of(_company, "industry"),
        ),
        Field(
            "company.size",
            _("Company size"),
            CHOICE,
            b.column("company__size"),
            G_COMPANY,
            _choices_of(_company, "size"),
        ),
        *consent_fields(),
        *behaviour_fields(),
    ]


def _contact_emails():
    from clientela.contacts.models import ContactEmail

    return ContactEmail.objects.all()


# --- companies and deals ------------------------------------------------------------------------


def _company():
    from clientela.contacts.models import Company

    return Company


def company_fields():
    return [
        Field("name", _("Name"), TEXT, b.column("name"), G_RECORD),
        Field("legal_name", _("Legal name"), TEXT, b.column("legal_name"), G_RECORD),
        Field("tax_id", _("Tax id"), TEXT, b.column("tax_id"), G_RECORD),
        Field("domain", _("Domain"), TEXT, b.column("domain"), G_RECORD),
        *address_fields(),
        Field(
            "industry",
            _("Industry"),
            CHOICE,
            b.column("industry"),
            G_RECORD,
            _choices_of(_company, "industry"),
        ),
        Field("size", _("Size"), CHOICE, b.column("size"), G_RECORD, _choices_of(_company, "size")),
        Field("completeness", _("Completeness (%)"), NUMBER, b.column("completeness"), G_RECORD),
        *record_fields(_company),
        *purchase_fields("company_id"),
    ]


def _deal():
    from clientela.sales.models import Deal

    return Deal


def deal_fields():
    return [
        Field("name", _("Name"), TEXT, b.column("name"), G_RECORD),
        Field(
            "status",
            _("Status"),
            CHOICE,
            b.column("status"),
            G_RECORD,
            _choices_of(_deal, "status"),
        ),
        Field(
            "pipeline",
            _("Pipeline"),
            CHOICE,
            b.column("pipeline_id", blank=False),
            G_RECORD,
            _pipelines,
            operators=("eq", "ne", "in", "not_in"),
        ),
        Field("amount", _("Amount (base currency)"), MONEY, b.column("amount_base"), G_RECORD),
        Field(
            "expected_close_date",
            _("Expected close date"),
            DATE,
            b.column("expected_close_date"),
            G_RECORD,
            day_column=True,
        ),
        Field("closed_at", _("Closed"), DATE, b.column("closed_at"), G_RECORD),
        Field(
            "source",
            _("Source"),
            CHOICE,
            b.column("source"),
            G_RECORD,
            _choices_of(_deal, "source"),
        ),
        Field("company", _("Company name"), TEXT, b.column("company__name"), G_COMPANY),
        *record_fields(_deal),
    ]


register(Entity("contact", _("Contacts"), _contact, contact_fields))
register(Entity("company", _("Companies"), _company, company_fields))
register(Entity("deal", _("Deals"), _deal, deal_fields))
