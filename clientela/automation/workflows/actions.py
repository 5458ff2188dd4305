"""Actions: what a rule does to the record that matched, each validated when the rule is saved
and run through the services by the rule's job.

An action is a JSON object ``{"kind": ..., <options>}``; ``clean(entity, actions)`` checks the
list and ``run(action, context)`` does one, returning a short result for the run log.
"""

import datetime
import decimal
import importlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ActionKind as A
from ..choices import WorkflowEntity as E
from . import notify, records

MAX_ACTIONS = 20
MAX_TEXT = 300
MAX_MESSAGE = 2000
MAX_TAGS = 20
MAX_DUE_DAYS = 366
# The record kinds whose records have an owner and team, tags and an update service.
OWNED = (E.CONTACT, E.COMPANY, E.DEAL, E.CASE)
OPTION_KEYS = {
    A.SEND_EMAIL: {"template"},
    A.CREATE_TASK: {"subject", "due_in_days", "owner", "team"},
    A.ASSIGN: {"owner", "team"},
    A.UPDATE_FIELD: {"field", "value"},
    A.TAG: {"add", "remove"},
    A.ADD_TO_SEQUENCE: {"sequence"},
    A.NOTIFY: {"user", "message"},
    A.CALL_WEBHOOK: {"webhook"},
    A.CREATE_CASE: {"subject"},
    A.CREATE_DEAL: {"name", "pipeline", "amount"},
}


def kinds_for(entity):
    """The action kinds a rule on ``entity`` may use."""
    kinds = [k for k in A.values if entity in OWNED or k not in (A.ASSIGN, A.UPDATE_FIELD, A.TAG)]
    if entity not in records.UPDATE_SERVICES:
        kinds = [k for k in kinds if k != A.UPDATE_FIELD]
    return kinds


# --- validation ---------------------------------------------------------------------------------


def clean(entity, actions):
    """The list of actions, each checked, or a ``ValidationError`` keyed ``actions.<i>.<key>``."""
    if not isinstance(actions, list):
        raise ValidationError({"actions": [_("Expected a list of actions.")]})
    if not actions:
        raise ValidationError({"actions": [_("Add at least one action.")]})
    if len(actions) > MAX_ACTIONS:
        raise ValidationError({"actions": [_("At most %(n)d actions.") % {"n": MAX_ACTIONS}]})
    allowed = kinds_for(entity)
    errors, cleaned = {}, []
    for index, action in enumerate(actions):
        path = f"actions.{index}"
        if not isinstance(action, dict):
            errors[path] = [_("Expected an action.")]
            continue
        kind = action.get("kind")
        if kind not in allowed:
            errors[f"{path}.kind"] = [_("This action cannot be used here.")]
            continue
        options = {k: v for k, v in action.items() if k != "kind"}
        unknown = set(options) - OPTION_KEYS[kind]
        if unknown:
            names = ", ".join(sorted(str(n)[:40] for n in unknown)[:5])
            errors[path] = [_("Unknown keys: %(keys)s.") % {"keys": names}]
            continue
        problems = {}
        result = _CLEANERS[kind](entity, options, problems)
        for key, messages in problems.items():
            errors[f"{path}.{key}"] = messages
        cleaned.append({"kind": kind, **result})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _text(options, key, problems, *, limit=MAX_TEXT, required=True):
    value = options.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[key] = [_("Enter text.")]
        return ""
    value = value.strip()
    if required and not value:
        problems[key] = [_("This field is required.")]
    elif len(value) > limit:
        problems[key] = [_("At most %(n)d characters.") % {"n": limit}]
    return value


def _pk(options, key, model, problems, *, required=False, filters=None):
    value = options.get(key)
    if value in (None, ""):
        if required:
            problems[key] = [_("Choose one.")]
        return None
    if isinstance(value, bool) or not str(value).isdigit() or len(str(value)) > 18:
        problems[key] = [_("Choose one of the options.")]
        return None
    if not model.objects.filter(pk=int(value), **(filters or {})).exists():
        problems[key] = [_("Choose one of the options.")]
        return None
    return int(value)


