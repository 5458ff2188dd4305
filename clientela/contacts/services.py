"""Every write to companies and contacts goes through these functions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import customfields, records, search
from clientela.core.models import Tag
from clientela.core.validators import normalize_email, normalize_phone, normalize_tax_id

from .models import Company, CompanyPhone, Contact, ContactEmail, ContactPhone, Employment

COMPANY_FIELDS = {
    "name",
    "legal_name",
    "tax_id",
    "domain",
    "website",
    "industry",
    "size",
    "description",
    "street",
    "city",
    "postcode",
    "region",
    "country",
    "owner",
    "team",
}
CONTACT_FIELDS = {
    "first_name",
    "last_name",
    "second_last_name",
    "job_title",
    "company",
    "language",
    "lifecycle_stage",
    "lead_status",
    "source",
    "source_detail",
    "consent_status",
    "consent_at",
    "consent_method",
    "consent_proof",
    "notes",
    "street",
    "city",
    "postcode",
    "region",
    "country",
    "owner",
    "team",
}


# --- companies ----------------------------------------------------------------------------------


@transaction.atomic
def create_company(*, actor, tags=(), phones=(), custom_fields=None, **fields):
    """Create a company. ``phones`` are strings or ``{"number", "kind", "is_primary"}``."""
    company = Company(**_check_fields(fields, COMPANY_FIELDS))
    _clean_company(company)
    company.custom_fields = customfields.clean_values(Company, custom_fields or {})
    phone_rows = _clean_phones(phones, company.country)
    with records.track_create(company, actor=actor):
        company.save()
        _set_phones(company, CompanyPhone, phone_rows)
        company.tags.set(resolve_tags(tags))
    return company


@transaction.atomic
def update_company(
    company, *, actor, expected_version=None, tags=None, phones=None, custom_fields=None, **fields
):
    """Change a company; ``None`` leaves tags/phones/custom fields as they are."""
    company = Company.all_objects.select_for_update().get(pk=company.pk)
    old_name = company.name
    with records.track_update(company, actor=actor, expected_version=expected_version) as change:
        for name, value in _check_fields(fields, COMPANY_FIELDS).items():
            setattr(company, name, value)
        _clean_company(company)
        if custom_fields is not None:
            company.custom_fields = customfields.clean_values(
                Company, custom_fields, current=company.custom_fields
            )
        company.save()
        if phones is not None:
            _set_phones(company, CompanyPhone, _clean_phones(phones, company.country))
        if tags is not None:
            company.tags.set(resolve_tags(tags))
    if change.changes and company.name != old_name:
        # Contacts are found by their company's name too.
        search.index_records(
            Contact.objects.filter(company=company)
            .select_related("company")
            .prefetch_related("emails", "phones")
        )
    return company


def _clean_company(company):
    errors = {}
    company.name = company.name.strip()
    if not company.name:
        errors["name"] = [_("This field is required.")]
    try:
        company.tax_id = normalize_tax_id(company.tax_id)
    except ValidationError as error:
        errors["tax_id"] = error.messages
    company.domain = company.domain.strip().lower().removeprefix("www.")
    company.country = company.country.strip().upper()
    _full_clean(company, errors)
    company.refresh_sort_name()


# --- contacts -----------------------------------------------------------------------------------


@transaction.atomic
def create_contact(*, actor, emails=(), phones=(), tags=(), custom_fields=None, **fields):
    """Create a contact. ``emails``/``phones`` are strings or dicts with kind and is_primary."""
    contact = Contact(**_check_fields(fields, CONTACT_FIELDS))
    _clean_contact(contact)
    contact.custom_fields = customfields.clean_values(Contact, custom_fields or {})
    email_rows = _clean_emails(emails)
    phone_rows = _clean_phones(phones, contact.country)
    with records.track_create(contact, actor=actor):
        contact.save()
        _set_emails(contact, email_rows)
        _set_phones(contact, ContactPhone, phone_rows)
        contact.tags.set(resolve_tags(tags))
        if contact.company_id:
            Employment.objects.create(
                contact=contact,
                company=contact.company,
                role=contact.job_title,
                started_on=timezone.localdate(),
            )
    return contact


@transaction.atomic
def update_contact(
    contact,
    *,
    actor,
    expected_version=None,
    emails=None,
    phones=None,
    tags=None,
    custom_fields=None,
    **fields,
):
    """Change a contact; ``None`` leaves e-mails/phones/tags/custom fields as they are.

    Moving the contact to another company ends the current company link (kept as a past link)
    and starts a new one.
    """
    contact = Contact.all_objects.select_for_update().get(pk=contact.pk)
    old_company_id = contact.company_id
    with records.track_update(contact, actor=actor, expected_version=expected_version):
        for name, value in _check_fields(fields, CONTACT_FIELDS).items():
            setattr(contact, name, value)
        _clean_contact(contact)
        if custom_fields is not None:
            contact.custom_fields = customfields.clean_values(
                Contact, custom_fields, current=contact.custom_fields
            )
        if emails is not None:
            email_rows = _clean_emails(emails)
        if phones is not None:
            phone_rows = _clean_phones(phones, contact.country)
        contact.save()
        if emails is not None:
            _set_emails(contact, email_rows)
        if phones is not None:
            _set_phones(contact, ContactPhone, phone_rows)
        if tags is not None:
            contact.tags.set(resolve_tags(tags))
        if contact.company_id != old_company_id:
            _move_employment(contact, old_company_id)
    return contact


def _move_employment(contact, old_company_id):
    today = timezone.localdate()
    if old_company_id:
        Employment.objects.filter(
            contact=contact, company_id=old_company_id, is_current=True
        ).update(is_current=False, ended_on=today)
    if contact.company_id:
        Employment.objects.update_or_create(
            contact=contact,
            company_id=contact.company_id,
            is_current=True,
            defaults={"role": contact.job_title, "started_on": today},
        )


@transaction.atomic
def add_company_link(
    contact, company, *, actor, role="", is_current=False, started_on=None, ended_on=None
):
    """Record a (usually past) link between a contact and a company."""
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": [_("The end date is before the start date.")]})
    with records.track_update(contact, actor=actor):
        link = Employment.objects.create(
            contact=contact,
            company=company,
            role=role[:150],
            is_current=is_current,
            started_on=started_on,
            ended_on=ended_on,
        )
    return link


def _clean_contact(contact):
    errors = {}
    for name in ("first_name", "last_name", "second_last_name", "job_title"):
        setattr(contact, name, getattr(contact, name).strip())
    if not (contact.first_name or contact.last_name):
        errors["first_name"] = [_("Enter a first name or a surname.")]
    contact.country = contact.country.strip().upper()
    if contact.consent_status in ("granted", "withdrawn", "denied") and not contact.consent_at:
        contact.consent_at = timezone.now()
    _full_clean(contact, errors)
    contact.refresh_sort_name()


def _clean_emails(emails):
    rows, seen, errors = [], set(), []
    for item in emails:
        item = {"email": item} if isinstance(item, str) else dict(item)
        try:
            address = normalize_email(item.get("email", ""))
        except ValidationError as error:
            errors.append(f"{str(item.get('email', ''))[:100]}: {error.messages[0]}")
            continue
        if address in seen:
            continue
        seen.add(address)
        rows.append(
            {
                "email": address,
                "kind": item.get("kind") or "work",
                "is_primary": bool(item.get("is_primary")),
            }
        )
    if errors:
        raise ValidationError({"emails": errors})
    return _one_primary(rows)


def _clean_phones(phones, country):
    rows, seen, errors = [], set(), []
    for item in phones:
        item = {"number": item} if isinstance(item, str) else dict(item)
        try:
            number = normalize_phone(item.get("number", ""), country or None)
        except ValidationError as error:
            errors.append(f"{str(item.get('number', ''))[:40]}: {error.messages[0]}")
            continue
        if number in seen:
            continue
        seen.add(number)
        rows.append(
            {
                "number": number,
                "kind": item.get("kind") or "mobile",
                "is_primary": bool(item.get("is_primary")),
            }
        )
    if errors:
        raise ValidationError({"phones": errors})
    return _one_primary(rows)


def _one_primary(rows):
    if rows and not any(r["is_primary"] for r in rows):
        rows[0]["is_primary"] = True
    first = True
    for row in rows:
        row["is_primary"] = row["is_primary"] and first
        first = first and not row["is_primary"]
    return rows


def _set_emails(contact, rows):
    contact.emails.all().delete()
    ContactEmail.objects.bulk_create([ContactEmail(contact=contact, **row) for row in rows])


def _set_phones(owner, model, rows):
    owner.phones.all().delete()
    parent = "company" if model is CompanyPhone else "contact"
    model.objects.bulk_create([model(**{parent: owner}, **row) for row in rows])


# --- shared -------------------------------------------------------------------------------------


def resolve_tags(names):
    """Tag objects for the given names (or Tag instances), creating missing tags."""
    tags = []
    for item in names:
        if isinstance(item, Tag):
            tags.append(item)
            continue
        name = str(item).strip()[:50]
        if name:
            tags.append(Tag.objects.get_or_create(name=name)[0])
    return tags


def _check_fields(fields, allowed):
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return fields


def _full_clean(record, errors):
    try:
        record.full_clean(
            exclude=["sort_name", "owner", "team", "company", "tags"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def delete_records(items, *, actor):
    """Move companies or contacts to the trash."""
    return records.soft_delete(items, actor=actor)


@transaction.atomic
def restore_records(items, *, actor):
    return records.restore(items, actor=actor)


@transaction.atomic
def purge_records(items, *, actor):
    """Delete trashed records for good (from the trash page or the retention job)."""
    return records.purge(items, actor=actor)


@transaction.atomic
def assign_records(items, *, actor, owner=None, team=None, set_owner=True, set_team=False):
    """Bulk-assign an owner and/or a team."""
    values = {}
    if set_owner:
        values["owner"] = owner
    if set_team:
        values["team"] = team
    return records.bulk_set(items, actor=actor, **values) if values else []


@transaction.atomic
def tag_records(items, *, actor, add=(), remove=()):
    return records.bulk_tag(items, actor=actor, add=resolve_tags(add), remove=resolve_tags(remove))
