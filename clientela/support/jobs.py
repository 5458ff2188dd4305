"""Background jobs of customer service: sending a case's e-mail (replies and
acknowledgements), enqueued after the commit that recorded it. Idempotent: the message is
claimed before it is sent (``services.outgoing.deliver``)."""

from django_tasks import task

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context


@task()
def send_case_message(message_id):
    """Send case message ``message_id`` (its primary key) unless it was sent already."""
    from .services import outgoing

    with change_context(source=ChangeSource.SYSTEM):
        return outgoing.deliver(message_id)
