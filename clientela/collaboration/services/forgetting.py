"""What collaboration keeps about a record goes with it: when a record is deleted for good
(emptied from the trash) or a person is erased, its comments, follows, notifications and feed
entries are deleted — they name the person and quote what was said about them."""

from django.contrib.contenttypes.models import ContentType

from clientela.core import events

from ..models import Comment, FeedEntry, Follow, Notification

# The history marker of an erasure (``contacts.privacy.erasure``): the contact keeps its row.
ERASED = "anonymised"


def forget(model, ids):
    """Delete what collaboration holds about the ``model`` records with ``ids``."""
    where = {"content_type": ContentType.objects.get_for_model(model), "object_id__in": list(ids)}
    for kept in (Comment, Follow, Notification, FeedEntry):
        kept.objects.filter(**where).delete()


@events.subscribe("contact.purged")
def forget_purged_contact(event_name, *, record, **payload):
    """A person erased with their record (``purge_contact`` deletes it without a history
    entry to listen to)."""
    forget(type(record), [record.pk])
