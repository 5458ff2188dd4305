"""Workflow rules: create, change, turn on and off, delete, and the dry run.

Everything a rule holds is checked when it is saved: the trigger and its options fit the record
type, the conditions are a valid rule tree (``marketing.rules``) and each action is complete.
Saving makes the engine's in-memory rules stale (``workflows.cache``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.models import User
from clientela.core.records import lock_current

from ..choices import RunStatus, WorkflowEntity
from ..models import WorkflowRule, WorkflowRun
from ..models.workflows import MAX_NAME
from ..workflows import actions, cache, conditions, records, triggers
from ..workflows.dryrun import dry_run

RULE_FIELDS = ("name", "active", "entity", "trigger", "trigger_options", "conditions", "actions")


def clean_rule(
    *, name, entity, trigger, trigger_options=None, conditions=None, actions=None, active=True
):
    """The rule's fields, checked and normalised, or one ``ValidationError`` with every
    problem found (keyed ``conditions.rules.0.value``, ``actions.1.subject``...)."""
    from clientela.marketing import rules

    errors = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("At most %(n)d characters.") % {"n": MAX_NAME}]
    if entity not in WorkflowEntity.values:
        errors["entity"] = [_("Choose a record type.")]
        raise ValidationError(errors)
    cleaned = {"name": name, "entity": entity, "trigger": trigger, "active": bool(active)}
    try:
        cleaned["trigger_options"] = triggers.clean(entity, trigger, trigger_options)
    except ValidationError as error:
        errors.update(error.message_dict)
    tree = conditions if conditions not in (None, "", {}) else rules.empty_tree()
    try:
        condition_entity = records.KINDS[entity].condition_entity
        cleaned["conditions"] = rules.validate(condition_entity, tree)
    except rules.RuleError as error:
        for place, messages in error.message_dict.items():
            errors[f"conditions.{place}"] = messages
    try:
        cleaned["actions"] = _clean_actions(entity, actions)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_actions(entity, items):
    return actions.clean(entity, [] if items is None else items)


@transaction.atomic
def create_rule(*, actor, **fields):
    """A new rule (active unless ``active=False``)."""
    cleaned = clean_rule(**fields)
    now = timezone.now()
    rule = WorkflowRule.objects.create(
        **cleaned,
        created_by=actor if isinstance(actor, User) and actor.pk else None,
        created_at=now,
        updated_at=now,
    )
    cache.changed()
    return rule


@transaction.atomic
def update_rule(rule, *, actor, expected_version=None, **fields):
    """Change a rule; fields not given keep their value. ``expected_version`` (an ``If-Match``)
    must be the stored version."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    rule = lock_current(WorkflowRule.objects, rule, expected_version)
    current = {name: getattr(rule, name) for name in RULE_FIELDS}
    cleaned = clean_rule(**{**current, **fields})
    for name, value in cleaned.items():
        setattr(rule, name, value)
    rule.version += 1
    rule.updated_at = timezone.now()
    rule.save()
    cache.changed()
    return rule


def set_rule_active(rule, active, *, actor):
    """Turn a rule on or off."""
    return update_rule(rule, actor=actor, active=active)


@transaction.atomic
@transaction.atomic
def delete_rule(rule, *, actor, expected_version=None):
    """Delete a rule and its run log."""
    lock_current(WorkflowRule.objects, rule, expected_version).delete()
    cache.changed()


def dry_run_rule(rule=None, *, actor, after=None, log=True, **fields):
    """What ``rule`` (or the rule described by ``fields``, being edited) would act on now.
    A saved rule's dry run is logged in its run log."""
    if rule is not None and not fields:
        entity, trigger = rule.entity, rule.trigger
        options, tree = rule.trigger_options, rule.conditions
    else:
        cleaned = clean_rule(**fields)
        entity, trigger = cleaned["entity"], cleaned["trigger"]
        options, tree = cleaned["trigger_options"], cleaned["conditions"]
    if not conditions.is_empty(tree):
        conditions.compile_conditions(entity, tree)  # a tree gone stale: a clear error first
    result = dry_run(entity, trigger, options, tree, after=after)
    if rule is not None and log and after is None:
        WorkflowRun.objects.create(
            rule=rule,
            entity=entity,
            status=RunStatus.DRY_RUN,
            results=[{"kind": "dry_run", "ok": True, "detail": str(result.count)}],
        )
        WorkflowRule.objects.filter(pk=rule.pk).update(last_run_at=timezone.now())
    return result
