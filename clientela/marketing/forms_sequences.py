"""The sequence form and its step editor: a formset of plain inputs (add, remove, reorder by
number) that works without JavaScript. The services check what the steps say."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.models import Team, User
from clientela.core.views.records import RecordForm

from .choices import BranchThen, SequenceTrigger, StepKind
from .models import EmailTemplate, Sequence
from .sequences import steps as step_rules

OUTCOMES = [("", _("any stage")), ("won", _("won")), ("lost", _("lost"))]


class SequenceForm(RecordForm):
    trigger_form = forms.IntegerField(
        label=_("Web form id (web forms; empty: any)"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
    )
    trigger_stage = forms.IntegerField(
        label=_("Stage id (stage changes; empty: any)"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
    )
    trigger_outcome = forms.ChoiceField(
        label=_("Outcome (stage changes)"), required=False, choices=OUTCOMES
    )

    groups = [
        (
            _("Sequence"),
            ["name", "owner", "team", "tags", "description"],
        ),
        (
            _("When it starts and ends"),
            [
                "trigger",
                "trigger_form",
                "trigger_stage",
                "trigger_outcome",
                "exit_on_reply",
                "exit_on_purchase",
                "reenroll",
            ],
        ),
        (_("Sender"), ["from_name", "from_email", "reply_to"]),
    ]
    wide_fields = ["description"]

    class Meta:
        model = Sequence
        fields = [
            "name",
            "owner",
            "team",
            "description",
            "trigger",
            "exit_on_reply",
            "exit_on_purchase",
            "reenroll",
            "from_name",
            "from_email",
            "reply_to",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = self.instance.trigger_options or {}
        self.initial.setdefault("trigger_form", options.get("form"))
        self.initial.setdefault("trigger_stage", options.get("stage"))
        self.initial.setdefault("trigger_outcome", options.get("outcome", ""))

    def service_kwargs(self):
        kwargs = super().service_kwargs()
        kwargs.pop("custom_fields", None)
        data = self.cleaned_data
        trigger = data.get("trigger")
        if trigger == SequenceTrigger.FORM_SUBMITTED:
            kwargs["trigger_options"] = {"form": data.get("trigger_form")}
        elif trigger == SequenceTrigger.STAGE_CHANGED:
            kwargs["trigger_options"] = {
                "stage": data.get("trigger_stage"),
                "outcome": data.get("trigger_outcome") or "",
            }
        else:
            kwargs["trigger_options"] = {}
        return kwargs

    # Where the service's ``trigger_options.<key>`` errors go.
    OPTION_FIELDS = {"form": "trigger_form", "stage": "trigger_stage", "outcome": "trigger_outcome"}


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=[("", "—"), *StepKind.choices])
    template = forms.ModelChoiceField(
        label=_("E-mail"), queryset=EmailTemplate.objects.order_by("name"), required=False
    )
    subject = forms.CharField(label=_("Task"), required=False, max_length=step_rules.MAX_SUBJECT)
    due_in_days = forms.IntegerField(
        label=_("Task due in days"),
        required=False,
        min_value=0,
        max_value=step_rules.MAX_DUE_DAYS,
    )
    task_owner = forms.ModelChoiceField(
        label=_("Task for"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label=_("the contact's owner"),
    )
    task_team = forms.ModelChoiceField(
        label=_("Task for team"), queryset=Team.objects.all(), required=False
    )
    wait_days = forms.IntegerField(
        label=_("Wait days"), required=False, min_value=0, max_value=step_rules.MAX_WAIT_DAYS
    )
    wait_hours = forms.IntegerField(
        label=_("Wait hours"), required=False, min_value=0, max_value=step_rules.MAX_WAIT_HOURS
    )
    rules = forms.CharField(
        label=_("Condition (JSON rule tree)"),
        required=False,
        max_length=step_rules.MAX_RULES_JSON,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            'As segments write them, e.g. {"op": "and", "rules": [{"field": '
            '"purchases.count", "operator": "gte", "value": 2}]}.'
        ),
    )
    then = forms.ChoiceField(
        label=_("When it matches"), required=False, choices=[("", "—"), *BranchThen.choices]
    )
    jump_to = forms.IntegerField(
        label=_("Jump to step"), required=False, min_value=1, max_value=step_rules.MAX_STEPS
    )

    def step(self):
        """The step as the services take it."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "template": data.get("template"),
            "subject": data.get("subject") or "",
            "due_in_days": data.get("due_in_days") or 0,
            "task_owner": data.get("task_owner"),
            "task_team": data.get("task_team"),
            "wait_days": data.get("wait_days") or 0,
            "wait_hours": data.get("wait_hours") or 0,
            "rules": data.get("rules") or "",
            "then": data.get("then") or "",
            "jump_to": data.get("jump_to"),
        }


class BaseStepFormSet(forms.BaseFormSet):
    legend = _("Steps")

    def rows(self):
        """The filled-in forms in their order (by the order numbers, then as listed), without
        those marked for removal."""
        initial = self.initial_form_count()
        kept = [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed())
            and not self._should_delete_form(form)
            and form.cleaned_data
        ]
        return sorted(
            kept,
            key=lambda form: (
                form.cleaned_data.get("ORDER") is None,
                form.cleaned_data.get("ORDER") or 0,
                self.forms.index(form),
            ),
        )

    def service_rows(self):
        return [form.step() for form in self.rows()]


StepFormSet = forms.formset_factory(
    StepForm,
    formset=BaseStepFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=step_rules.MAX_STEPS,
    validate_max=True,
    absolute_max=step_rules.MAX_STEPS + 10,
)


def step_initial(sequence):
    """The formset's initial rows for ``sequence``'s steps."""
    import json

    return [
        {
            "kind": step.kind,
            "template": step.template_id,
            "subject": step.subject,
            "due_in_days": step.due_in_days or None,
            "task_owner": step.task_owner_id,
            "task_team": step.task_team_id,
            "wait_days": step.wait_days or None,
            "wait_hours": step.wait_hours or None,
            "rules": json.dumps(step.rules) if step.rules else "",
            "then": step.then,
            "jump_to": step.jump_to,
            "ORDER": step.position,
        }
        for step in sequence.steps.all()
    ]


class EnrollForm(forms.Form):
    contact = forms.IntegerField(label=_("Contact id"), min_value=1, max_value=2**63 - 1)
