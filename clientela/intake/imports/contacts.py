"""Importing contacts and companies: the services' rules applied in bulk.

New records go in through ``core.bulk`` (one statement per table per batch, history and search
entries included); records that already exist — matched on e-mail or phone for contacts, tax id
for companies, among those the importer may see — are skipped, updated through the services
(so an update is recorded like any other edit) or created again, as the import asks.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import services, social
from clientela.contacts.choices import SourceChannel
from clientela.contacts.models import (
    Company,
    CompanyPhone,
    Contact,
    ContactEmail,
    ContactPhone,
    Employment,
)
from clientela.contacts.models_privacy import ConsentRecord
from clientela.contacts.privacy.consent import typed_consent_record
from clientela.core import bulk, customfields, permissions
from clientela.core.history import snapshot
from clientela.core.services import resolve_tags
from clientela.core.text import sort_key
from clientela.core.validators import normalize_email, normalize_phone, normalize_tax_id
from clientela.intake.services.assignment import assign_new

from . import values as v
from .engine import errors_of
from .fields import CF_PREFIX

CONTACT_TEXT = (
    "first_name",
    "last_name",
    "second_last_name",
    "job_title",
    "source_detail",
    "consent_proof",
    "street",
    "city",
    "postcode",
    "region",
    "country",
)
CONTACT_CHOICES = (
    "language",
    "lifecycle_stage",
    "lead_status",
    "source",
    "consent_status",
    "consent_method",
)
COMPANY_TEXT = ("name", "legal_name", "domain", "website", "street", "city", "postcode")
COMPANY_TEXT += ("region", "country")
COMPANY_CHOICES = ("industry", "size")


def visible_to(actor, queryset):
    """What the importer may see (everything for the command line without ``--as``)."""
    return permissions.visible(actor, queryset) if actor is not None else queryset


class RecordImporter:
    """What the contact and company importers share: owner, team, tags, custom fields and the
    duplicate policy."""

    model = None

    def __init__(self, options, actor):
        self.options, self.actor = options, actor
        self.people = v.People()
        self.definitions = customfields.definitions_for(self.model)
        self.tags = {}
        self.matches = {}
        self.rehearsed = {}  # dry run: match key -> line of a row an earlier batch "created"

    def tag_objects(self, names):
        """Tags by name, created when new, looked up once per import."""
        missing = [n for n in names if n not in self.tags]
        if missing:
            self.tags.update(zip(missing, resolve_tags(missing), strict=True))
        return [self.tags[n] for n in dict.fromkeys(names)]

    def profiles(self, values, fields, errors):
        """Website and social profiles as canonical addresses, as the services store them."""
        company = self.model is Company
        for name in social.PROFILE_FIELDS:
            if name in values and (name != "website" or not company):
                try:
                    raw = v.text(_one(values[name]))
                    fields[name] = social.normalize_profile(name, raw, company=company)
                except ValidationError as error:
                    errors[name] = error.messages

    def common(self, values, item, errors):
        for name, parse in (("owner", self.people.user), ("team", self.people.team)):
            if name in values:
                try:
                    item["fields"][name] = parse(v.text(_one(values[name])))
                except ValidationError as error:
                    errors[name] = error.messages
        item["tags"] = [t for raw in _all(values.get("tags")) for t in v.split_list(v.text(raw))]
        custom = {
            key[len(CF_PREFIX) :]: v.text(_one(raw))
            for key, raw in values.items()
            if key.startswith(CF_PREFIX)
        }
        try:
            item["custom"] = customfields.clean_values(
                self.model, custom, definitions=self.definitions
            )
        except ValidationError as error:
            errors.update({f"{CF_PREFIX}{k}": m for k, m in error.message_dict.items()})
        item["given_custom"] = custom

    def visible(self, queryset):
        return visible_to(self.actor, queryset)

    def match(self, keys):
        """The stored record one of ``keys`` belongs to (``self.matches``, loaded per batch)."""
        return next((self.matches[k] for k in keys if k in self.matches), None)

    def write(self, batch, changes):
        news, updates = [], []
        pending = {}  # match key -> item created earlier in this batch
        for line, cells, item in batch.items:
            keys = [k for k in item["keys"] if k[0] in self.options.match_on]
            earlier = next((pending[k] for k in keys if k in pending), None)
            existing = None if earlier else self.match(keys)
            policy = self.options.on_duplicate
            if not (earlier or existing) and policy != "create" and self.rehearsed:
                # A dry run rolls each batch back: what earlier batches would have created is
                # remembered by key instead, so repeats across batches count as in a real run.
                seen = next((self.rehearsed[k] for k in keys if k in self.rehearsed), None)
                if seen is not None:
                    if policy == "skip":
                        what = _("line %(line)d") % {"line": seen}
                        batch.skip(line, _("Already there (%(what)s).") % {"what": what}, cells)
                    else:
                        batch.outcome.updated += 1
                    continue
            if (earlier or existing) and policy == "skip":
                what = _("line %(line)d") % {"line": earlier["line"]} if earlier else f"#{existing}"
                batch.skip(line, _("Already there (%(what)s).") % {"what": what}, cells)
            elif earlier and policy == "update":
                merge_into(earlier, item)  # a record this batch creates, with both rows
                batch.outcome.updated += 1
            elif existing and policy == "update":
                updates.append((line, cells, item, existing))
            else:
                item["line"] = line
                news.append(item)
                pending.update(dict.fromkeys(keys, item))
        created = self.create(news)
        changes.add_created(self.model, created)
        batch.outcome.created += len(created)
        if self.options.dry_run:
            for item in news:
                keys = [k for k in item["keys"] if k[0] in self.options.match_on]
                self.rehearsed.update(dict.fromkeys(keys, item["line"]))
        for line, cells, item, pk in updates:
            try:
                with transaction.atomic():
                    record, before = self.update(pk, item)
                changes.add_updated(record, before)
                batch.outcome.updated += 1
            except ValidationError as error:
                batch.fail(line, errors_of(error), cells)


def _one(raw):
    return raw[0] if isinstance(raw, list) else raw


def _all(raw):
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def _normalized(raw, split, normalize, errors, target):
    """The distinct values of every cell of ``target`` (e-mails or phones), normalised; the
    ones that are not valid are reported together under ``target``."""
    found, bad = [], []
    for cell in _all(raw):
        for value in split(v.text(cell)):
            try:
                normal = normalize(value)
            except ValidationError:
                bad.append(value[:100])
                continue
            if normal not in found:
                found.append(normal)
    if bad:
        message = (
            _("Not an e-mail address: %(value)s")
            if target == "email"
            else _("Not a phone number: %(value)s")
        )
        errors[target] = [message % {"value": ", ".join(bad)}]
    return found


def _phones(values, fields, errors):
    """Phone numbers read in the row's country (Spain when it has none)."""
    region = fields.get("country") or None
    return _normalized(
        values.get("phone"),
        v.split_phones,
        lambda number: normalize_phone(number, region),
        errors,
        "phone",
    )


