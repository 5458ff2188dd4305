"""Canned replies: write them, fill them in for a case, and send one as a macro."""

import string

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clientela.core.views.records import split_tags

from ..choices import CaseStatus
from ..models import CannedReply
from . import cases

CANNED_FIELDS = (
    "title",
    "language",
    "body",
    "set_status",
    "set_priority",
    "set_category",
    "add_tags",
    "active",
)
PLACEHOLDERS = ("first_name", "name", "case", "subject", "agent")


@transaction.atomic
def save_canned_reply(canned=None, *, actor, **fields):
    """Create (``canned`` None) or change a canned reply."""
    unknown = set(fields) - set(CANNED_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    canned = canned or CannedReply(created_by=actor if getattr(actor, "pk", None) else None)
    for name, value in fields.items():
        setattr(canned, name, value)
    canned.title = " ".join((canned.title or "").split())
    _check_placeholders(canned.body or "")
    canned.full_clean(exclude=["created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            canned.save()
    except IntegrityError:
        raise ValidationError(
            {"title": [_("Another canned reply in this language has this title.")]}
        ) from None
    return canned


def fill_in(canned, case, agent):
    """The reply's text for ``case``, its placeholders replaced."""
    contact = case.contact
    values = {
        "first_name": (contact.first_name if contact else "") or "",
        "name": str(contact) if contact else "",
        "case": case.reference,
        "subject": case.subject,
        "agent": agent.get_full_name() or agent.get_username(),
    }
    return canned.body.format_map(values)


_MACRO_STATUS = object()


@transaction.atomic
def send_canned_reply(case, canned, body, *, actor, status=_MACRO_STATUS):
    """Send ``body`` (the canned text as the agent left it) and apply the macro's changes.
    ``status``: what the agent chose on the form (``None``: keep it), else the macro's."""
    changes = {}
    if canned.set_priority:
        changes["priority"] = canned.set_priority
    if canned.set_category_id:
        changes["category"] = canned.set_category
    tags = None
    if canned.add_tags:
        tags = sorted({*(t.name for t in case.tags.all()), *split_tags(canned.add_tags)})
    if changes or tags:
        case = cases.update_case(case, actor=actor, tags=tags, **changes)
    if status is _MACRO_STATUS:
        status = canned.set_status or CaseStatus.PENDING_CUSTOMER
    return cases.reply_to_case(case, body, actor=actor, status=status)


def _check_placeholders(body):
    """Only the known names, plain: no format spec or conversion (``{name:>999999999}`` would
    build a gigabyte)."""
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        parts = None
    if parts is None or any(
        name is not None and (name not in PLACEHOLDERS or spec or conversion)
        for _text, name, spec, conversion in parts
    ):
        allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        message = _("Only these placeholders can be used: %(list)s. Write {{ and }} for braces.")
        raise ValidationError({"body": [message % {"list": allowed}]})
