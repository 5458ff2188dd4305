"""The consent log: every grant and withdrawal, and the contact's current consent kept in step.

The contact's ``consent_status``/``consent_at``/``consent_method``/``consent_proof`` show the
latest record for marketing e-mails; they are written here, never typed independently, so the
current state always follows the log.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import services as contact_services

from ..choices import (
    ConsentAction,
    ConsentMethod,
    ConsentPurpose,
    ConsentSource,
    ConsentStatus,
    LawfulBasis,
)
from ..models import ConsentRecord, ConsentText, Contact
from ..models_privacy import text_hash

# The purpose the contact's own consent fields mirror.
CURRENT_PURPOSE = ConsentPurpose.MARKETING_EMAIL
MAX_TEXT = 5000
MAX_NOTE = 1000
MAX_USER_AGENT = 500

# How a consent source reads in the contact's older ``consent_method`` field.
_METHOD_OF_SOURCE = {
    ConsentSource.WEB_FORM: ConsentMethod.WEB_FORM,
    ConsentSource.DOUBLE_OPT_IN: ConsentMethod.DOUBLE_OPT_IN,
    ConsentSource.EMAIL: ConsentMethod.EMAIL,
    ConsentSource.WITHDRAWAL_LINK: ConsentMethod.EMAIL,
    ConsentSource.PHONE: ConsentMethod.PHONE,
    ConsentSource.IN_PERSON: ConsentMethod.IN_PERSON,
    ConsentSource.PAPER: ConsentMethod.PAPER,
    ConsentSource.IMPORT: ConsentMethod.IMPORT,
    ConsentSource.API: ConsentMethod.API,
}


def consent_text(purpose, text, language=""):
    """The stored version of ``text`` (created, with the next version number, the first time
    it is seen); ``None`` for an empty text."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    language = (language or "")[:5]
    digest = text_hash(text)
    found = ConsentText.objects.filter(purpose=purpose, language=language, sha256=digest).first()
    if found:
        return found
    with transaction.atomic():
        latest = ConsentText.objects.select_for_update().filter(purpose=purpose, language=language)
        version = (latest.aggregate(v=Max("version"))["v"] or 0) + 1
        return ConsentText.objects.create(
            purpose=purpose, language=language, version=version, text=text, sha256=digest
        )


@transaction.atomic
def record_consent(
    contact,
    *,
    actor,
    purpose=CURRENT_PURPOSE,
    lawful_basis=LawfulBasis.CONSENT,
    source,
    text="",
    language="",
    ip_address=None,
    user_agent="",
    form_submission_id=None,
    note="",
    recorded_at=None,
):
    """Append a grant of consent for ``purpose`` and bring the contact's current consent up to
    date. Returns the new ``ConsentRecord``."""
    return _append(
        contact,
        ConsentAction.GRANT,
        actor=actor,
        purpose=purpose,
        lawful_basis=lawful_basis,
        source=source,
        text=text,
        language=language,
        ip_address=ip_address,
        user_agent=user_agent,
        form_submission_id=form_submission_id,
        note=note,
        recorded_at=recorded_at,
    )


@transaction.atomic
def withdraw_consent(
    contact,
    *,
    actor,
    purpose=CURRENT_PURPOSE,
    source,
    ip_address=None,
    user_agent="",
    note="",
    recorded_at=None,
):
    """Append a withdrawal of consent for ``purpose``; the contact's current consent follows.
    Withdrawing what was never granted is recorded too (a person may say no in advance)."""
    return _append(
        contact,
        ConsentAction.WITHDRAW,
        actor=actor,
        purpose=purpose,
        lawful_basis=LawfulBasis.CONSENT,
        source=source,
        text="",
        language="",
        ip_address=ip_address,
        user_agent=user_agent,
        form_submission_id=None,
        note=note,
        recorded_at=recorded_at,
    )


