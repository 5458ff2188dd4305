"""Every write to companies and contacts goes through these functions."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import customfields, records, search
from clientela.core import services as core_services
from clientela.core.choices import ChangeAction, ChangeSource
from clientela.core.context import change_context
from clientela.core.history import record_change
from clientela.core.services import (  # noqa: F401  (trash and bulk actions of contacts and companies)
    assign_records,
    delete_records,
    resolve_tags,
    restore_records,
    tag_records,
)
from clientela.core.validators import normalize_email, normalize_phone, normalize_tax_id

from . import duplicates, quality, social
from .choices import LifecycleStage
from .models import (
    Company,
    CompanyPhone,
    Contact,
    ContactEmail,
    ContactPhone,
    DuplicateCandidate,
    DuplicateDismissal,
    Employment,
)

# The editable fields, in display order; forms and API serializers use these same lists.
COMPANY_FIELDS = (
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
    "linkedin",
    "x",
    "instagram",
    "facebook",
    "tiktok",
    "owner",
    "team",
)
CONTACT_FIELDS = (
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
    *social.PROFILE_FIELDS,
    "owner",
    "team",
)


# Blank-able text columns: ``None`` from an API client or an import means "".
_TEXT_FIELDS = {
    f.name
    for model in (Company, Contact)
    for f in model._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField) and not f.null
}

# What the duplicate check compares: changing one of these re-checks the record's pairs.
MATCHED_CONTACT_FIELDS = {"first_name", "last_name", "second_last_name", "company"}
MATCHED_COMPANY_FIELDS = {"name", "tax_id", "domain"}

# --- companies ----------------------------------------------------------------------------------


@transaction.atomic
def create_company(*, actor, tags=(), phones=(), custom_fields=None, **fields):
    """Create a company. ``phones`` are strings or ``{"number", "kind", "is_primary"}``."""
    company = Company(**_check_fields(fields, COMPANY_FIELDS))
    _clean_company(company)
    company.custom_fields = customfields.clean_values(Company, custom_fields or {})
    phone_rows = _clean_phones(phones, company.country)
    tag_objects = resolve_tags(tags)
    with records.track_create(company, actor=actor):
        company.save()
        _set_phones(company, CompanyPhone, phone_rows, new=True)
        if tag_objects:
            company.tags.add(*tag_objects)
    duplicates.refresh_pairs_of(company, new=True)
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
    if phones is not None or MATCHED_COMPANY_FIELDS & fields.keys():
        duplicates.refresh_pairs_of(company)
    if change.changes and company.name != old_name:
        # Contacts are found by their company's name too; index_records reads them in batches.
        search.index_records(Contact.objects.filter(company=company).order_by("pk"))
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
    _clean_profiles(company, errors, company=True)
    _full_clean(company, errors)
    company.refresh_sort_name()


# --- contacts -----------------------------------------------------------------------------------


@transaction.atomic
def create_contact(*, actor, emails=(), phones=(), tags=(), custom_fields=None, **fields):
    """Create a contact. ``emails``/``phones`` are strings or dicts with kind and is_primary."""
    contact = Contact(**_check_contact_fields(fields))
    _clean_contact(contact)
    contact.custom_fields = customfields.clean_values(Contact, custom_fields or {})
    email_rows = _clean_emails(emails)
    phone_rows = _clean_phones(phones, contact.country)
    tag_objects = resolve_tags(tags)
    with records.track_create(contact, actor=actor, tags=tag_objects):
        contact.save()
        _set_emails(contact, email_rows, new=True)
        _set_phones(contact, ContactPhone, phone_rows, new=True)
        if tag_objects:
            contact.tags.add(*tag_objects)
        if contact.company_id:
            Employment.objects.create(
                contact=contact,
                company=contact.company,
                role=contact.job_title,
                started_on=timezone.localdate(),
            )
    _log_typed_consent(contact, None, actor)
    duplicates.refresh_pairs_of(contact, new=True)
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
    consent_logged=False,
    **fields,
):
    """Change a contact; ``None`` leaves e-mails/phones/tags/custom fields as they are.

    A change of the consent status is appended to the consent log (``consent_logged`` says
    the log already has it: the consent services call this to show their record).

    Moving the contact to another company ends the current company link (kept as a past link)
    and starts a new one.
    """
    contact = Contact.all_objects.select_for_update().get(pk=contact.pk)
    old_company_id = contact.company_id
    old_consent = contact.consent_status
    with records.track_update(contact, actor=actor, expected_version=expected_version):
        for name, value in _check_contact_fields(fields, contact.company_id).items():
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
    if not consent_logged:
        _log_typed_consent(contact, old_consent, actor)
    if emails is not None or phones is not None or MATCHED_CONTACT_FIELDS & fields.keys():
        duplicates.refresh_pairs_of(contact)
    return contact


def _log_typed_consent(contact, old_status, actor):
    if contact.consent_status != old_status:
        from .privacy.consent import log_typed_consent

        log_typed_consent(contact, actor=actor)


def _move_employment(contact, old_company_id):
    today = timezone.localdate()
    if old_company_id:
        Employment.objects.filter(
            contact=contact, company_id=old_company_id, is_current=True
        ).update(is_current=False, ended_on=today)
    current = Employment.objects.filter(
        contact=contact, company_id=contact.company_id, is_current=True
    )
    if contact.company_id and not current.exists():  # an existing current link keeps its dates
        Employment.objects.create(
            contact=contact, company_id=contact.company_id, role=contact.job_title, started_on=today
        )


@transaction.atomic
def add_company_link(
    contact, company, *, actor, role="", is_current=False, started_on=None, ended_on=None
):
    """Record a (usually past) link between a contact and a company."""
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": [_("The end date is before the start date.")]})
    contact = Contact.all_objects.select_for_update().get(pk=contact.pk)
    with records.track_update(contact, actor=actor) as change:
        link = Employment.objects.create(
            contact=contact,
            company=company,
            role=role[:150],
            is_current=is_current,
            started_on=started_on,
            ended_on=ended_on,
        )
        change.add("company_links", None, _link_text(link))
    return link


def _link_text(link):
    dates = " – ".join(str(d) for d in (link.started_on, link.ended_on) if d)
    parts = [link.company.name, link.role, dates]
    return " · ".join(p for p in parts if p)


def _check_contact_fields(fields, current_company_id=None):
    """Known fields only; a company in the trash may be kept but not newly given."""
    fields = _check_fields(fields, CONTACT_FIELDS)
    company = fields.get("company")
    if (
        isinstance(company, Company)
        and company.deleted_at is not None
        and company.pk != current_company_id
    ):
        raise ValidationError({"company": [_("This company is in the trash.")]})
    return fields


def _clean_contact(contact):
    errors = {}
    for name in ("first_name", "last_name", "second_last_name", "job_title"):
        setattr(contact, name, getattr(contact, name).strip())
    if not (contact.first_name or contact.last_name):
        errors["first_name"] = [_("Enter a first name or a surname.")]
    contact.country = contact.country.strip().upper()
    if contact.consent_status in ("granted", "withdrawn", "denied") and not contact.consent_at:
        contact.consent_at = timezone.now()
    _clean_profiles(contact, errors)
    _full_clean(contact, errors)
    contact.refresh_sort_name()


def _clean_profiles(record, errors, *, company=False):
    """Website and social profiles as canonical addresses (``contacts.social``)."""
    for name in social.PROFILE_FIELDS:
        try:
            value = getattr(record, name)
            setattr(record, name, social.normalize_profile(name, value, company=company))
        except ValidationError as error:
            errors[name] = error.messages
            setattr(record, name, "")  # reported once, not again by full_clean


def _clean_emails(emails):
    rows, seen, errors = [], {}, []
    for item in emails:
        item = {"email": item} if isinstance(item, str) else dict(item)
        try:
            address = normalize_email(item.get("email", ""))
        except ValidationError as error:
            errors.append(f"{str(item.get('email', ''))[:100]}: {error.messages[0]}")
            continue
        if address in seen:  # a repeat may still say which one is primary
            seen[address]["is_primary"] |= bool(item.get("is_primary"))
            continue
        seen[address] = {
            "email": address,
            "kind": item.get("kind") or "work",
            "is_primary": bool(item.get("is_primary")),
        }
        rows.append(seen[address])
    if errors:
        raise ValidationError({"emails": errors})
    return _one_primary(rows)


def _clean_phones(phones, country):
    rows, seen, errors = [], {}, []
    for item in phones:
        item = {"number": item} if isinstance(item, str) else dict(item)
        try:
            number = normalize_phone(item.get("number", ""), country or None)
        except ValidationError as error:
            errors.append(f"{str(item.get('number', ''))[:40]}: {error.messages[0]}")
            continue
        if number in seen:
            seen[number]["is_primary"] |= bool(item.get("is_primary"))
            continue
        seen[number] = {
            "number": number,
            "kind": item.get("kind") or "mobile",
            "is_primary": bool(item.get("is_primary")),
        }
        rows.append(seen[number])
    if errors:
        raise ValidationError({"phones": errors})
    return _one_primary(rows)


def _one_primary(rows):
    """Exactly one primary row when there are rows: the first one marked primary, else the
    first row."""
    primary = next((i for i, row in enumerate(rows) if row["is_primary"]), 0)
    for i, row in enumerate(rows):
        row["is_primary"] = i == primary
    return rows


def _set_emails(contact, rows, *, new=False):
    if not new:
        ContactEmail.objects.filter(contact=contact).delete()
    if rows:
        ContactEmail.objects.bulk_create([ContactEmail(contact=contact, **row) for row in rows])


def _set_phones(owner, model, rows, *, new=False):
    parent = "company" if model is CompanyPhone else "contact"
    if not new:
        model.objects.filter(**{parent: owner}).delete()
    if rows:
        model.objects.bulk_create([model(**{parent: owner}, **row) for row in rows])


@transaction.atomic
def purge_records(items, *, actor):
    """Delete trashed contacts or companies for good. The contacts of a purged company lose it
    (the database sets their company to null), so their completeness is recomputed."""
    items = list(items)
    company_ids = [r.pk for r in items if isinstance(r, Company)]
    orphans = []
    if company_ids:
        orphans = list(
            Contact.all_objects.filter(company_id__in=company_ids).values_list("pk", flat=True)
        )
    done = core_services.purge_records(items, actor=actor)
    quality.refresh(Contact, orphans)
    return done


# --- shared -------------------------------------------------------------------------------------


def _check_fields(fields, allowed):
    """Reject unknown field names; ``None`` for a text field means empty text."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return {
        name: "" if value is None and name in _TEXT_FIELDS else value
        for name, value in fields.items()
    }


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


