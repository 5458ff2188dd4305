"""What the engine knows of each kind of record a rule may act on: its model, the prefix of its
events, the rules-engine entity its conditions use (a case, purchase or form submission is
tested through its contact) and the service that changes it."""

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from clientela.core import customfields
from clientela.core.choices import CustomFieldType

from ..choices import WorkflowEntity as E


@dataclass(frozen=True)
class RecordKind:
    name: str
    model_label: str
    event_prefix: str
    condition_entity: str  # the marketing.rules entity of the conditions
    via_contact: bool  # conditions test the record's contact, not the record

    def model(self):
        return apps.get_model(self.model_label)

    def condition_record(self, record):
        return getattr(record, "contact", None) if self.via_contact else record

    def condition_model(self):
        from clientela.marketing import rules

        return rules.entity(self.condition_entity).model()


KINDS = {
    E.CONTACT: RecordKind(E.CONTACT, "contacts.Contact", "contact", "contact", False),
    E.COMPANY: RecordKind(E.COMPANY, "contacts.Company", "company", "company", False),
    E.DEAL: RecordKind(E.DEAL, "sales.Deal", "deal", "deal", False),
    E.CASE: RecordKind(E.CASE, "support.Case", "case", "contact", True),
    E.PURCHASE: RecordKind(E.PURCHASE, "sales.Purchase", "purchase", "contact", True),
    E.FORM: RecordKind(E.FORM, "intake.FormSubmission", "form", "contact", True),
}
BY_EVENT_PREFIX = {kind.event_prefix: kind for kind in KINDS.values()}

# Columns an "update field" action may set: what a person edits on the record's form, minus
# relations (owner and team have their own action) and what the services keep themselves.
UPDATABLE_TYPES = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    models.DateField,
)
NOT_UPDATABLE = {"stage", "status", "pipeline", "search_text", "consent_status"}
UPDATE_SERVICES = {
    E.CONTACT: ("clientela.contacts.services", "update_contact"),
    E.COMPANY: ("clientela.contacts.services", "update_company"),
    E.DEAL: ("clientela.sales.services.deals", "update_deal"),
    E.CASE: ("clientela.support.services.cases", "update_case"),
}


def updatable_fields(entity):
    """``{name: model field}`` an update-field action may set on ``entity``'s records."""
    if entity not in UPDATE_SERVICES:
        return {}
    model = KINDS[entity].model()
    return {
        f.name: f
        for f in model._meta.concrete_fields
        if isinstance(f, UPDATABLE_TYPES)
        and f.editable
        and not f.primary_key
        and f.name not in NOT_UPDATABLE
        and not isinstance(f, models.DateTimeField)
    }


def date_fields(entity):
    """``{name: label}`` of the dates a date-relative trigger may count from: the record's
    date columns and its custom date fields (``cf.<key>``)."""
    if entity not in UPDATE_SERVICES:
        return {}
    model = KINDS[entity].model()
    found = {
        f.name: str(f.verbose_name)
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and f.name not in ("updated_at",)
    }
    for definition in customfields.definitions_for(model):
        if definition.field_type in (CustomFieldType.DATE, CustomFieldType.DATETIME):
            found[f"cf.{definition.key}"] = definition.label
    return found