def _append(contact, action, *, actor, purpose, lawful_basis, source, text, language, **evidence):
    errors = {}
    for name, value, choices in (
        ("purpose", purpose, ConsentPurpose),
        ("lawful_basis", lawful_basis, LawfulBasis),
        ("source", source, ConsentSource),
    ):
        if value not in choices.values:
            errors[name] = [_("Choose one of: %(options)s.") % {"options": ", ".join(choices)}]
    note = str(evidence.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [_("At most %(n)d characters.") % {"n": MAX_NOTE}]
    if errors:
        raise ValidationError(errors)
    contact = Contact.all_objects.select_for_update().get(pk=contact.pk)
    if contact.anonymised_at is not None:
        raise ValidationError(_("This contact was anonymised."))
    record = ConsentRecord(
        contact=contact,
        purpose=purpose,
        lawful_basis=lawful_basis,
        action=action,
        recorded_at=evidence.get("recorded_at") or timezone.now(),
        source=source,
        text=consent_text(purpose, text, language or contact.language),
        ip_address=evidence.get("ip_address") or None,
        user_agent=str(evidence.get("user_agent") or "")[:MAX_USER_AGENT],
        form_submission_id=evidence.get("form_submission_id"),
        recorded_by=actor if actor and actor.pk else None,
        note=note,
    )
    record.full_clean(exclude=["contact", "text", "recorded_by"])
    record.save()
    if purpose == CURRENT_PURPOSE:
        _show_on_contact(contact, record, actor)
    return record


def _show_on_contact(contact, record, actor):
    """The contact's consent fields as the latest marketing e-mail record says."""
    status = ConsentStatus.GRANTED if record.is_grant else ConsentStatus.WITHDRAWN
    proof = record.note
    if record.text_id:
        proof = _("“%(text)s” (version %(version)d)") % {
            "text": record.text.text,
            "version": record.text.version,
        }
        if record.note:
            proof += "\n" + record.note
    contact_services.update_contact(
        contact,
        actor=actor,
        consent_status=status,
        consent_at=record.recorded_at,
        consent_method=_METHOD_OF_SOURCE.get(record.source, ""),
        consent_proof=proof[:4000],
        consent_logged=True,
    )


def current_consents(contact):
    """``{purpose: latest record}`` for every purpose the log mentions."""
    latest = {}
    for record in ConsentRecord.objects.filter(contact=contact).order_by("id"):
        latest[record.purpose] = record
    return latest


def latest_record_id(contact, purpose):
    return (
        ConsentRecord.objects.filter(contact=contact, purpose=purpose)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def has_consent(contact, purpose):
    record = current_consents(contact).get(purpose)
    return bool(record and record.is_grant)


# Typed consent (the contact form, the API, an import): a record in the log for each change.
_ACTION_OF_STATUS = {
    ConsentStatus.GRANTED: ConsentAction.GRANT,
    ConsentStatus.WITHDRAWN: ConsentAction.WITHDRAW,
    ConsentStatus.DENIED: ConsentAction.WITHDRAW,
}
_SOURCE_OF_METHOD = {method: source for source, method in _METHOD_OF_SOURCE.items()}
_SOURCE_OF_CHANGE = {"ui": ConsentSource.UI, "api": ConsentSource.API, "import": "import"}


def log_typed_consent(contact, *, actor):
    """Append the record a typed change of ``consent_status`` means (called by the contact
    services when the status changed outside this module). Pending and unknown are states of
    a request, not decisions: they are not logged."""
    from clientela.core.context import current_source

    action = _ACTION_OF_STATUS.get(contact.consent_status)
    if action is None:
        return None
    source = _SOURCE_OF_METHOD.get(contact.consent_method) or _SOURCE_OF_CHANGE.get(
        current_source(), ConsentSource.UI
    )
    record = ConsentRecord(
        contact=contact,
        purpose=CURRENT_PURPOSE,
        lawful_basis=LawfulBasis.CONSENT,
        action=action,
        recorded_at=contact.consent_at or timezone.now(),
        source=source,
        recorded_by=actor if actor and actor.pk else None,
        note=(contact.consent_proof or "")[:MAX_NOTE],
    )
    record.save()
    return record