# The lifecycle moves forward only; "other" is outside the sequence and never changed here.
LIFECYCLE_ORDER = [
    LifecycleStage.SUBSCRIBER,
    LifecycleStage.LEAD,
    LifecycleStage.MQL,
    LifecycleStage.SQL,
    LifecycleStage.OPPORTUNITY,
    LifecycleStage.CUSTOMER,
    LifecycleStage.EVANGELIST,
]


@transaction.atomic
def promote_lifecycle(contacts, stage, *, actor):
    """Move contacts forward to lifecycle ``stage`` (an open deal makes an "opportunity", a won
    one a "customer"); contacts already there or further on, or at "other", stay as they are.
    Recorded in each contact's history as an automatic change. Returns the changed contacts."""
    target = LIFECYCLE_ORDER.index(stage)
    behind = [
        c
        for c in contacts
        if c.lifecycle_stage in LIFECYCLE_ORDER
        and LIFECYCLE_ORDER.index(c.lifecycle_stage) < target
    ]
    with change_context(source=ChangeSource.AUTOMATION):
        return records.bulk_set(behind, actor=actor, lifecycle_stage=stage)


# --- duplicates and merging ---------------------------------------------------------------------


@transaction.atomic
def dismiss_duplicate(first, second, *, actor):
    """Record that two contacts (or two companies) are not duplicates; the scan skips them
    and their stored pair leaves the review queue."""
    from .duplicates import pair_key

    if type(first) is not type(second) or first.pk == second.pk:
        raise ValidationError(_("Choose two different records of the same kind."))
    kind = DuplicateDismissal.Kind.COMPANY if isinstance(first, Company) else "contact"
    low, high = pair_key(first.pk, second.pk)
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        kind=kind, low_id=low, high_id=high, defaults={"dismissed_by": actor}
    )
    duplicates.close_pair(kind, low, high, DuplicateCandidate.State.DISMISSED)
    return dismissal


