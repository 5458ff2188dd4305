"""Web forms: their definitions, and what a submission does.

A submission finds the contact by e-mail (or creates one): it never makes a duplicate of a
known address, and it fills in what the form asked without erasing what the team already knows.
It keeps the submission as it arrived, logs it on the contact's timeline, hands a new contact to
the assignment rules, tells the owner, and, when marketing consent was ticked, either records it
or (double opt-in) e-mails a signed link that records it when followed. ``form.submitted`` is
published with the submission once it is committed.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clientela.activities import services as activity_services
from clientela.contacts import services as contact_services
from clientela.contacts.choices import ConsentSource, ConsentStatus, SourceChannel
from clientela.contacts.privacy import consent
from clientela.core import events

from ..models import FormSubmission, WebForm
from . import leads

MAX_FIELDS = 30
CONSENT_FIELD = "consent"
CONSENT_SALT = "clientela.intake.consent"
CONSENT_LINK_DAYS = 14


# --- definitions ---------------------------------------------------------------------------------


@transaction.atomic
def create_form(*, actor, name, fields, **options):
    form = WebForm(name=(name or "").strip(), **options)
    form.slug = form.slug or _free_slug(form.name)
    form.fields = _clean_fields(fields)
    form.full_clean(validate_constraints=False)
    form.save()
    return form


@transaction.atomic
def update_form(form, *, actor, fields=None, **options):
    form = WebForm.objects.select_for_update().get(pk=form.pk)
    for name, value in options.items():
        setattr(form, name, value)
    if fields is not None:
        form.fields = _clean_fields(fields)
    form.full_clean(validate_constraints=False)
    form.save()
    return form


def _free_slug(name):
    base = slugify(name)[:50] or "form"
    slug, n = base, 1
    while WebForm.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_fields(fields):
    cleaned, errors = [], []
    for item in fields or []:
        name = str(item.get("name", "")).strip()
        if not leads.is_target(name):
            errors.append(_("“%(name)s” is not a field a form can fill.") % {"name": name})
            continue
        if name in {f["name"] for f in cleaned}:
            continue
        label = str(item.get("label") or name).strip()[:200]
        cleaned.append({"name": name, "label": label, "required": bool(item.get("required"))})
    if not any(f["name"] == "email" for f in cleaned):
        errors.append(_("A form needs an e-mail field: it is how a person is recognised."))
    if len(cleaned) > MAX_FIELDS:
        errors.append(_("A form has at most %(n)d fields.") % {"n": MAX_FIELDS})
    if errors:
        raise ValidationError({"fields": errors})
    return cleaned


# --- submissions ---------------------------------------------------------------------------------


@transaction.atomic
def submit_form(form, data, *, context=None, language="en", evidence=None):
    """Process one submission of ``form`` (``data``: field name -> text). Returns the contact;
    raises ``ValidationError`` (field -> messages) and writes nothing when the input is wrong.
    ``evidence`` (``ip_address``, ``user_agent``) goes to the consent log only, as proof of a
    consent given on the form; the submission itself keeps no address."""
    values = leads.clean_values(
        {field["name"]: data.get(field["name"], "") for field in form.fields},
        required=[field["name"] for field in form.fields if field["required"]] + ["email"],
    )
    consented = str(data.get(CONSENT_FIELD, "")).lower() in {"1", "on", "true", "yes"}
    context = dict(context or {})
    if consented:
        context["consent_text"] = form.consent_in(language)
        context.setdefault("language", language)
    actor = None  # a form is filled by the person themselves, not by a user
    where = {"source": SourceChannel.WEB_FORM, "source_detail": form.name, "actor": actor}
    contact, new = leads.upsert_contact(values, language=language, **where)
    leads.open_deal(
        contact,
        values,
        default_name=_("%(form)s: %(name)s") % {"form": form.name, "name": contact},
        **where,
    )
    submission = FormSubmission.objects.create(
        form=form, contact=contact, data=dict(data), context=context
    )
    activity_services.log_activity(
        actor=actor,
        kind="note",
        subject=_("Filled in the form “%(form)s”") % {"form": form.name},
        body=_submission_text(form, data),
        contact=contact,
        owner=contact.owner,
        team=contact.team,
    )
    if consented:
        _ask_or_record_consent(form, contact, submission, language, evidence or {})
    leads.tell_owner(contact, new, _("the form “%(form)s”") % {"form": form.name})
    events.publish("form.submitted", record=submission, actor=None)
    return contact


def _submission_text(form, data):
    lines = []
    for field in form.fields:
        value = str(data.get(field["name"], "")).strip()
        if value:
            lines.append(f"{field['label']}: {value}")
    return "\n".join(lines)


def _ask_or_record_consent(form, contact, submission, language, evidence):
    if contact.consent_status == ConsentStatus.GRANTED:
        return
    if not form.double_opt_in:
        _record_consent(contact, submission, ConsentSource.WEB_FORM, evidence)
        return
    contact_services.update_contact(contact, actor=None, consent_status=ConsentStatus.PENDING)
    link = settings.BASE_URL.rstrip("/") + reverse(
        "intake:confirm_consent", args=[consent_token(submission)]
    )
    with translation.override(language):
        subject = _("Please confirm your subscription")
        body = _(
            "Hello,\n\nYou asked %(business)s to keep you informed. Please confirm it by "
            "following this link (valid for %(days)d days):\n\n%(link)s\n\nIf it was not you, "
            "ignore this message: nothing will be sent to you."
        ) % {"business": form.name, "days": CONSENT_LINK_DAYS, "link": link}
    address = contact.primary_email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


def consent_token(submission):
    return signing.dumps({"s": submission.pk}, salt=CONSENT_SALT, compress=True)


@transaction.atomic
def confirm_consent(token, *, evidence=None):
    """Record the consent a double opt-in link confirms (``evidence``: the IP address and
    browser that followed it); returns the contact, or raises ``ValidationError`` for a forged,
    expired or unknown link."""
    try:
        payload = signing.loads(token, salt=CONSENT_SALT, max_age=CONSENT_LINK_DAYS * 86400)
        submission = FormSubmission.objects.select_related("contact").get(pk=payload["s"])
    except (signing.BadSignature, FormSubmission.DoesNotExist, KeyError, TypeError) as error:
        raise ValidationError(_("This confirmation link is not valid any more.")) from error
    if submission.contact is None:
        raise ValidationError(_("This confirmation link is not valid any more."))
    if submission.contact.anonymised_at is not None:
        raise ValidationError(_("This confirmation link is not valid any more."))
    if submission.contact.consent_status != ConsentStatus.GRANTED:
        _record_consent(submission.contact, submission, ConsentSource.DOUBLE_OPT_IN, evidence or {})
    return submission.contact


def _record_consent(contact, submission, source, evidence):
    """The consent, in the log, with the text shown in the person's language at submission."""
    note = _("Form “%(form)s”, submission %(id)s") % {
        "form": submission.form.name,
        "id": submission.pk,
    }
    consent.record_consent(
        contact,
        actor=None,
        source=source,
        text=submission.context.get("consent_text") or "",
        language=submission.context.get("language", ""),
        form_submission_id=submission.pk,
        ip_address=evidence.get("ip_address"),
        user_agent=evidence.get("user_agent", ""),
        note=note[:1000],
    )


def address_hash(address):
    """Who sent a submission, without keeping their IP address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:16]
