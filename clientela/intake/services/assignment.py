"""Assignment rules: their writes, and giving new records to the right person.

Every channel that creates records (forms, imports, mailboxes, webhooks, the API) calls
``assign_new`` with what it created; records that already have an owner keep them. A change of
owner is recorded in each record's history as an automatic change, like any other.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from clientela.core import records, settings_cache
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context
from clientela.core.text import normalize
from clientela.support.choices import ACTIVE_STATUSES

from ..choices import RecordType, Strategy
from ..models import AssignmentRule

RULE_FIELDS = (
    "name",
    "position",
    "active",
    "record_type",
    "sources",
    "countries",
    "regions",
    "postcode_prefixes",
    "field",
    "field_value",
    "strategy",
    "user",
    "team",
)
MODELS = {
    RecordType.CONTACT: ("contacts", "Contact"),
    RecordType.COMPANY: ("contacts", "Company"),
    RecordType.DEAL: ("sales", "Deal"),
    RecordType.CASE: ("support", "Case"),
}
# Workload counts the records a person still has to work on: every contact, company or deal
# they own, but only their cases still open.
WORKLOAD = {RecordType.CASE: {"status__in": ACTIVE_STATUSES}}
MAX_VALUES = 200  # per list condition


def model_of(record_type):
    return apps.get_model(*MODELS[record_type])


# --- rules ---------------------------------------------------------------------------------------


@transaction.atomic
def create_rule(*, actor, **fields):
    rule = AssignmentRule(**_checked(fields))
    if "position" not in fields:
        rule.position = AssignmentRule.objects.filter(record_type=rule.record_type).count()
    _clean(rule)
    rule.save()
    return rule


@transaction.atomic
def update_rule(rule, *, actor, **fields):
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in _checked(fields).items():
        setattr(rule, name, value)
    _clean(rule)
    rule.save()
    return rule


@transaction.atomic
def delete_rule(rule, *, actor):
    rule.delete()


def _checked(fields):
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return fields


def _clean(rule):
    errors = {}
    rule.name = (rule.name or "").strip()
    for name, upper in (("sources", False), ("countries", True), ("regions", False)):
        setattr(rule, name, _words(getattr(rule, name), upper=upper))
    rule.postcode_prefixes = _words(rule.postcode_prefixes)
    for name in ("sources", "countries", "regions", "postcode_prefixes"):
        if len(getattr(rule, name)) > MAX_VALUES:
            errors[name] = [_("At most %(n)d values.") % {"n": MAX_VALUES}]
    if any(len(code) != 2 or not code.isalpha() for code in rule.countries):
        errors["countries"] = [_("Use two-letter country codes, e.g. ES, FR.")]
    rule.field = (rule.field or "").strip()
    if rule.field and rule.record_type in MODELS and not _known_field(rule):
        errors["field"] = [_("This record type has no field “%(f)s”.") % {"f": rule.field}]
    if rule.strategy == Strategy.USER and rule.user is None:
        errors["user"] = [_("Choose the person who gets the records.")]
    if rule.strategy in (Strategy.ROUND_ROBIN, Strategy.WORKLOAD):
        if rule.team is None:
            errors["team"] = [_("Choose the team whose members get the records.")]
        elif not rule.team.members.filter(is_active=True).exists():
            errors["team"] = [_("This team has no active members.")]
    try:
        rule.full_clean(validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _words(values, *, upper=False):
    """A clean list from a list or a comma-separated text, each value once, in order."""
    if isinstance(values, str):
        values = values.split(",")
    cleaned = [str(v).strip()[:100] for v in values or []]
    cleaned = [v.upper() if upper else v for v in cleaned if v]
    return list(dict.fromkeys(cleaned))


def _known_field(rule):
    if rule.field.startswith("cf_"):
        return True
    try:
        model_of(rule.record_type)._meta.get_field(rule.field)
    except FieldDoesNotExist:
        return False
    return True


# --- applying them ------------------------------------------------------------------------------


def rule_for(record, rules):
    """The first of ``rules`` (already in order) that ``record`` matches, or ``None``."""
    return next((rule for rule in rules if matches(rule, record)), None)


def matches(rule, record):
    place = _place(record)
    checks = [
        (rule.sources, getattr(record, "source", getattr(record, "channel", None))),
        (rule.countries, (getattr(place, "country", "") or "").upper()),
    ]
    if any(wanted and value not in wanted for wanted, value in checks):
        return False
    # "Girona", "girona" and "GIRONA" are one province; so are "Lleida" and "Lléida".
    region = normalize(getattr(place, "region", ""))
    if rule.regions and region not in {normalize(r) for r in rule.regions}:
        return False
    postcode = getattr(place, "postcode", "") or ""
    if rule.postcode_prefixes and not postcode.startswith(tuple(rule.postcode_prefixes)):
        return False
    if rule.field:
        if rule.field.startswith("cf_"):
            value = (record.custom_fields or {}).get(rule.field[3:])
        else:
            value = getattr(record, rule.field, None)
        if str("" if value is None else value) != rule.field_value:
            return False
    return True


def _place(record):
    """Where a record is: its own address, else (a deal, a case) its company's, else (a case
    with no company) its contact's. A case's channel stands for its source."""
    if hasattr(record, "country"):
        return record
    return getattr(record, "company", None) or getattr(record, "contact", None)


def choose_owner(rule, model):
    """The person ``rule`` gives its next record to (the rule row is locked by the caller)."""
    if rule.strategy == Strategy.USER:
        return rule.user
    members = list(rule.team.members.filter(is_active=True).order_by("id"))
    if not members:
        return None
    if rule.strategy == Strategy.ROUND_ROBIN:
        after = rule.last_assigned_id or 0
        chosen = next((m for m in members if m.pk > after), members[0])
        rule.last_assigned = chosen
        rule.save(update_fields=["last_assigned"])
        return chosen
    owned = dict(
        model.objects.filter(owner__in=members, **WORKLOAD.get(rule.record_type, {}))
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    return min(members, key=lambda m: (owned.get(m.pk, 0), m.pk))


def assign_new(items, *, actor, record_type):
    """Give the records of ``items`` that have no owner to whoever the first matching rule
    says; returns the records whose owner changed."""
    items = [r for r in items if r.owner_id is None]
    if not items or not _any_active_rule(record_type):
        return []
    return _assign(items, actor=actor, record_type=record_type)


def _any_active_rule(record_type):
    return settings_cache.get(
        ("assignment rules", record_type),
        AssignmentRule.objects.filter(record_type=record_type, active=True).exists,
    )


@transaction.atomic
def _assign(items, *, actor, record_type):
    rules = list(
        AssignmentRule.objects.select_for_update(of=("self",))
        .filter(record_type=record_type, active=True)
        .select_related("user", "team")
        .order_by("position", "id")
    )
    if not rules:
        return []
    model = model_of(record_type)
    changed = []
    with change_context(source=ChangeSource.AUTOMATION):
        for record in items:
            rule = rule_for(record, rules)
            owner = choose_owner(rule, model) if rule else None
            if owner is None:
                continue
            values = {"owner": owner}
            if rule.team_id and record.team_id is None:
                values["team"] = rule.team
            changed += records.bulk_set([record], actor=actor, **values)
    return changed