# Fields a merge may take from the other record.
CONTACT_MERGE_FIELDS = tuple(f for f in CONTACT_FIELDS if f not in ("owner", "team")) + (
    "owner",
    "team",
)
COMPANY_MERGE_FIELDS = COMPANY_FIELDS


@transaction.atomic
def merge_contacts(keep, other, *, actor, values=None):
    """Merge ``other`` into ``keep``; see ``_merge``. Returns the kept contact."""
    return _merge(Contact, keep, other, CONTACT_MERGE_FIELDS, actor=actor, values=values)


@transaction.atomic
def merge_companies(keep, other, *, actor, values=None):
    """Merge company ``other`` into ``keep``; see ``_merge``. Returns the kept company."""
    return _merge(Company, keep, other, COMPANY_MERGE_FIELDS, actor=actor, values=values)


def _merge(model, keep, other, allowed, *, actor, values):
    """One transaction: ``keep`` takes the field values chosen in ``values`` (field ->
    ``"keep"``/``"other"``; unchosen fields stay), empty custom fields filled from the other,
    and every row pointing at ``other`` — e-mails, phones, tags, company links, deals,
    purchases, activities, attendee links and whatever later apps add — is moved to ``keep``,
    found through the model's relations (a link both records already had is kept once).
    ``other`` goes to the trash; both histories record the merge."""
    if keep.pk == other.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    values = values or {}
    unknown = [name for name in values if name not in allowed]
    bad = [name for name, side in values.items() if side not in ("keep", "other")]
    if unknown or bad:
        raise ValidationError(
            {name: [_("Unknown field.")] for name in unknown}
            | {name: [_('Choose "keep" or "other".')] for name in bad if name not in unknown}
        )
    locked = model.all_objects.select_for_update().in_bulk([keep.pk, other.pk])
    keep, other = locked[keep.pk], locked[other.pk]
    if other.deleted_at is not None or keep.deleted_at is not None:
        raise ValidationError(_("A record in the trash cannot be merged."))
    with records.track_update(keep, actor=actor) as change:
        for name, side in values.items():
            if side == "other":
                field = model._meta.get_field(name)
                setattr(keep, field.attname, getattr(other, field.attname))
        keep.custom_fields = {**(other.custom_fields or {}), **(keep.custom_fields or {})}
        if model is Contact:
            _clean_contact(keep)
        else:
            _clean_company(keep)
        keep.save()
        moved = _move_related(model, keep, other, actor=actor)
        if model is Contact:
            _tidy_contact_children(keep)
        else:
            _tidy_phones(CompanyPhone, "company", keep)
        change.add("merged", None, f"{other} (#{other.pk})")
    records.soft_delete([other], actor=actor)
    record_change(
        other,
        ChangeAction.UPDATE,
        {"merged_into": [None, f"{keep} (#{keep.pk})"], **moved},
        actor=actor,
    )
    if model is Company:
        search.index_records(Contact.objects.filter(company=keep).order_by("pk"))
    kind = duplicates.kind_of(model)
    duplicates.close_pair(kind, keep.pk, other.pk, DuplicateCandidate.State.MERGED)
    duplicates.forget_pairs_of(kind, other.pk)
    duplicates.refresh_pairs_of(keep)  # it has the other's e-mails and phones now
    return keep


