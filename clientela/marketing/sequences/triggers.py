"""What starts a sequence: the trigger's options are checked, and events matched, by the
workflow rules' own code (``automation.workflows.triggers``): a sequence's trigger is a
workflow trigger on a purchase, a web form submission or a deal."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..choices import SequenceTrigger as S

# The workflow (entity, trigger) each sequence trigger is.
_WORKFLOW = {
    S.PURCHASE_MADE: ("purchase", "purchase_made"),
    S.FORM_SUBMITTED: ("form", "form_submitted"),
    S.STAGE_CHANGED: ("deal", "stage_changed"),
}


def clean(trigger, options):
    """The options checked for ``trigger`` (``ValidationError`` keyed ``trigger_options.*``)."""
    from clientela.automation.workflows import triggers

    if trigger not in S.values:
        raise ValidationError({"trigger": [_("Choose one of the options.")]})
    if trigger == S.MANUAL:
        if options not in (None, "", {}):
            raise ValidationError({"trigger_options": [_("This trigger has no options.")]})
        return {}
    entity, workflow_trigger = _WORKFLOW[trigger]
    return triggers.clean(entity, workflow_trigger, options)


def events_of(trigger, options):
    """The event names that enrol contacts in a sequence with this trigger."""
    from clientela.automation.workflows import triggers

    if trigger not in _WORKFLOW:
        return ()
    entity, workflow_trigger = _WORKFLOW[trigger]
    return triggers.events_of(entity, workflow_trigger, options or {})


def matches(trigger, options, record, changes=None):
    from clientela.automation.workflows import triggers

    return triggers.matches(_WORKFLOW[trigger][1], options or {}, record, changes)
