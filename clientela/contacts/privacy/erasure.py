"""Erasure (GDPR Art. 17): anonymise a contact or purge them.

* **anonymise** keeps the record for the figures (deals, purchases, activity counts) and
  removes everything personal: names become a placeholder; e-mails, phones, company links,
  address, notes, custom fields and free text go; activities about the person lose their
  subject, text and addresses; form submissions and lead deliveries lose their payloads; the
  consent log loses its evidence (IP address, browser, notes); history entries lose the
  before/after values of personal fields; the search index is rewritten.
* **purge** deletes the person everywhere (trash included): the contact with its e-mails,
  phones, links, consent log and history, the activities about them, their form submissions
  and lead deliveries. Deals and purchases stay for the accounts, unlinked.

Both record a ``PrivacyRequest`` (who, when, which contact id, what was done, why) that holds
no personal data and survives the erasure. Trashed duplicates once merged into the contact
are purged too (they hold the same person's data).
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import events, records, search
from clientela.core.choices import ChangeAction
from clientela.core.history import record_change, record_changes
from clientela.core.models import ChangeRecord

from ..choices import ConsentSource, PrivacyRequestKind
from ..models import (
    ConsentRecord,
    Contact,
    ContactEmail,
    ContactPhone,
    DuplicateDismissal,
    Employment,
)
from . import consent
from .audit import audit_request, clean_reason

ERASED = "[erased]"
# History fields of a contact that say nothing about who the person is.
KEPT_CONTACT_HISTORY = {
    "lifecycle_stage",
    "lead_status",
    "source",
    "consent_status",
    "consent_at",
    "consent_method",
    "language",
    "owner",
    "team",
    "tags",
    "deleted_at",
    "anonymised",
}
PERSONAL_CONTACT_FIELDS = (
    "last_name",
    "second_last_name",
    "job_title",
    "source_detail",
    "consent_proof",
    "notes",
    "street",
    "city",
    "postcode",
    "region",
    "country",
)
ACTIVITY_TEXT_FIELDS = ("subject", "body", "place", "from_address", "to_addresses", "message_id")
_MERGED_ID = re.compile(r"\(#(\d+)\)$")
MIN_SECRET = 3  # shorter strings ("Li") would blank unrelated words


def anonymised_name():
    return _("Anonymised contact")


# scrub(contact, secrets): apps above this one blank the person's strings in what they keep
# about records linked to the person (collaboration's feed, notifications and comments);
# called inside the erasure's transaction, before the contact is blanked or deleted.
_scrubbers = []


def add_scrubber(scrub):
    if scrub not in _scrubbers:
        _scrubbers.append(scrub)


def _run_scrubbers(contact, secrets):
    for scrub in _scrubbers:
        scrub(contact, secrets)


@transaction.atomic
def anonymise_contact(contact, *, actor, reason="", source=ConsentSource.UI):
    """Remove every personal datum of ``contact`` and keep the record; returns the
    ``PrivacyRequest``. Raises ``ValidationError`` when it was already anonymised."""
    reason = clean_reason(reason)
    contact = Contact.all_objects.select_for_update().get(pk=contact.pk)
    if contact.anonymised_at is not None:
        raise ValidationError(_("This contact was already anonymised."))
    audit = audit_request(PrivacyRequestKind.ANONYMISE, contact.pk, actor=actor, reason=reason)
    secrets = personal_strings(contact)
    merged_ids = _merged_ids(contact)
    note = _("Erasure request %(id)d") % {"id": audit.pk}
    granted = {p for p, r in consent.current_consents(contact).items() if r.is_grant}
    if contact.has_marketing_consent:  # also a consent typed before the log existed
        granted.add(consent.CURRENT_PURPOSE)
    for purpose in sorted(granted):
        consent.withdraw_consent(contact, actor=actor, purpose=purpose, source=source, note=note)
    contact.refresh_from_db()
    outcome = {"contact": 1}
    outcome.update(_scrub_activities(contact, actor, audit))
    outcome.update(_scrub_intake(contact))
    outcome["deals_renamed"] = _scrub_deals(contact, secrets, actor)
    _run_scrubbers(contact, secrets)
    _blank_contact(contact, actor, audit)
    outcome["consent_records"] = ConsentRecord.objects.filter(contact=contact).scrub_evidence()
    outcome["history_entries"] = _scrub_contact_history(contact, secrets)
    _reindex_purchases(contact.pk)
    outcome["merged_duplicates_purged"] = _purge_merged(merged_ids, actor, audit)
    audit.outcome = outcome
    audit.save(update_fields=["outcome"])
    return audit


@transaction.atomic
def purge_contact(contact, *, actor, reason=""):
    """Delete ``contact`` and their personal data everywhere, in the trash or not; returns
    the ``PrivacyRequest``."""
    reason = clean_reason(reason)
    contact = Contact.all_objects.select_for_update().get(pk=contact.pk)
    own_audit = audit_request(PrivacyRequestKind.PURGE, contact.pk, actor=actor, reason=reason)
    secrets = personal_strings(contact)
    merged_ids = _merged_ids(contact)
    outcome = {"contact": 1}
    outcome["activities_deleted"] = _delete_activities(contact)
    outcome.update(_delete_intake(contact))
    outcome["deals_renamed"] = _scrub_deals(contact, secrets, actor)
    _run_scrubbers(contact, secrets)
    purchase_ids = _purchase_ids(contact.pk)
    outcome["history_entries"] = _history_of(Contact, [contact.pk]).delete()[0]
    DuplicateDismissal.objects.filter(kind="contact", low_id=contact.pk).delete()
    DuplicateDismissal.objects.filter(kind="contact", high_id=contact.pk).delete()
    search.unindex(Contact, [contact.pk])
    outcome["consent_records"] = ConsentRecord.objects.filter(contact=contact).count()
    Contact.all_objects.filter(pk=contact.pk).delete()
    events.publish("contact.purged", record=contact, actor=actor)
    _reindex_purchases(None, purchase_ids)
    outcome["merged_duplicates_purged"] = _purge_merged(merged_ids, actor, own_audit)
    own_audit.outcome = outcome
    own_audit.save(update_fields=["outcome"])
    return own_audit


# --- what is personal ---------------------------------------------------------------------------


def personal_strings(contact):
    """The strings that identify the person (names, addresses, numbers), longest first, to
    blank wherever free text repeats them (deal names, other records' history)."""
    values = {
        contact.full_name,
        " ".join(p for p in (contact.first_name, contact.last_name) if p),
        contact.surnames,
        contact.street,
        *ContactEmail.objects.filter(contact=contact).values_list("email", flat=True),
        *ContactPhone.objects.filter(contact=contact).values_list("number", flat=True),
    }
    return sorted((v for v in values if v and len(v) >= MIN_SECRET), key=len, reverse=True)


def blank_strings(value, secrets):
    """``value`` (JSON) with every occurrence of the ``secrets`` replaced (case-insensitive)."""
    if isinstance(value, str):
        for secret in secrets:
            value = re.sub(re.escape(secret), ERASED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [blank_strings(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: blank_strings(v, secrets) for k, v in value.items()}
    return value


def _erase(value):
    return value if value in (None, "", [], {}) else ERASED


# --- the contact ---------------------------------------------------------------------------------


def _blank_contact(contact, actor, audit):
    """The contact without personal data. Not through ``records.track_update``: its history
    entry and its event would carry every value being erased; this one says only that the
    contact was anonymised (and by which request), and publishes ``contact.anonymised``."""
    now = timezone.now()
    contact.first_name = anonymised_name()[:100]
    for name in PERSONAL_CONTACT_FIELDS:
        setattr(contact, name, "")
    contact.company = None
    contact.custom_fields = {}
    contact.anonymised_at = now
    contact.refresh_sort_name()
    contact.version += 1
    contact.updated_at = now
    contact.save()
    ContactEmail.objects.filter(contact=contact).delete()
    ContactPhone.objects.filter(contact=contact).delete()
    Employment.objects.filter(contact=contact).delete()
    note = _("Erasure request %(id)d") % {"id": audit.pk}
    record_change(contact, ChangeAction.UPDATE, {"anonymised": [None, note]}, actor=actor)
    search.index_records([contact])
    events.publish("contact.anonymised", record=contact, actor=actor)


def _history_of(model, ids):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids)
    )


def _scrub_contact_history(contact, secrets):
    entries = list(_history_of(Contact, [contact.pk]))
    for entry in entries:
        entry.object_repr = anonymised_name()[:200]
        entry.changes = {
            name: (
                blank_strings(values, secrets)
                if name in KEPT_CONTACT_HISTORY
                else [_erase(v) for v in values]
            )
            for name, values in entry.changes.items()
        }
    ChangeRecord.objects.bulk_update(entries, ["object_repr", "changes"], batch_size=500)
    return len(entries)


def _merged_ids(contact):
    """Contacts once merged into this one (still in the trash until purged)."""
    ids = set()
    for entry in _history_of(Contact, [contact.pk]).filter(changes__has_key="merged"):
        after = (entry.changes.get("merged") or [None, None])[1]
        found = _MERGED_ID.search(str(after or ""))
        if found:
            ids.add(int(found.group(1)))
    return ids


def _purge_merged(ids, actor, audit):
    count = 0
    for other in Contact.all_objects.filter(pk__in=ids, deleted_at__isnull=False):
        purge_contact(
            other,
            actor=actor,
            reason=_("Merged into a contact erased by request %(id)d") % {"id": audit.pk},
        )
        count += 1
    return count


# --- what is linked to the person ----------------------------------------------------------------


def _scrub_activities(contact, actor, audit):
    from clientela.activities.models import Activity

    activities = list(Activity.all_objects.filter(contact=contact).order_by("pk"))
    ids = [a.pk for a in activities]
    Activity.all_objects.filter(pk__in=ids).update(
        subject=_("(erased)"),
        body="",
        place="",
        from_address="",
        to_addresses=[],
        message_id="",
        custom_fields={},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    entries = list(_history_of(Activity, ids))
    for entry in entries:
        entry.object_repr = _("(erased)")
        entry.changes = {
            name: [_erase(v) for v in values]
            if name in ACTIVITY_TEXT_FIELDS or name.startswith("custom_fields.")
            else values
            for name, values in entry.changes.items()
        }
    ChangeRecord.objects.bulk_update(entries, ["object_repr", "changes"], batch_size=500)
    marker = {"erased": [None, _("Erasure request %(id)d") % {"id": audit.pk}]}
    activities = list(Activity.all_objects.filter(pk__in=ids))  # as they now read
    record_changes(activities, ChangeAction.UPDATE, {pk: marker for pk in ids}, actor=actor)
    attended = Activity.attendee_contacts.through.objects.filter(contact_id=contact.pk)
    return {"activities_scrubbed": len(ids), "meetings_unlinked": attended.delete()[0]}


def _delete_activities(contact):
    from clientela.activities.models import Activity

    ids = list(Activity.all_objects.filter(contact=contact).values_list("pk", flat=True))
    _history_of(Activity, ids).delete()
    Activity.attendee_contacts.through.objects.filter(contact_id=contact.pk).delete()
    Activity.all_objects.filter(pk__in=ids).delete()
    return len(ids)


def _scrub_intake(contact):
    from clientela.intake.models import FormSubmission, WebhookDelivery

    kept = ("consent_text", "language")
    submissions = list(FormSubmission.objects.filter(contact=contact))
    for submission in submissions:
        submission.data = {}
        submission.context = {k: v for k, v in submission.context.items() if k in kept}
    FormSubmission.objects.bulk_update(submissions, ["data", "context"], batch_size=500)
    deliveries = WebhookDelivery.objects.filter(contact=contact).update(payload={}, errors={})
    return {"form_submissions_scrubbed": len(submissions), "lead_deliveries_scrubbed": deliveries}


def _delete_intake(contact):
    from clientela.intake.models import FormSubmission, WebhookDelivery

    return {
        "form_submissions_deleted": FormSubmission.objects.filter(contact=contact).delete()[0],
        "lead_deliveries_deleted": WebhookDelivery.objects.filter(contact=contact).delete()[0],
    }


def _scrub_deals(contact, secrets, actor):
    """Deals stay (they are the business's figures); a name that repeats the person's name
    (a web form names its deal after the person) loses it, in the deal and its history."""
    from clientela.sales.models import Deal

    deals = list(Deal.all_objects.filter(contact_links__contact=contact).distinct())
    renamed = 0
    for deal in deals:
        name = blank_strings(deal.name, secrets)
        if name != deal.name:
            with records.track_update(deal, actor=actor):
                deal.name = name
                deal.save(update_fields=["name"])
            renamed += 1
    entries = list(_history_of(Deal, [d.pk for d in deals]))
    for entry in entries:
        entry.object_repr = blank_strings(entry.object_repr, secrets)
        entry.changes = blank_strings(entry.changes, secrets)
    ChangeRecord.objects.bulk_update(entries, ["object_repr", "changes"], batch_size=500)
    return renamed


def _purchase_ids(contact_id):
    from clientela.sales.models import Purchase

    return list(Purchase.all_objects.filter(contact_id=contact_id).values_list("pk", flat=True))


def _reindex_purchases(contact_id, ids=None):
    """Purchases are found by their customer's name: index them again without it."""
    from clientela.sales.models import Purchase

    ids = ids if ids is not None else _purchase_ids(contact_id)
    if ids:
        search.index_records(ids, model=Purchase)