def _relations(model):
    """Every relation pointing at ``model``: (related model, the field holding the link).
    Hidden ones too (the tables behind plain many-to-many fields such as tags and meeting
    attendees)."""
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            yield rel.related_model, rel.field


def _unique_sets(related_model, field):
    """The other fields of each unique rule that includes ``field``."""
    opts = related_model._meta
    sets = [tuple(fields) for fields in opts.unique_together]
    sets += [
        tuple(c.fields) for c in opts.constraints if getattr(c, "fields", None) and not c.condition
    ]
    found = [tuple(f for f in s if f != field.name) for s in sets if field.name in s]
    if field.unique:
        found.append(())
    return found


def _move_related(model, keep, other, *, actor):
    """Point every row linked to ``other`` at ``keep``; returns ``{table: rows moved}``."""
    moved = {}
    for related_model, field in _relations(model):
        manager = related_model._base_manager
        rows = manager.filter(**{field.name: other.pk})
        for others in _unique_sets(related_model, field):
            # A row that would repeat one ``keep`` already has is the same link: drop it.
            names = [related_model._meta.get_field(f).attname for f in others]
            if not names:
                if manager.filter(**{field.name: keep.pk}).exists():
                    rows.delete()
                continue
            taken = set(manager.filter(**{field.name: keep.pk}).values_list(*names))
            clash = [pk for pk, *key in rows.values_list("pk", *names) if tuple(key) in taken]
            if clash:
                manager.filter(pk__in=clash).delete()
        if hasattr(related_model, "all_objects") and hasattr(related_model, "version"):
            tracked = list(related_model.all_objects.filter(**{field.name: other.pk}))
            done = records.bulk_set(tracked, actor=actor, **{field.name: keep})
            count = len(done)
        else:
            count = rows.update(**{field.attname: keep.pk})
        if count:
            moved[related_model._meta.label_lower + "." + field.name] = count
    return moved


def _tidy_contact_children(contact):
    seen = set()
    for row in ContactEmail.objects.filter(contact=contact).order_by("-is_primary", "id"):
        if row.email.lower() in seen:
            row.delete()
        seen.add(row.email.lower())
    _one_primary_row(ContactEmail.objects.filter(contact=contact))
    _tidy_phones(ContactPhone, "contact", contact)
    current = Employment.objects.filter(contact=contact, is_current=True).order_by("id")
    seen = set()
    for link in current:
        if link.company_id in seen:
            link.delete()
        seen.add(link.company_id)


def _tidy_phones(model, parent, owner):
    seen = set()
    for row in model.objects.filter(**{parent: owner}).order_by("-is_primary", "id"):
        if row.number in seen:
            row.delete()
        seen.add(row.number)
    _one_primary_row(model.objects.filter(**{parent: owner}))


def _one_primary_row(queryset):
    rows = list(queryset.order_by("-is_primary", "id"))
    if rows:
        queryset.exclude(pk=rows[0].pk).filter(is_primary=True).update(is_primary=False)
        if not rows[0].is_primary:
            queryset.filter(pk=rows[0].pk).update(is_primary=True)