def _user_model():
    from clientela.core.models import User

    return User


def _team_model():
    from clientela.core.models import Team

    return Team


def _clean_send_email(entity, options, problems):
    from clientela.marketing.models import EmailTemplate

    return {"template": _pk(options, "template", EmailTemplate, problems, required=True)}


def _clean_create_task(entity, options, problems):
    days = options.get("due_in_days", 0)
    if isinstance(days, str) and days.strip().isdigit() and len(days.strip()) < 5:
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DUE_DAYS:
        problems["due_in_days"] = [_("Enter a number from 0 to %(n)d.") % {"n": MAX_DUE_DAYS}]
    return {
        "subject": _text(options, "subject", problems),
        "due_in_days": days,
        "owner": _pk(options, "owner", _user_model(), problems, filters={"is_active": True}),
        "team": _pk(options, "team", _team_model(), problems),
    }


def _clean_assign(entity, options, problems):
    owner = _pk(options, "owner", _user_model(), problems, filters={"is_active": True})
    team = _pk(options, "team", _team_model(), problems)
    if owner is None and team is None and not problems:
        problems["owner"] = [_("Choose an owner, a team or both.")]
    return {"owner": owner, "team": team}


def _clean_update_field(entity, options, problems):
    fields = records.updatable_fields(entity)
    name = options.get("field")
    field = fields.get(name) if isinstance(name, str) else None
    if field is None:
        problems["field"] = [_("Choose a field of this record type.")]
        return {"field": name if isinstance(name, str) else "", "value": ""}
    raw = options.get("value")
    if raw is not None and not isinstance(raw, str | int | float | bool):
        problems["value"] = [_("Enter a value.")]
        return {"field": name, "value": ""}
    text = "" if raw is None else str(raw)
    if len(text) > MAX_MESSAGE:
        problems["value"] = [_("At most %(n)d characters.") % {"n": MAX_MESSAGE}]
        return {"field": name, "value": ""}
    try:
        field.clean(field.to_python(text) if text != "" else field.get_default(), None)
    except ValidationError as error:
        problems["value"] = list(error.messages)
    return {"field": name, "value": text}


def _tag_list(options, key, problems):
    value = options.get(key) or []
    if isinstance(value, str):
        value = [t for t in (p.strip() for p in value.split(",")) if t]
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        problems[key] = [_("Enter tag names.")]
        return []
    value = [t.strip() for t in value if t.strip()]
    if len(value) > MAX_TAGS or any(len(t) > 50 for t in value):
        problems[key] = [_("At most %(n)d tags of 50 characters.") % {"n": MAX_TAGS}]
    return value


def _clean_tag(entity, options, problems):
    add, remove = _tag_list(options, "add", problems), _tag_list(options, "remove", problems)
    if not add and not remove and not problems:
        problems["add"] = [_("Name a tag to add or remove.")]
    return {"add": add, "remove": remove}


def _clean_sequence(entity, options, problems):
    from clientela.marketing.models import Sequence

    return {"sequence": _pk(options, "sequence", Sequence, problems, required=True)}


def _clean_notify(entity, options, problems):
    user = _pk(options, "user", _user_model(), problems, filters={"is_active": True})
    return {"user": user, "message": _text(options, "message", problems, limit=MAX_MESSAGE)}


def _clean_webhook(entity, options, problems):
    from ..models import OutgoingWebhook

    return {"webhook": _pk(options, "webhook", OutgoingWebhook, problems, required=True)}


def _clean_create_case(entity, options, problems):
    return {"subject": _text(options, "subject", problems, limit=200)}


