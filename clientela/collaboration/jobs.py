"""Background jobs of collaboration: e-mailing the notifications people asked to get by
e-mail at once."""

from django_tasks import task


@task()
def email_notifications(notification_ids):
    from .services import notifications

    return notifications.send_emails(notification_ids)
