"""The daily digest: once a day from the morning, only the kinds asked for, only what is
neither read nor e-mailed, in the reader's language."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clientela.collaboration.choices import Delivery, NotificationKind
from clientela.collaboration.models import Notification
from clientela.collaboration.services import digests, notifications
from clientela.contacts import services as contact_services

pytestmark = pytest.mark.django_db


def local(hour, day=2):
    moment = datetime.datetime(2026, 3, day, hour, 30)
    return timezone.make_aware(moment, timezone.get_default_timezone())


@pytest.fixture
def marta(make_user):
    user = make_user("manager", username="marta", language="ca")
    notifications.set_delivery(user, NotificationKind.COMMENT, Delivery.DIGEST)
    return user


@pytest.fixture
def customer(admin_user):
    return contact_services.create_contact(actor=admin_user, first_name="Núria", last_name="Puig")


def tell(user, record, actor, kind, text):
    return notifications.notify([user.pk], kind=kind, actor=actor, record=record, text=text)


def test_one_digest_a_day_from_the_morning(marta, customer, admin_user, settings):
    settings.BASE_URL = "https://crm.example.com"
    tell(marta, customer, admin_user, NotificationKind.COMMENT, "Han trucat")
    tell(marta, customer, admin_user, NotificationKind.COMMENT, "Tornen a trucar")
    [read] = tell(marta, customer, admin_user, NotificationKind.COMMENT, "Ja llegit")
    notifications.mark_read(marta, [read.pk])
    tell(marta, customer, admin_user, NotificationKind.MENTION, "A l'aplicació")

    assert digests.send_digests(local(7)) == 0  # too early
    assert digests.send_digests(local(9)) == 1
    assert digests.send_digests(local(10)) == 0  # once a day

    [message] = mail.outbox
    assert message.to == [marta.email]
    assert message.subject == "El teu resum de Clientela: 2 notificacions"
    assert "Han trucat" in message.body and "Tornen a trucar" in message.body
    assert "Ja llegit" not in message.body and "A l'aplicació" not in message.body
    assert f"https://crm.example.com/contacts/{customer.pk}/" in message.body
    assert not Notification.objects.filter(kind="comment", emailed_at__isnull=True, read_at=None)


def test_the_next_day_brings_only_what_is_new(marta, customer, admin_user):
    tell(marta, customer, admin_user, NotificationKind.COMMENT, "Primer")
    digests.send_digests(local(9))
    tell(marta, customer, admin_user, NotificationKind.COMMENT, "Segon")

    assert digests.send_digests(local(9, day=3)) == 1
    assert "Primer" not in mail.outbox[-1].body
    assert "Segon" in mail.outbox[-1].body
    assert digests.send_digests(local(9, day=4)) == 0  # nothing new: no e-mail
    assert len(mail.outbox) == 2


def test_inactive_people_get_no_digest(marta, customer, admin_user):
    tell(marta, customer, admin_user, NotificationKind.COMMENT, "Hola")
    marta.is_active = False
    marta.save()

    assert digests.send_digests(local(9)) == 0
    assert mail.outbox == []


def test_the_digest_can_tell_what_happened_to_ones_records(make_user, admin_user):
    owner = make_user("sales", username="pau", scope="own")
    notifications.set_delivery(owner, NotificationKind.RECORDS_SUMMARY, Delivery.DIGEST)
    now = timezone.now()
    contact = contact_services.create_contact(actor=admin_user, first_name="Ona", owner=owner)
    contact_services.update_contact(contact, actor=admin_user, job_title="CEO")
    quiet = make_user("sales", username="pere", scope="own")  # did not ask for it
    contact_services.create_contact(actor=admin_user, first_name="Eva", owner=quiet)

    assert digests.send_digests(timezone.localtime(now).replace(hour=9)) == 1
    (sent,) = mail.outbox
    assert sent.to == [owner.email]
    assert "On your records since yesterday:" in sent.body
    assert "changed contact Ona (job title)" in sent.body
    assert "created contact Ona" in sent.body
    assert "Eva" not in sent.body
