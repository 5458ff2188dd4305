"""Triggers: which events (or timers) start a rule, their options, and matching an event against
a rule's trigger in memory.

Options by kind: ``field_changed`` ``{"field"}``; ``stage_changed`` ``{"stage": id|None,
"outcome": ""|"won"|"lost"}``; ``form_submitted`` ``{"form": id|None}``;
``case_status_changed`` ``{"status": ""|status}``; ``date_relative`` ``{"field", "days",
"direction": "before"|"after"}``; ``schedule`` ``{"every": "day"|"week", "weekday": 0-6,
"time": "HH:MM"}``; the others none.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..choices import TriggerKind as T
from ..choices import WorkflowEntity as E
from . import records

RECORD_ENTITIES = (E.CONTACT, E.COMPANY, E.DEAL, E.CASE)
ENTITIES_OF = {
    T.CREATED: (E.CONTACT, E.COMPANY, E.DEAL, E.CASE),
    T.UPDATED: RECORD_ENTITIES,
    T.FIELD_CHANGED: RECORD_ENTITIES,
    T.STAGE_CHANGED: (E.DEAL,),
    T.FORM_SUBMITTED: (E.FORM,),
    T.PURCHASE_MADE: (E.PURCHASE,),
    T.CASE_STATUS_CHANGED: (E.CASE,),
    T.DATE_RELATIVE: RECORD_ENTITIES,
    T.SCHEDULE: RECORD_ENTITIES,
}
TIMED = (T.DATE_RELATIVE, T.SCHEDULE)
MAX_OFFSET_DAYS = 366
OUTCOMES = ("won", "lost")
DIRECTIONS = ("before", "after")
EVERY = ("day", "week")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
OPTION_KEYS = {
    T.CREATED: set(),
    T.UPDATED: set(),
    T.FIELD_CHANGED: {"field"},
    T.STAGE_CHANGED: {"stage", "outcome"},
    T.FORM_SUBMITTED: {"form"},
    T.PURCHASE_MADE: set(),
    T.CASE_STATUS_CHANGED: {"status"},
    T.DATE_RELATIVE: {"field", "days", "direction"},
    T.SCHEDULE: {"every", "weekday", "time"},
}


def events_of(entity, trigger, options):
    """The event names that may start a rule (none for timed triggers)."""
    prefix = records.KINDS[entity].event_prefix
    if trigger == T.CREATED:
        return (f"{prefix}.created",)
    if trigger in (T.UPDATED, T.FIELD_CHANGED):
        return (f"{prefix}.updated",)
    if trigger == T.STAGE_CHANGED:
        outcome = options.get("outcome")
        return (f"deal.{outcome}",) if outcome else ("deal.stage_changed",)
    if trigger == T.FORM_SUBMITTED:
        return ("form.submitted",)
    if trigger == T.PURCHASE_MADE:
        return ("purchase.created",)
    if trigger == T.CASE_STATUS_CHANGED:
        return ("case.status_changed",)
    return ()


def matches(trigger, options, record, changes):
    """Whether an event (already one of ``events_of``) fits the trigger's options."""
    changes = changes or {}
    if trigger == T.FIELD_CHANGED:
        return options["field"] in changes
    if trigger == T.STAGE_CHANGED:
        return not options.get("stage") or record.stage_id == options["stage"]
    if trigger == T.FORM_SUBMITTED:
        return not options.get("form") or record.form_id == options["form"]
    if trigger == T.CASE_STATUS_CHANGED:
        return not options.get("status") or record.status == options["status"]
    return True


# --- validation ---------------------------------------------------------------------------------


def clean(entity, trigger, options):
    """The options, checked for the trigger and entity, or ``ValidationError`` keyed
    ``trigger_options.<name>``."""
    if trigger not in T.values:
        raise ValidationError({"trigger": [_("Unknown trigger.")]})
    if entity not in ENTITIES_OF[trigger]:
        raise ValidationError({"trigger": [_("This trigger does not fit this record type.")]})
    if options in (None, ""):
        options = {}
    if not isinstance(options, dict):
        raise ValidationError({"trigger_options": [_("Expected an object.")]})
    unknown = set(options) - OPTION_KEYS[trigger]
    if unknown:
        names = ", ".join(sorted(str(n)[:40] for n in unknown)[:5])
        raise ValidationError({"trigger_options": [_("Unknown keys: %(keys)s.") % {"keys": names}]})
    errors = {}
    cleaned = _CLEANERS.get(trigger, lambda e, o, err: {})(entity, options, errors)
    if errors:
        raise ValidationError({f"trigger_options.{k}": v for k, v in errors.items()})
    return cleaned


