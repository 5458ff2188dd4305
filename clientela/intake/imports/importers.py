"""The importer of each kind of record, and what undo asks of them.

Contacts and companies are written in bulk (``contacts``). Deals, activities and purchases link
to records the file names (a contact by e-mail, a company by name, a pipeline and stage by
name) and each goes through its own service row by row, in a savepoint, so a row the service
refuses is reported and the rest of its batch is kept.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.activities import services as activity_services
from clientela.activities.choices import ActivityKind, CallOutcome, Direction
from clientela.activities.models import Activity
from clientela.contacts.models import Company, Contact
from clientela.core import customfields
from clientela.core.validators import normalize_email
from clientela.sales.choices import PurchaseChannel, PurchaseStatus
from clientela.sales.models import Deal, DealContact, Pipeline, Purchase, Stage
from clientela.sales.services import deals as deal_services
from clientela.sales.services import purchases as purchase_services

from . import values as v
from .contacts import CompanyFinder, CompanyImporter, ContactImporter, _all, _one, visible_to
from .engine import errors_of
from .fields import CF_PREFIX


class LinkedImporter:
    """Rows that name the records they belong to, created one by one through a service."""

    model = None

    def __init__(self, options, actor):
        self.options, self.actor = options, actor
        self.people = v.People()
        self.companies = CompanyFinder(actor)
        self.contacts = {}
        self.tags = {}
        self.definitions = customfields.definitions_for(self.model)

    def visible(self, queryset):
        return visible_to(self.actor, queryset)

    def contact(self, raw):
        try:
            email = normalize_email(raw)
        except ValidationError as error:
            raise ValidationError(_("Not an e-mail address: %(value)s") % {"value": raw}) from error
        if email not in self.contacts:
            queryset = self.visible(Contact.objects.filter(emails__email=email)).order_by("pk")
            self.contacts[email] = queryset.first()
        if self.contacts[email] is None:
            raise ValidationError(_("No contact with the e-mail %(value)s.") % {"value": email})
        return self.contacts[email]

    def common(self, values, errors):
        item = {"fields": {}, "tags": [], "custom": {}}
        for name, parse in (("owner", self.people.user), ("team", self.people.team)):
            if name in values:
                try:
                    item["fields"][name] = parse(v.text(_one(values[name])))
                except ValidationError as error:
                    errors[name] = error.messages
        item["tags"] = [t for raw in _all(values.get("tags")) for t in v.split_list(v.text(raw))]
        item["custom"] = {
            key[len(CF_PREFIX) :]: v.text(_one(raw))
            for key, raw in values.items()
            if key.startswith(CF_PREFIX)
        }
        if "company" in values:
            item["company"] = v.check_length(Company, "name", v.text(_one(values["company"])))
        return item

    def parse(self, values, name, parse, errors, target=None):
        if name in values:
            try:
                return parse(v.text(_one(values[name])))
            except ValidationError as error:
                errors[target or name] = error.messages
        return None

    def write(self, batch, changes):
        names = [item["company"] for _l, _c, item in batch.items if item.get("company")]
        self.companies.prepare(names, changes)
        created = []
        for line, cells, item in batch.items:
            if item.get("company"):
                item["fields"]["company"] = self.companies.get(item["company"])
            try:
                with transaction.atomic():
                    record = self.create(item)
            except ValidationError as error:
                batch.fail(line, errors_of(error), cells)
                continue
            if record is None:
                batch.skip(line, _("Already there."), cells)
                continue
            created.append(record)
        changes.add_created(self.model, created)
        batch.outcome.created += len(created)


class DealImporter(LinkedImporter):
    model = Deal

    def __init__(self, options, actor):
        super().__init__(options, actor)
        self.pipelines, self.stages = {}, {}
        self.source = v.Choices(Deal, "source")

    def pipeline(self, raw):
        key = raw.lower()
        if key not in self.pipelines:
            self.pipelines[key] = Pipeline.objects.filter(name__iexact=raw).first()
        if self.pipelines[key] is None:
            raise ValidationError(_("No pipeline %(name)s.") % {"name": raw[:100]})
        return self.pipelines[key]

    def stage(self, pipeline, raw):
        key = (pipeline.pk if pipeline else None, raw.lower())
        if key not in self.stages:
            stages = Stage.objects.filter(name__iexact=raw)
            if pipeline is not None:
                stages = stages.filter(pipeline=pipeline)
            else:
                stages = stages.filter(pipeline__is_default=True)
            self.stages[key] = stages.first()
        if self.stages[key] is None:
            raise ValidationError(_("No stage %(name)s in this pipeline.") % {"name": raw[:100]})
        return self.stages[key]

    def prepare(self, values):
        errors = {}
        item = self.common(values, errors)
        fields = item["fields"]
        fields["name"] = v.check_length(Deal, "name", v.text(_one(values.get("name", ""))))
        if not fields["name"]:
            errors["name"] = [_("This field is required.")]
        pipeline = self.parse(values, "pipeline", self.pipeline, errors)
        if pipeline is not None:
            fields["pipeline"] = pipeline
        if "stage" in values and "pipeline" not in errors:
            stage = self.parse(values, "stage", lambda raw: self.stage(pipeline, raw), errors)
            if stage is not None:
                fields["stage"] = stage
        for name, parse in (
            ("amount", v.parse_decimal),
            ("expected_close_date", v.parse_day),
            ("source", self.source.parse),
        ):
            value = self.parse(values, name, parse, errors)
            if value is not None:
                fields[name] = value
        for name in ("currency", "source_detail", "next_step"):
            if name in values:
                fields[name] = v.text(_one(values[name]))
        item["contacts"] = []
        for raw in _all(values.get("contact")):
            for address in v.split_emails(v.text(raw)):
                try:
                    item["contacts"].append(self.contact(address))
                except ValidationError as error:
                    errors["contact"] = error.messages
        if errors:
            raise ValidationError(errors)
        return item

    def create(self, item):
        return deal_services.create_deal(
            actor=self.actor,
            contacts=item["contacts"],
            tags=item["tags"],
            custom_fields=item["custom"],
            **item["fields"],
        )


class ActivityImporter(LinkedImporter):
    model = Activity

    def __init__(self, options, actor):
        super().__init__(options, actor)
        self.kinds = v.Choices(Activity, "kind")
        self.directions = v.Choices(Activity, "direction")
        self.outcomes = v.Choices(Activity, "outcome")
        self.deals = {}

    def deal(self, raw):
        key = raw.lower()
        if key not in self.deals:
            queryset = self.visible(Deal.objects.filter(name__iexact=raw)).order_by("-pk")
            self.deals[key] = queryset.first()
        if self.deals[key] is None:
            raise ValidationError(_("No deal %(name)s.") % {"name": raw[:100]})
        return self.deals[key]

    def prepare(self, values):
        errors = {}
        item = self.common(values, errors)
        fields = item["fields"]
        kind = self.parse(values, "kind", self.kinds.parse, errors) or ActivityKind.NOTE
        item["kind"] = kind
        fields["subject"] = v.check_length(Activity, "subject", v.text(_one(values.get("subject"))))
        body = "\n\n".join(v.text(b) for b in _all(values.get("body")))
        if body:
            fields["body"] = body
        for name, parse in (
            ("timeline_at", v.parse_when),
            ("due_at", v.parse_when),
            ("direction", self.directions.parse),
            ("outcome", self.outcomes.parse),
            ("contact", self.contact),
            ("deal", self.deal),
            ("duration", parse_duration),
        ):
            value = self.parse(values, name, parse, errors)
            if value is not None:
                fields["duration_seconds" if name == "duration" else name] = value
        if "done_at" in values:
            done = v.text(_one(values["done_at"]))
            if done.lower() in ("1", "yes", "true", "sí", "si", "x", "done"):
                item["done"] = True
            else:
                fields["done_at"] = self.parse(values, "done_at", v.parse_when, errors)
        if kind == ActivityKind.CALL:
            fields.setdefault("direction", Direction.OUTBOUND)
            fields.setdefault("outcome", CallOutcome.CONNECTED)
        if errors:
            raise ValidationError(errors)
        return item

    def create(self, item):
        fields = dict(item["fields"])
        if item.get("done") and item["kind"] == ActivityKind.TASK:
            fields["done_at"] = fields.get("timeline_at") or fields.get("due_at")
        return activity_services.log_activity(
            actor=self.actor,
            kind=item["kind"],
            tags=item["tags"],
            custom_fields=item["custom"],
            **{k: val for k, val in fields.items() if val is not None},
        )


def parse_duration(raw):
    """Seconds from "95", "1:35" or "01:01:35"."""
    try:
        parts = [int(p) for p in raw.split(":")]
    except ValueError as error:
        raise ValidationError(_("Enter seconds (95) or minutes and seconds (1:35).")) from error
    if len(parts) > 3 or any(p < 0 for p in parts):
        raise ValidationError(_("Enter seconds (95) or minutes and seconds (1:35)."))
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    if seconds > 7 * 24 * 3600:
        raise ValidationError(_("A call cannot last more than a week."))
    return seconds


class PurchaseImporter(LinkedImporter):
    model = Purchase

    def __init__(self, options, actor):
        super().__init__(options, actor)
        self.channels = v.Choices(Purchase, "channel")
        self.statuses = v.Choices(Purchase, "status")

    def prepare(self, values):
        errors = {}
        item = self.common(values, errors)
        fields = item["fields"]
        for name, parse in (
            ("purchased_at", v.parse_when),
            ("contact", self.contact),
            ("channel", self.channels.parse),
            ("status", self.statuses.parse),
        ):
            value = self.parse(values, name, parse, errors)
            if value is not None:
                fields[name] = value
        for name in ("total_amount", "tax_amount"):
            value = self.parse(values, name, v.parse_decimal, errors)
            if value is not None:
                item[name] = value
        for name in ("external_id", "source", "currency", "note"):
            if name in values:
                fields[name] = v.text(" ".join(_all(values[name])))
        if "total_amount" not in item and "total_amount" not in errors:
            errors["total_amount"] = [_("This field is required.")]
        if "purchased_at" not in fields and "purchased_at" not in errors:
            errors["purchased_at"] = [_("This field is required.")]
        if fields.get("external_id"):
            fields.setdefault("source", "import")  # order numbers are unique per source
        fields.setdefault("channel", PurchaseChannel.IMPORT)
        fields.setdefault("status", PurchaseStatus.COMPLETED)
        if errors:
            raise ValidationError(errors)
        return item

    def create(self, item):
        purchase, created = purchase_services.record_purchase(
            actor=self.actor,
            total_amount=item["total_amount"],
            tax_amount=item.get("tax_amount"),
            tags=item["tags"],
            custom_fields=item["custom"],
            **item["fields"],
        )
        return purchase if created else None


IMPORTERS = {
    "contacts": ContactImporter,
    "companies": CompanyImporter,
    "deals": DealImporter,
    "activities": ActivityImporter,
    "purchases": PurchaseImporter,
}


def untouched(model, versions):
    """The records of ``versions`` (``{id: version after the import}``) nobody changed or used
    since: same version, and (for contacts and companies) no activity, deal or purchase of
    their own and no contact the import did not bring."""
    records = [
        r for r in model.all_objects.filter(pk__in=list(versions)) if r.version == versions[r.pk]
    ]
    ids = {r.pk for r in records}
    used = set()
    if model in (Contact, Company):
        link = "contact_id" if model is Contact else "company_id"
        for related in (Activity, Purchase):
            used |= set(
                related.all_objects.filter(**{f"{link}__in": ids}).values_list(link, flat=True)
            )
        if model is Contact:
            deals = DealContact.objects.filter(contact_id__in=ids)
            used |= set(deals.values_list("contact_id", flat=True))
        else:
            used |= set(Deal.all_objects.filter(company_id__in=ids).values_list(link, flat=True))
            # A company keeps contacts that are not about to be removed with it.
            others = Contact.all_objects.filter(company_id__in=ids, deleted_at__isnull=True)
            used |= set(others.values_list(link, flat=True))
    return [r for r in records if r.pk not in used]