def _clean_create_deal(entity, options, problems):
    from clientela.sales.models import Pipeline

    amount = options.get("amount")
    if amount in (None, ""):
        amount = "0"
    try:
        number = decimal.Decimal(str(amount))
        if not number.is_finite() or not 0 <= number < 10**12 or len(str(amount)) > 20:
            raise decimal.InvalidOperation
    except (decimal.InvalidOperation, ValueError):
        problems["amount"] = [_("Enter an amount.")]
        number = decimal.Decimal(0)
    return {
        "name": _text(options, "name", problems, limit=200),
        "pipeline": _pk(options, "pipeline", Pipeline, problems),
        "amount": format(number, "f"),
    }


_CLEANERS = {
    A.SEND_EMAIL: _clean_send_email,
    A.CREATE_TASK: _clean_create_task,
    A.ASSIGN: _clean_assign,
    A.UPDATE_FIELD: _clean_update_field,
    A.TAG: _clean_tag,
    A.ADD_TO_SEQUENCE: _clean_sequence,
    A.NOTIFY: _clean_notify,
    A.CALL_WEBHOOK: _clean_webhook,
    A.CREATE_CASE: _clean_create_case,
    A.CREATE_DEAL: _clean_create_deal,
}


# --- running ------------------------------------------------------------------------------------


class Context:
    """What an action runs on: the rule, its entity, the record (fresh from the database) and
    the event that started it."""

    def __init__(self, rule, record, event="", changes=None):
        self.rule, self.record, self.event, self.changes = rule, record, event, changes
        self.kind = records.KINDS[rule.entity]

    @property
    def contact(self):
        """The person the record is about (itself, its contact, or a deal's first contact)."""
        if self.rule.entity == E.CONTACT:
            return self.record
        if self.rule.entity == E.DEAL:
            return self.record.contacts.order_by("pk").first()
        return getattr(self.record, "contact", None)

    def link(self):
        """How a task or case points at the record."""
        entity, record = self.rule.entity, self.record
        if entity in (E.CONTACT, E.COMPANY, E.DEAL):
            return {entity: record}
        contact = self.contact
        return {"contact": contact} if contact else {}


class Skipped(Exception):
    """The action had nothing to do (no contact, no consent...): the run goes on."""


def run(action, context):
    """Do one action; returns ``{"kind", "ok", "detail"}`` for the log."""
    try:
        detail = _RUNNERS[action["kind"]](action, context)
    except Skipped as skipped:
        return {"kind": action["kind"], "ok": True, "skipped": True, "detail": str(skipped)}
    return {"kind": action["kind"], "ok": True, "detail": detail}


def _send_email(action, context):
    from clientela.marketing import rendering
    from clientela.marketing.choices import TemplatePurpose
    from clientela.marketing.models import EmailTemplate, Suppression

    template = EmailTemplate.objects.filter(pk=action["template"]).first()
    if template is None:
        raise Skipped(_("The e-mail template is gone."))
    contact = context.contact
    address = contact.primary_email if contact else ""
    if not address:
        raise Skipped(_("No e-mail address."))
    if template.purpose != TemplatePurpose.TRANSACTIONAL:
        if not contact.has_marketing_consent:
            raise Skipped(_("No marketing consent."))
        if Suppression.objects.filter(email__iexact=address).exists():
            raise Skipped(_("The address is suppressed."))
    rendered = rendering.render_email(template, contact)
    message = rendering.build_message(
        rendered, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
    )
    notify.send_after_commit(message)
    return address


def _create_task(action, context):
    from clientela.activities import services as activities
    from clientela.activities.choices import ActivityKind

    due = timezone.now() + datetime.timedelta(days=action["due_in_days"])
    task = activities.log_activity(
        actor=None,
        kind=ActivityKind.TASK,
        subject=action["subject"],
        due_at=due,
        owner=_user(action.get("owner")) or _record_owner(context, action),
        team=_team(action.get("team")),
        **context.link(),
    )
    return f"task {task.pk}"