def _record_id(value, model, errors, key, required=False):
    if value in (None, ""):
        if required:
            errors[key] = [_("Choose one.")]
        return None
    if isinstance(value, bool) or not str(value).isdigit() or len(str(value)) > 18:
        errors[key] = [_("Choose one of the options.")]
        return None
    if not model.objects.filter(pk=int(value)).exists():
        errors[key] = [_("Choose one of the options.")]
        return None
    return int(value)


def _field_changed(entity, options, errors):
    name = options.get("field")
    if name not in changeable_fields(entity):
        errors["field"] = [_("Choose a field of this record type.")]
    return {"field": name}


def _stage_changed(entity, options, errors):
    from clientela.sales.models import Stage

    outcome = options.get("outcome") or ""
    if outcome not in ("", *OUTCOMES):
        errors["outcome"] = [_("Choose one of the options.")]
    stage = _record_id(options.get("stage"), Stage, errors, "stage")
    return {"stage": stage, "outcome": outcome}


def _form_submitted(entity, options, errors):
    from clientela.intake.models import WebForm

    return {"form": _record_id(options.get("form"), WebForm, errors, "form")}


def _case_status(entity, options, errors):
    from clientela.support.choices import CaseStatus

    status = options.get("status") or ""
    if status not in ("", *CaseStatus.values):
        errors["status"] = [_("Choose one of the options.")]
    return {"status": status}


def _date_relative(entity, options, errors):
    field = options.get("field")
    if field not in records.date_fields(entity):
        errors["field"] = [_("Choose a date of this record type.")]
    days = options.get("days", 0)
    if isinstance(days, str) and days.strip().isdigit() and len(days.strip()) < 5:
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_OFFSET_DAYS:
        errors["days"] = [_("Enter a number from 0 to %(n)d.") % {"n": MAX_OFFSET_DAYS}]
    direction = options.get("direction") or "before"
    if direction not in DIRECTIONS:
        errors["direction"] = [_("Choose one of the options.")]
    return {"field": field, "days": days, "direction": direction}


def _schedule(entity, options, errors):
    every = options.get("every") or "day"
    if every not in EVERY:
        errors["every"] = [_("Choose one of the options.")]
    weekday = options.get("weekday", 0)
    if isinstance(weekday, str) and weekday.strip() in "0123456" and weekday.strip():
        weekday = int(weekday.strip())
    if isinstance(weekday, bool) or weekday not in range(7):
        errors["weekday"] = [_("Choose one of the options.")]
    time = options.get("time") or "09:00"
    if not isinstance(time, str) or not _TIME.fullmatch(time):
        errors["time"] = [_("Enter a time as HH:MM.")]
    return {"every": every, "weekday": weekday if every == "week" else 0, "time": time}


_CLEANERS = {
    T.FIELD_CHANGED: _field_changed,
    T.STAGE_CHANGED: _stage_changed,
    T.FORM_SUBMITTED: _form_submitted,
    T.CASE_STATUS_CHANGED: _case_status,
    T.DATE_RELATIVE: _date_relative,
    T.SCHEDULE: _schedule,
}


def changeable_fields(entity):
    """``{name: label}`` of what a "field changed" trigger may watch: the names the history
    uses (foreign keys by their field's name, ``tags``, ``custom_fields.<key>``)."""
    from clientela.core import customfields

    model = records.KINDS[entity].model()
    exclude = set(getattr(model, "history_exclude", ()))
    found = {
        f.name: str(f.verbose_name)
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in exclude | {"custom_fields"}
    }
    if any(f.name == "tags" for f in model._meta.many_to_many):
        found["tags"] = _("Tags")
    for definition in customfields.definitions_for(model):
        found[f"custom_fields.{definition.key}"] = definition.label
    return found
