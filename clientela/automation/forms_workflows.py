"""The form of a workflow rule, all plain inputs: record type and trigger, the trigger's
options (only those of the chosen trigger are used), the conditions as a rule tree in JSON (the
segments' format) and the actions as a JSON list. The service checks what they say."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import TriggerKind, WorkflowEntity
from .models.workflows import MAX_NAME

MAX_JSON = 64 * 1024
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
# Which inputs carry which trigger's options.
OPTION_INPUTS = {
    TriggerKind.FIELD_CHANGED: {"field": "watched_field"},
    TriggerKind.STAGE_CHANGED: {"stage": "stage", "outcome": "outcome"},
    TriggerKind.FORM_SUBMITTED: {"form": "web_form"},
    TriggerKind.CASE_STATUS_CHANGED: {"status": "case_status"},
    TriggerKind.DATE_RELATIVE: {"field": "date_field", "days": "days", "direction": "direction"},
    TriggerKind.SCHEDULE: {"every": "every", "weekday": "weekday", "time": "time"},
}


def _json_field(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_JSON,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
        help_text=help_text,
    )


class WorkflowRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    entity = forms.ChoiceField(label=_("Record type"), choices=WorkflowEntity.choices)
    trigger = forms.ChoiceField(label=_("Trigger"), choices=TriggerKind.choices)
    watched_field = forms.CharField(
        label=_("Field (when a field changes)"), required=False, max_length=100
    )
    stage = forms.CharField(label=_("Stage id (stage changes)"), required=False, max_length=18)
    outcome = forms.ChoiceField(
        label=_("Outcome (stage changes)"),
        required=False,
        choices=[("", _("any stage")), ("won", _("won")), ("lost", _("lost"))],
    )
    web_form = forms.CharField(label=_("Web form id"), required=False, max_length=18)
    case_status = forms.CharField(label=_("Case status"), required=False, max_length=30)
    date_field = forms.CharField(label=_("Date field"), required=False, max_length=100)
    days = forms.IntegerField(label=_("Days"), required=False, min_value=0, max_value=366)
    direction = forms.ChoiceField(
        label=_("Before or after the date"),
        required=False,
        choices=[("before", _("before")), ("after", _("after"))],
    )
    every = forms.ChoiceField(
        label=_("Every"), required=False, choices=[("day", _("day")), ("week", _("week"))]
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), required=False, choices=WEEKDAYS, coerce=int, empty_value=0
    )
    time = forms.CharField(label=_("At (HH:MM)"), required=False, max_length=5)
    conditions = _json_field(
        _("Conditions (JSON rule tree)"),
        _(
            'As segments write them, e.g. {"op": "and", "rules": [{"field": "city", '
            '"operator": "eq", "value": "Vic"}]}. Empty: every record.'
        ),
    )
    actions = _json_field(
        _("Actions (JSON list)"),
        _(
            'E.g. [{"kind": "create_task", "subject": "Call them", "due_in_days": 2}]. '
            "The user guide lists every action and its keys."
        ),
    )

    def clean_conditions(self):
        return _parse(self.cleaned_data["conditions"], dict, {})

    def clean_actions(self):
        return _parse(self.cleaned_data["actions"], list, [])

    def rule_fields(self):
        """The service's keyword arguments."""
        data = self.cleaned_data
        inputs = OPTION_INPUTS.get(data["trigger"], {})
        options = {key: data.get(name) for key, name in inputs.items()}
        return {
            "name": data["name"],
            "active": data["active"],
            "entity": data["entity"],
            "trigger": data["trigger"],
            "trigger_options": {k: v for k, v in options.items() if v not in (None, "")},
            "conditions": data["conditions"],
            "actions": data["actions"],
        }


def initial_of(rule):
    initial = {
        "name": rule.name,
        "active": rule.active,
        "entity": rule.entity,
        "trigger": rule.trigger,
        "conditions": json.dumps(rule.conditions, ensure_ascii=False, indent=2),
        "actions": json.dumps(rule.actions, ensure_ascii=False, indent=2),
    }
    for key, name in OPTION_INPUTS.get(rule.trigger, {}).items():
        initial[name] = rule.trigger_options.get(key)
    return initial


def _parse(text, kind, empty):
    if not text.strip():
        return empty
    try:
        value = json.loads(text)
    except ValueError:
        raise forms.ValidationError(_("This is not valid JSON.")) from None
    if not isinstance(value, kind):
        raise forms.ValidationError(_("This JSON has the wrong shape."))
    return value