def _country(fields, errors):
    if fields.get("country"):
        try:
            fields["country"] = v.country_code(fields["country"])
        except ValidationError as error:
            errors["country"] = error.messages
            fields["country"] = ""


def merge_into(item, other):
    """Fold a later row about the same record into the one created earlier in the batch."""
    item["fields"].update(other["fields"])
    for key in ("emails", "phones", "tags"):
        if key in item:
            item[key] += [x for x in other.get(key, []) if x not in item[key]]
    item["custom"].update({k: x for k, x in other["custom"].items() if k in other["given_custom"]})


class ContactImporter(RecordImporter):
    model = Contact

    def __init__(self, options, actor):
        super().__init__(options, actor)
        self.choices = {name: v.Choices(Contact, name) for name in CONTACT_CHOICES}
        self.companies = CompanyFinder(actor)

    def prepare(self, values):
        errors, fields = {}, {}
        for name in CONTACT_TEXT:
            if name in values:
                fields[name] = v.text(values[name])
        if "surnames" in values:
            last, second = v.split_surnames(v.text(values["surnames"]))
            fields.setdefault("last_name", last)
            fields.setdefault("second_last_name", second)
        if "full_name" in values and not (fields.get("first_name") or fields.get("last_name")):
            first, last, second = v.split_full_name(v.text(values["full_name"]))
            fields.update(first_name=first, last_name=last, second_last_name=second)
        for name in CONTACT_CHOICES:
            if name in values:
                try:
                    fields[name] = self.choices[name].parse(v.text(values[name]))
                except ValidationError as error:
                    errors[name] = error.messages
        if "consent_at" in values:
            try:
                fields["consent_at"] = v.parse_when(v.text(values["consent_at"]))
            except ValidationError as error:
                errors["consent_at"] = error.messages
        notes = "\n\n".join(v.text(n) for n in _all(values.get("notes")))
        if notes:
            fields["notes"] = notes
        _country(fields, errors)
        for name, value in fields.items():
            if isinstance(value, str):
                try:
                    v.check_length(Contact, name, value)
                except ValidationError as error:
                    errors[name] = error.messages
        emails = _normalized(values.get("email"), v.split_emails, normalize_email, errors, "email")
        item = {"fields": fields, "emails": emails, "phones": _phones(values, fields, errors)}
        if "company" in values:
            item["company"] = v.check_length(Company, "name", v.text(_one(values["company"])))
        self.profiles(values, fields, errors)
        self.common(values, item, errors)
        if not (fields.get("first_name") or fields.get("last_name")):
            # A contact known only by an address or a number is named after it, as web
            # forms do, so it can be found and renamed later.
            if item["emails"]:
                fields["first_name"] = item["emails"][0].split("@")[0][:100]
            elif item["phones"]:
                fields["first_name"] = item["phones"][0]
            elif not errors:
                errors["first_name"] = [_("Enter a first name, a surname or an e-mail.")]
        if errors:
            raise ValidationError(errors)
        item["keys"] = [("email", e) for e in item["emails"]] + [
            ("phone", p) for p in item["phones"]
        ]
        return item

    def write(self, batch, changes):
        self.load_matches([k for _l, _c, item in batch.items for k in item["keys"]])
        self.companies.prepare(
            [item["company"] for _l, _c, item in batch.items if item.get("company")],
            changes,
        )
        super().write(batch, changes)

    def load_matches(self, keys):
        """The stored contacts the batch's e-mails and phones belong to: the pairs are read by
        the unique indexes first, then narrowed to the contacts the importer may see (a
        visibility subquery joined to a million e-mails would cost far more)."""
        pairs = []
        for kind, model, column in (
            ("email", ContactEmail, "email"),
            ("phone", ContactPhone, "number"),
        ):
            values = [value for key, value in keys if key == kind]
            if values and kind in self.options.match_on:
                rows = model.objects.filter(**{f"{column}__in": values})
                pairs += [(kind, v, pk) for v, pk in rows.values_list(column, "contact_id")]
        ids = {pk for _kind, _value, pk in pairs}
        visible = set(self.visible(Contact.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        self.matches = {}
        for kind, value, pk in sorted(pairs, key=lambda pair: pair[2]):
            if pk in visible:
                self.matches.setdefault((kind, value), pk)

    def create(self, items):
        records, emails, phones, jobs = [], [], [], []
        today = timezone.localdate()
        for item in items:
            values = {"source": SourceChannel.IMPORT, **item["fields"]}
            if item.get("company"):
                values["company"] = self.companies.get(item["company"])
            contact = bulk.build(Contact, **values)
            if contact.consent_status in ("granted", "withdrawn", "denied"):
                contact.consent_at = contact.consent_at or timezone.now()
            contact.custom_fields = item["custom"]
            contact.refresh_sort_name()
            contact._prefetched_objects_cache = {
                "emails": [
                    bulk.build(
                        ContactEmail, contact=contact, email=e, kind="work", is_primary=n == 0
                    )
                    for n, e in enumerate(item["emails"])
                ],
                "phones": [
                    bulk.build(
                        ContactPhone, contact=contact, number=p, kind="mobile", is_primary=n == 0
                    )
                    for n, p in enumerate(item["phones"])
                ],
            }
            emails += contact._prefetched_objects_cache["emails"]
            phones += contact._prefetched_objects_cache["phones"]
            if contact.company is not None:
                jobs.append(
                    bulk.build(
                        Employment,
                        contact=contact,
                        company=contact.company,
                        role=contact.job_title,
                        started_on=today,
                    )
                )
            contact.new_tags = self.tag_objects(item["tags"])
            records.append(contact)
        bulk.create_records(
            Contact,
            records,
            actor=self.actor,
            children={ContactEmail: emails, ContactPhone: phones, Employment: jobs},
            extra_history=_contact_extra,
            tags_of=_new_tags,
        )
        consents = [typed_consent_record(c, actor=self.actor) for c in records]
        bulk.insert_new(ConsentRecord, [c for c in consents if c is not None])
        assign_new(records, actor=self.actor, record_type="contact")
        return records

    def update(self, pk, item):
        contact = Contact.objects.get(pk=pk)
        before = contact_state(contact)
        fields = dict(item["fields"])
        if item.get("company"):
            fields["company"] = self.companies.get(item["company"])
        current_emails = [{"email": e, "kind": k, "is_primary": p} for e, k, p in before["_emails"]]
        current_phones = [
            {"number": n, "kind": k, "is_primary": p} for n, k, p in before["_phones"]
        ]
        known_emails = {e["email"] for e in current_emails}
        known_phones = {p["number"] for p in current_phones}
        contact = services.update_contact(
            contact,
            actor=self.actor,
            emails=current_emails + [e for e in item["emails"] if e not in known_emails],
            phones=current_phones + [p for p in item["phones"] if p not in known_phones],
            tags=sorted(set(before["tags"]) | set(item["tags"])) if item["tags"] else None,
            custom_fields=item["given_custom"] or None,
            **fields,
        )
        return contact, before


def _new_tags(record):
    return record.new_tags


def _contact_extra(contact):
    cache = contact._prefetched_objects_cache
    return {
        "emails": [f"{e.email} ({e.kind})" for e in cache["emails"]],
        "phones": [f"{p.number} ({p.kind})" for p in cache["phones"]],
    }


def contact_state(contact):
    """A contact's values in the form ``update_contact`` takes: what undo puts back."""
    state = snapshot(contact)
    state["_emails"] = list(contact.emails.values_list("email", "kind", "is_primary"))
    state["_phones"] = list(contact.phones.values_list("number", "kind", "is_primary"))
    state["custom_fields"] = dict(contact.custom_fields)
    return state


class CompanyFinder:
    """Companies named in a contacts file: the importer's visible company of that name (the
    oldest; accents and case ignored), else a new one created with the batch."""

    def __init__(self, actor):
        self.actor = actor
        self.by_key = {}

    def prepare(self, names, changes):
        wanted = {}
        for name in names:
            key = sort_key(name, 200)
            if key not in self.by_key:
                wanted.setdefault(key, name)  # the first spelling in the file names it
        if not wanted:
            return
        queryset = visible_to(self.actor, Company.objects.filter(sort_name__in=list(wanted)))
        queryset = queryset.order_by("pk")
        for company in queryset:
            self.by_key.setdefault(company.sort_name, company)
        missing = [name for key, name in wanted.items() if key not in self.by_key]
        created = []
        for name in missing:
            company = bulk.build(Company, name=name, custom_fields={})
            company.refresh_sort_name()
            company._prefetched_objects_cache = {"phones": []}
            created.append(company)
        bulk.create_records(Company, created, actor=self.actor)
        changes.add_created(Company, created)
        for company in created:
            self.by_key[company.sort_name] = company

    def get(self, name):
        return self.by_key[sort_key(name, 200)]


class CompanyImporter(RecordImporter):
    model = Company

    def __init__(self, options, actor):
        super().__init__(options, actor)
        self.choices = {name: v.Choices(Company, name) for name in COMPANY_CHOICES}

    def prepare(self, values):
        errors, fields = {}, {}
        for name in COMPANY_TEXT:
            if name in values:
                fields[name] = v.text(_one(values[name]))
        description = "\n\n".join(v.text(n) for n in _all(values.get("description")))
        if description:
            fields["description"] = description
        for name in COMPANY_CHOICES:
            if name in values:
                try:
                    fields[name] = self.choices[name].parse(v.text(values[name]))
                except ValidationError as error:
                    errors[name] = error.messages
        if "tax_id" in values:
            try:
                fields["tax_id"] = normalize_tax_id(v.text(values["tax_id"]))
            except ValidationError as error:
                errors["tax_id"] = error.messages
        _country(fields, errors)
        fields["domain"] = fields.get("domain", "").lower().removeprefix("www.")
        if not fields.get("name"):
            errors["name"] = [_("This field is required.")]
        for name, value in fields.items():
            if isinstance(value, str):
                try:
                    v.check_length(Company, name, value)
                except ValidationError as error:
                    errors[name] = error.messages
        item = {"fields": fields, "phones": _phones(values, fields, errors)}
        self.profiles(values, fields, errors)
        self.common(values, item, errors)
        if fields.get("website"):
            try:
                fields["website"] = social.normalize_website(fields["website"])
            except ValidationError as error:
                errors["website"] = error.messages
        if errors:
            raise ValidationError(errors)
        item["keys"] = [("tax_id", fields["tax_id"])] if fields.get("tax_id") else []
        return item

    def write(self, batch, changes):
        tax_ids = [value for _l, _c, item in batch.items for _k, value in item["keys"]]
        self.matches = {}
        if tax_ids and "tax_id" in self.options.match_on:
            queryset = self.visible(Company.objects.filter(tax_id__in=tax_ids)).order_by("pk")
            for tax_id, pk in queryset.values_list("tax_id", "pk"):
                self.matches.setdefault(("tax_id", tax_id), pk)
        super().write(batch, changes)

    def create(self, items):
        records, phones = [], []
        for item in items:
            company = bulk.build(Company, **item["fields"])
            company.custom_fields = item["custom"]
            company.refresh_sort_name()
            company._prefetched_objects_cache = {
                "phones": [
                    bulk.build(
                        CompanyPhone, company=company, number=p, kind="work", is_primary=n == 0
                    )
                    for n, p in enumerate(item["phones"])
                ]
            }
            phones += company._prefetched_objects_cache["phones"]
            company.new_tags = self.tag_objects(item["tags"])
            records.append(company)
        bulk.create_records(
            Company,
            records,
            actor=self.actor,
            children={CompanyPhone: phones},
            extra_history=lambda c: {
                "phones": [f"{p.number} ({p.kind})" for p in c._prefetched_objects_cache["phones"]]
            },
            tags_of=_new_tags,
        )
        assign_new(records, actor=self.actor, record_type="company")
        return records

    def update(self, pk, item):
        company = Company.objects.get(pk=pk)
        before = snapshot(company)
        before["_phones"] = list(company.phones.values_list("number", "kind", "is_primary"))
        before["custom_fields"] = dict(company.custom_fields)
        current = [{"number": n, "kind": k, "is_primary": p} for n, k, p in before["_phones"]]
        known = {p["number"] for p in current}
        company = services.update_company(
            company,
            actor=self.actor,
            phones=current + [p for p in item["phones"] if p not in known],
            tags=sorted(set(before["tags"]) | set(item["tags"])) if item["tags"] else None,
            custom_fields=item["given_custom"] or None,
            **item["fields"],
        )
        return company, before
