"""Telling a user about a record a rule acted on. Today an e-mail in the user's language; the
in-app notifications of a later release replace ``notify_user`` and nothing else."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def notify_user(user, *, rule, record, message):
    """Tell ``user`` that ``rule`` ran for ``record``, with the rule's ``message``."""
    if not user.email:
        return
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        subject = _("%(rule)s: %(record)s") % {"rule": rule.name, "record": record}
        body = message
        url = _record_url(record)
        if url:
            body += "\n\n" + url
    address = user.email
    transaction.on_commit(lambda: _send(subject[:200], body, address))


def _record_url(record):
    base = getattr(settings, "BASE_URL", "")
    getter = getattr(record, "get_absolute_url", None)
    if not base or getter is None:
        return ""
    try:
        return base.rstrip("/") + getter()
    except Exception:  # a record kind without a page: the message alone says enough
        return ""


def _send(subject, body, address):
    try:
        send_mail(subject, body, None, [address])
    except Exception:
        logger.exception("workflow notification not sent")


def send_after_commit(message):
    """Send an e-mail once the run's changes are committed (never for a rolled-back run)."""

    def send():
        try:
            message.send()
        except Exception:
            logger.exception("workflow e-mail not sent")

    transaction.on_commit(send)