def _record_owner(context, action):
    # A task for a team goes to the team; one for nobody in particular, to the record's owner.
    return None if action.get("team") else getattr(context.record, "owner", None)


def _user(pk):
    return _user_model().objects.filter(pk=pk, is_active=True).first() if pk else None


def _team(pk):
    return _team_model().objects.filter(pk=pk).first() if pk else None


def _assign(action, context):
    from clientela.core import services as core_services

    changed = core_services.assign_records(
        [context.record],
        actor=None,
        owner=_user(action.get("owner")),
        team=_team(action.get("team")),
        set_owner=action.get("owner") is not None,
        set_team=action.get("team") is not None,
    )
    return "changed" if changed else "unchanged"


def _update_field(action, context):
    module, name = records.UPDATE_SERVICES[context.rule.entity]
    service = getattr(importlib.import_module(module), name)
    field = records.updatable_fields(context.rule.entity).get(action["field"])
    if field is None:
        raise Skipped(_("The field is gone."))
    text = action["value"]
    value = field.to_python(text) if text != "" else field.get_default()
    service(context.record, actor=None, **{field.name: value})
    return f"{field.name}={text}"


def _tag(action, context):
    from clientela.core import services as core_services

    core_services.tag_records(
        [context.record], actor=None, add=action["add"], remove=action["remove"]
    )
    return ", ".join([*("+" + t for t in action["add"]), *("-" + t for t in action["remove"])])


def _add_to_sequence(action, context):
    from clientela.marketing.models import Sequence
    from clientela.marketing.services import sequences

    sequence = Sequence.objects.filter(pk=action["sequence"]).first()
    contact = context.contact
    if sequence is None or contact is None:
        raise Skipped(_("No sequence or no contact."))
    sequences.enroll(sequence, contact, source="automation")
    return f"sequence {sequence.pk}"


def _notify(action, context):
    user = _user(action.get("user")) or getattr(context.record, "owner", None)
    if user is None:
        raise Skipped(_("Nobody to notify."))
    notify.notify_user(user, rule=context.rule, record=context.record, message=action["message"])
    return user.get_username()


def _call_webhook(action, context):
    from ..models import OutgoingWebhook
    from ..services import deliveries

    webhook = OutgoingWebhook.objects.filter(pk=action["webhook"], active=True).first()
    if webhook is None:
        raise Skipped(_("The webhook is off or gone."))
    event = context.event or f"{context.kind.event_prefix}.workflow"
    delivery = deliveries.queue_to(webhook, event, context.record, context.changes)
    return f"delivery {delivery.pk}"


def _create_case(action, context):
    from clientela.support.services import cases

    contact = context.contact
    case = cases.create_case(
        actor=None,
        subject=action["subject"],
        contact=contact,
        company=getattr(context.record, "company", None)
        if context.rule.entity != E.COMPANY
        else context.record,
    )
    return f"case {case.pk}"


def _create_deal(action, context):
    from clientela.sales.models import Pipeline
    from clientela.sales.services import deals

    contact = context.contact
    fields = {"name": action["name"], "amount": decimal.Decimal(action["amount"])}
    if action.get("pipeline"):
        fields["pipeline"] = Pipeline.objects.filter(pk=action["pipeline"]).first()
    if context.rule.entity == E.COMPANY:
        fields["company"] = context.record
    deal = deals.create_deal(actor=None, contacts=[contact] if contact else (), **fields)
    return f"deal {deal.pk}"


_RUNNERS = {
    A.SEND_EMAIL: _send_email,
    A.CREATE_TASK: _create_task,
    A.ASSIGN: _assign,
    A.UPDATE_FIELD: _update_field,
    A.TAG: _tag,
    A.ADD_TO_SEQUENCE: _add_to_sequence,
    A.NOTIFY: _notify,
    A.CALL_WEBHOOK: _call_webhook,
    A.CREATE_CASE: _create_case,
    A.CREATE_DEAL: _create_deal,
}
