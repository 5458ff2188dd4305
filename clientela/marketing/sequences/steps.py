"""A sequence's steps checked before they are saved: each step's fields for its kind, the
e-mail templates and people they name, waits between an hour and a year, branch rules
(``marketing.rules`` over the contact) and jumps to steps that exist without a loop that
never waits.

``clean(steps)`` takes a list of mappings (the API's and the page's formset alike; related
records as instances or ids) and returns the values to save, positions 1, 2, ... in order,
or raises ``ValidationError`` keyed ``steps.<index>.<field>``.
"""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import rules
from ..choices import BranchThen, StepKind

MAX_STEPS = 50
MAX_SUBJECT = 200
MAX_DUE_DAYS = 366
MAX_WAIT_DAYS = 365
MAX_WAIT_HOURS = MAX_WAIT_DAYS * 24
MAX_RULES_JSON = 16 * 1024
KEYS = {
    "kind",
    "template",
    "subject",
    "due_in_days",
    "task_owner",
    "task_team",
    "wait_days",
    "wait_hours",
    "rules",
    "then",
    "jump_to",
}
BLANK = {
    "template_id": None,
    "subject": "",
    "due_in_days": 0,
    "task_owner_id": None,
    "task_team_id": None,
    "wait_days": 0,
    "wait_hours": 0,
    "rules": {},
    "then": "",
    "jump_to": None,
}


def clean(steps):
    if not isinstance(steps, list | tuple):
        raise ValidationError({"steps": [_("Expected a list of steps.")]})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": [_("At most %(n)d steps.") % {"n": MAX_STEPS}]})
    errors, cleaned = {}, []
    for index, step in enumerate(steps):
        problems = {}
        if not isinstance(step, dict):
            errors[f"steps.{index}"] = [_("Expected a step.")]
            continue
        unknown = set(step) - KEYS
        if unknown:
            names = ", ".join(sorted(str(n)[:40] for n in unknown)[:5])
            errors[f"steps.{index}"] = [_("Unknown keys: %(keys)s.") % {"keys": names}]
            continue
        kind = step.get("kind")
        if kind not in StepKind.values:
            errors[f"steps.{index}.kind"] = [_("Choose one of the options.")]
            continue
        values = {**BLANK, "kind": kind, "position": index + 1}
        values.update(_CLEANERS[kind](step, problems))
        for key, messages in problems.items():
            errors[f"steps.{index}.{key}"] = messages
        cleaned.append(values)
    if not errors:
        errors.update(_check_jumps(cleaned))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _number(step, key, problems, *, low, high):
    value = step.get(key, 0)
    if value in (None, ""):
        value = 0
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 7:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems[key] = [_("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}]
        return low
    return value


def _record(step, key, model, problems, *, required=False, filters=None):
    """The id of the record ``step[key]`` names (an instance or an id), checked to exist."""
    value = step.get(key)
    if value in (None, ""):
        if required:
            problems[key] = [_("Choose one.")]
        return None
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool) or not str(pk).isdigit() or len(str(pk)) > 18:
        problems[key] = [_("Choose one of the options.")]
        return None
    if not model.objects.filter(pk=int(pk), **(filters or {})).exists():
        problems[key] = [_("Choose one of the options.")]
        return None
    return int(pk)


def _email(step, problems):
    from ..models import EmailTemplate

    return {"template_id": _record(step, "template", EmailTemplate, problems, required=True)}


def _task(step, problems):
    from clientela.core.models import Team, User

    subject = step.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        problems["subject"] = [_("Say what the task is.")]
        subject = ""
    elif len(subject.strip()) > MAX_SUBJECT:
        problems["subject"] = [_("At most %(n)d characters.") % {"n": MAX_SUBJECT}]
    return {
        "subject": subject.strip()[:MAX_SUBJECT],
        "due_in_days": _number(step, "due_in_days", problems, low=0, high=MAX_DUE_DAYS),
        "task_owner_id": _record(step, "task_owner", User, problems, filters={"is_active": True}),
        "task_team_id": _record(step, "task_team", Team, problems),
    }


def _wait(step, problems):
    days = _number(step, "wait_days", problems, low=0, high=MAX_WAIT_DAYS)
    hours = _number(step, "wait_hours", problems, low=0, high=MAX_WAIT_HOURS)
    if not problems:
        total = days * 24 + hours
        if total < 1:
            problems["wait_hours"] = [_("Wait at least an hour.")]
        elif total > MAX_WAIT_DAYS * 24:
            problems["wait_days"] = [_("Wait at most %(n)d days.") % {"n": MAX_WAIT_DAYS}]
    return {"wait_days": days, "wait_hours": hours}


def _branch(step, problems):
    tree = step.get("rules")
    if isinstance(tree, str):
        if len(tree) > MAX_RULES_JSON:
            tree = None
        else:
            try:
                tree = json.loads(tree) if tree.strip() else None
            except ValueError:
                tree = None
    if not isinstance(tree, dict) or not tree.get("rules"):
        problems["rules"] = [_("Give the condition: at least one rule.")]
        tree = {}
    else:
        try:
            tree = rules.validate("contact", tree)
        except rules.RuleError as error:
            problems["rules"] = [m for items in error.message_dict.values() for m in items][:10]
        else:
            if len(json.dumps(tree)) > MAX_RULES_JSON:
                problems["rules"] = [_("The condition is too long.")]
    then = step.get("then") or BranchThen.EXIT
    if then not in BranchThen.values:
        problems["then"] = [_("Choose one of the options.")]
    jump_to = None
    if then == BranchThen.JUMP:
        jump_to = _number(step, "jump_to", problems, low=1, high=MAX_STEPS)
    return {"rules": tree, "then": then, "jump_to": jump_to}


_CLEANERS = {
    StepKind.EMAIL: _email,
    StepKind.TASK: _task,
    StepKind.WAIT: _wait,
    StepKind.BRANCH: _branch,
}


def _check_jumps(steps):
    """Jumps name a step that exists (not the branch itself), and no way round the steps
    comes back to a step without a wait on the way (it would run for ever in one go)."""
    errors = {}
    count = len(steps)
    for index, step in enumerate(steps):
        target = step["jump_to"]
        if target is not None and (target > count or target == step["position"]):
            errors[f"steps.{index}.jump_to"] = [_("Jump to another step of this sequence.")]
    if errors:
        return errors
    # Edges between steps that run one after another in the same go: a wait ends the go.
    following = {}
    for step in steps:
        position = step["position"]
        if step["kind"] == StepKind.WAIT:
            following[position] = []
            continue
        nexts = [position + 1] if position < count else []
        if step["jump_to"] is not None:
            nexts.append(step["jump_to"])
        following[position] = nexts
    state = {}

    def loops(position):
        state[position] = "visiting"
        for target in following[position]:
            if state.get(target) == "visiting" or (target not in state and loops(target)):
                return True
        state[position] = "done"
        return False

    for step in steps:
        if step["position"] not in state and loops(step["position"]):
            index = next(i for i, s in enumerate(steps) if s["jump_to"] is not None)
            for i, s in enumerate(steps):
                if s["jump_to"] is not None and s["jump_to"] <= s["position"]:
                    index = i
                    break
            errors[f"steps.{index}.jump_to"] = [
                _("This jump makes a loop with no wait in it: add a wait step inside the loop.")
            ]
            break
    return errors
