"""Hand-built data for the rule tests: a few contacts with known purchases, e-mails opened,
activities, form submissions, cases and consents, at times relative to ``NOW``."""

import datetime
from decimal import Decimal
from itertools import count

from django.contrib.contenttypes.models import ContentType

from clientela.activities.models import Activity
from clientela.contacts.models import ConsentRecord, Contact, ContactEmail
from clientela.core.models import CustomField, Tag
from clientela.intake.models import FormSubmission, WebForm
from clientela.marketing.models import Campaign, CampaignRecipient
from clientela.sales import rollups
from clientela.sales.models import Product, Purchase, PurchaseItem, TaxRate
from clientela.support.models import Case, SatisfactionSurvey

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
_numbers = count(1)


def ago(days, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


def contact(first_name, **fields):
    tags = fields.pop("tags", ())
    emails = fields.pop("emails", ())
    person = Contact.objects.create(first_name=first_name, **fields)
    for name in tags:
        person.tags.add(Tag.objects.get_or_create(name=name)[0])
    for address in emails:
        ContactEmail.objects.create(contact=person, email=address, is_primary=True)
    return person


def purchase(person, days_ago, total, *, status="completed", product=None, deleted=False):
    row = Purchase.objects.create(
        number=f"T-{next(_numbers)}",
        contact=person,
        purchased_at=ago(days_ago),
        channel="store",
        status=status,
        total_amount=Decimal(total),
        total_base=Decimal(total),
        deleted_at=NOW if deleted else None,
    )
    if product is not None:
        PurchaseItem.objects.create(
            purchase=row, product=product, description=product.name, quantity=1, unit_price=1
        )
    rollups.refresh(Contact, [person.pk])  # as the purchase services do
    return row


def product(name):
    rate = TaxRate.objects.first() or TaxRate.objects.create(name="IVA", rate=Decimal("21"))
    return Product.objects.create(
        sku=name.lower(), name=name, unit_price=Decimal(10), tax_rate=rate
    )


def opened(person, campaign, days_ago, *, clicked=False):
    return CampaignRecipient.objects.create(
        campaign=campaign,
        contact=person,
        email=f"{person.first_name}@example.com",
        opened_at=ago(days_ago),
        clicked_at=ago(days_ago) if clicked else None,
    )


def campaign(name):
    return Campaign.objects.create(name=name)


def activity(person, days_ago, *, deleted=False):
    return Activity.objects.create(
        kind="call", contact=person, timeline_at=ago(days_ago), deleted_at=NOW if deleted else None
    )


def web_form(name):
    return WebForm.objects.create(name=name, slug=name.lower())


def submission(person, form, days_ago):
    row = FormSubmission.objects.create(form=form, contact=person, data={})
    FormSubmission.objects.filter(pk=row.pk).update(created_at=ago(days_ago))
    return row


def case(person, days_ago, *, status="open", score=None):
    row = Case.objects.create(subject="Help", contact=person, status=status)
    Case.all_objects.filter(pk=row.pk).update(created_at=ago(days_ago))
    if score is not None:
        SatisfactionSurvey.objects.create(
            case=row, created_at=ago(days_ago), answered_at=ago(days_ago), score=score
        )
    return row


def consent(person, purpose, action):
    return ConsentRecord.objects.create(
        contact=person, purpose=purpose, action=action, recorded_at=NOW, source="ui"
    )


def custom_field(key, field_type, **extra):
    return CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key=key,
        label=key.title(),
        field_type=field_type,
        **extra,
    )
