"""Background jobs of collaboration: e-mailing the notifications people asked to get by
e-mail at once, and the daily digests."""

from django_tasks import task


@task()
def email_notifications(notification_ids):
    from .services import notifications

    return notifications.send_emails(notification_ids)


@task()
def send_digests():
    """Every hour (``core.worker.PERIODIC_JOBS``): the daily digests, once a day from the
    morning."""
    from .services import digests

    return digests.send_digests()


@task()
def email_survey_invitations(invitation_ids):
    from .services import feedback

    return feedback.send_invitations(invitation_ids)


@task()
def route_feedback(answer_id):
    """A customer's answer acted on: a case for a detractor, Marketing told of a promoter."""
    from .services import feedback

    made = feedback.route(answer_id)
    return made.pk if made else None
