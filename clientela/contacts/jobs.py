"""Background jobs of contacts and companies."""

from django_tasks import task

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

PURGE_BATCH = 500


def purge_expired_trash(cutoff):
    """Purge contacts and companies trashed before ``cutoff``, in batches (bounded memory; each
    batch is one transaction with one history row per record). Contacts go first so that a
    purged company never leaves a dangling reference in the same run."""
    counts = {}
    for model in (Contact, Company):
        count = 0
        while True:
            batch = list(
                model.all_objects.filter(deleted_at__lt=cutoff).order_by("pk")[:PURGE_BATCH]
            )
            if not batch:
                break
            count += len(services.purge_records(batch, actor=None))
        counts[model._meta.label] = count
    return counts


@task()
def apply_retention_rules():
    """The daily job applying the enabled retention rules (a system change in history)."""
    from clientela.contacts.privacy.retention import apply_enabled_rules

    with change_context(source=ChangeSource.SYSTEM):
        return apply_enabled_rules()
