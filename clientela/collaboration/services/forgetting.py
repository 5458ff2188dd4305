"""What collaboration keeps about a record goes with it: when a record is deleted for good
(emptied from the trash) or a person is erased, its comments, follows, notifications and feed
entries are deleted — they name the person and quote what was said about them. On the records
linked to an erased person (their deals, purchases and cases), which stay, the person's
strings are blanked."""

from django.contrib.contenttypes.models import ContentType

from clientela.contacts.models import Contact
from clientela.contacts.privacy.erasure import blank_strings
from clientela.sales.models import Deal, Purchase
from clientela.support import markdown
from clientela.support.models import Case

from ..models import Comment, FeedEntry, Follow, Handoff, Notification


def forget(model, ids):
    """Delete what collaboration holds about the ``model`` records with ``ids``."""
    where = {"content_type": ContentType.objects.get_for_model(model), "object_id__in": list(ids)}
    for kept in (Comment, Follow, Notification, FeedEntry):
        kept.objects.filter(**where).delete()


# model -> the text columns that may quote a person
TEXTS = {
    FeedEntry: ("title", "detail"),
    Notification: ("title", "text"),
    Handoff: ("note",),
    Comment: ("body",),
}


def scrub_person(contact, secrets):
    """The erasure's scrubber (anonymising or purging): what is kept about the person's own
    record forgotten, their strings blanked in what is kept about their deals, purchases and
    cases."""
    forget(Contact, [contact.pk])
    linked = {
        Deal: Deal.all_objects.filter(contact_links__contact=contact).values_list("pk", flat=True),
        Purchase: Purchase.all_objects.filter(contact=contact).values_list("pk", flat=True),
        Case: Case.all_objects.filter(contact=contact).values_list("pk", flat=True),
    }
    for model, ids in linked.items():
        where = {"content_type": ContentType.objects.get_for_model(model), "object_id__in": ids}
        for kept, columns in TEXTS.items():
            for row in kept.objects.filter(**where).only(*columns):
                _blank(row, columns, secrets)


def _blank(row, columns, secrets):
    changed = [c for c in columns if blank_strings(getattr(row, c), secrets) != getattr(row, c)]
    if not changed:
        return
    for column in changed:
        setattr(row, column, blank_strings(getattr(row, column), secrets))
    if isinstance(row, Comment):
        row.body_html = markdown.render(row.body)
        changed.append("body_html")
    row.save(update_fields=changed)
