"""Bounces and spam complaints of campaign e-mail, read from the mail intake captures.

Mail servers report a failed delivery with a delivery status notification (RFC 3464:
``multipart/report; report-type=delivery-status``) and mailbox providers a complaint with an
abuse report (RFC 5965, ARF: ``report-type=feedback-report``). Both carry the original
message's headers, so its Message-ID — which we signed (``tracking.message_id``) — says which
recipient it was about: a forged report cannot suppress anyone. A report that names none of
our messages is left to intake as ordinary mail.

A permanent failure (``Action: failed`` with a 5.x.x status) suppresses the address; a
temporary one (4.x.x, ``delayed``) is only noted.
"""

import re
from email import message_from_bytes, policy

from .models import CampaignRecipient
from .services import engagement
from .tracking import recipient_of_message_id

MAX_REPORT_BYTES = 2 * 1024 * 1024
_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")


def register():
    """Put ``handle_report`` among intake's report hooks (once)."""
    from clientela.intake.services.mail import routing

    if handle_report not in routing.REPORT_HOOKS:
        routing.REPORT_HOOKS.append(handle_report)


def handle_report(raw, parsed):
    """Intake's hook: true when ``raw`` was a bounce or complaint about one of our messages
    (and it was recorded)."""
    if not _looks_like_a_report(parsed) or len(raw) > MAX_REPORT_BYTES:
        return False
    message = message_from_bytes(raw, policy=policy.compat32)
    report_type = message.get_param("report-type", "", header="content-type").lower()
    recipient = _recipient(message)
    if recipient is None:
        return False
    if report_type == "feedback-report":
        engagement.record_complaint(recipient, detail=_feedback_type(message))
        return True
    outcome, detail = _delivery_status(message, recipient.email)
    if outcome:
        engagement.record_bounce(recipient, permanent=outcome == "failed", detail=detail)
    return True


def _looks_like_a_report(parsed):
    content_type = parsed.headers.get("content-type", "").lower()
    sender = parsed.from_address.lower().partition("@")[0]
    return content_type.startswith("multipart/report") or sender in (
        "mailer-daemon",
        "postmaster",
    )


def _recipient(message):
    """The recipient of the original message the report carries (its headers, or the
    message itself), found by our signed Message-ID."""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            recipient_id = recipient_of_message_id(inner.get("Message-ID", ""))
        elif content_type in ("text/rfc822-headers", "text/plain"):
            recipient_id = recipient_of_message_id(_text(part))
        else:
            continue
        if recipient_id is not None:
            return (
                CampaignRecipient.objects.select_related("contact").filter(pk=recipient_id).first()
            )
    return None


def _delivery_status(message, address):
    """``(outcome, detail)``: outcome ``"failed"`` (permanent), ``"delayed"`` (temporary) or
    ``""`` (delivered after all), from the report's per-recipient fields (the ones for
    ``address`` if there are several), else from the first status code in its text."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for fields in _field_blocks(part):
            recipient = fields.get("final-recipient", "").partition(";")[2].strip().lower()
            action = fields.get("action", "").lower()
            if not action or (recipient and recipient != address):
                continue
            status = fields.get("status", "")
            detail = " ".join(v for v in (status, fields.get("diagnostic-code", "")) if v)
            if action in ("delivered", "relayed", "expanded"):
                return "", detail[:500]
            if action == "failed" and status.startswith("5"):
                return "failed", detail[:500]
            return "delayed", detail[:500]  # delayed, a 4.x.x failure, or unreadable
    texts = (_text(part) for part in message.walk() if part.get_content_type() == "text/plain")
    found = _STATUS.search(" ".join(texts))
    if found is None:
        return "delayed", ""  # a bounce we cannot read: noted, not suppressed
    return ("failed" if found.group(1) == "5" else "delayed"), found.group(0)


def _field_blocks(part):
    """The header-like blocks of a ``message/delivery-status`` part (per-message first)."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser read the blocks as messages
        return [{k.lower(): str(v) for k, v in block.items()} for block in payload]
    blocks = []
    for chunk in re.split(r"\r?\n\r?\n", str(payload)):
        fields = {}
        for line in chunk.splitlines():
            name, sep, value = line.partition(":")
            if sep and not line[:1].isspace():
                fields[name.strip().lower()] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _feedback_type(message):
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            for block in _field_blocks(part):
                if "feedback-type" in block:
                    return f"Feedback-Type: {block['feedback-type']}"[:500]
    return "abuse report"


def _text(part):
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    return payload.decode(part.get_content_charset() or "utf-8", "replace")[:200_000]
