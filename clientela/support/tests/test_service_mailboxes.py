"""Service mailboxes: an intake mailbox made a support address, changed, made the default and
removed; and the address a case's e-mail goes out from."""

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts import services as contact_services
from clientela.intake.models import Mailbox
from clientela.intake.services import mail
from clientela.support.models import CaseCategory, ServiceMailbox
from clientela.support.services import cases, mailboxes

from .conftest import SUPPORT

pytestmark = pytest.mark.django_db


def _mailbox(admin_user, address, name="Ajuda"):
    return mail.create_mailbox(
        actor=admin_user,
        name=name,
        email_address=address,
        host="127.0.0.1",
        port=993,
        security="tls",
        username=address,
        password="x",
    )


def test_a_mailbox_becomes_a_support_address_with_defaults(support_mailbox, admin_user):
    service = mailboxes.save_service_mailbox(support_mailbox, actor=admin_user)

    assert (service.priority, service.acknowledge, service.is_default) == ("normal", True, False)
    assert (service.category, service.team) == (None, None)
    assert str(service) == SUPPORT
    # Every sender of a support address can open a case: unknown ones become contacts.
    assert Mailbox.objects.get().create_contacts is True
    assert mailboxes.service_for(support_mailbox) == service


def test_changing_a_service_mailbox_keeps_what_is_not_given(support_mailbox, admin_user, make_team):
    returns = CaseCategory.objects.create(name="Devolucions")
    team = make_team("Suport")
    mailboxes.save_service_mailbox(
        support_mailbox, actor=admin_user, category=returns, team=team, priority="high"
    )

    service = mailboxes.save_service_mailbox(support_mailbox, actor=admin_user, acknowledge=False)

    assert ServiceMailbox.objects.count() == 1
    assert (service.category, service.team, service.priority, service.acknowledge) == (
        returns,
        team,
        "high",
        False,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"priority": "whenever"}, "priority"), ({"colour": "red"}, "colour")],
)
def test_wrong_values_are_refused(support_mailbox, admin_user, fields, field):
    with pytest.raises(ValidationError) as error:
        mailboxes.save_service_mailbox(support_mailbox, actor=admin_user, **fields)

    assert field in error.value.message_dict
    assert not ServiceMailbox.objects.exists()


def test_an_inactive_category_is_refused(support_mailbox, admin_user):
    old = CaseCategory.objects.create(name="Old", active=False)

    with pytest.raises(ValidationError) as error:
        mailboxes.save_service_mailbox(support_mailbox, actor=admin_user, category=old)

    assert error.value.message_dict == {"category": ["This category is not active."]}


def test_one_default_service_mailbox(support_mailbox, admin_user):
    help_box = _mailbox(admin_user, "ajuda@example.com")
    first = mailboxes.save_service_mailbox(support_mailbox, actor=admin_user)
    second = mailboxes.save_service_mailbox(help_box, actor=admin_user)
    assert mailboxes.default_service() == first  # none marked: the first one made

    mailboxes.save_service_mailbox(help_box, actor=admin_user, is_default=True)
    assert mailboxes.default_service() == second
    mailboxes.save_service_mailbox(support_mailbox, actor=admin_user, is_default=True)

    assert list(ServiceMailbox.objects.filter(is_default=True)) == [first]


def test_removing_a_service_mailbox_keeps_the_mailbox(support_mailbox, admin_user):
    mailboxes.save_service_mailbox(support_mailbox, actor=admin_user)

    mailboxes.remove_service_mailbox(support_mailbox, actor=admin_user)

    assert not ServiceMailbox.objects.exists()
    assert Mailbox.objects.get() == support_mailbox


def test_deleting_the_mailbox_deletes_its_service_settings(support_mailbox, admin_user):
    mailboxes.save_service_mailbox(support_mailbox, actor=admin_user)

    mail.delete_mailbox(support_mailbox, actor=admin_user)

    assert not ServiceMailbox.objects.exists()


def test_a_cases_mail_goes_out_from_the_address_the_customer_wrote_to(
    support_mailbox, admin_user, settings
):
    from .test_email_to_case import deliver, email

    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    help_box = _mailbox(admin_user, "ajuda@example.com", name="Ajuda")
    mailboxes.save_service_mailbox(support_mailbox, actor=admin_user, is_default=True)
    mailboxes.save_service_mailbox(help_box, actor=admin_user)
    contact_services.create_contact(actor=admin_user, first_name="Ana", emails=["ana@puig.cat"])

    deliver(email(sender="ana@puig.cat", to="ajuda@example.com"), help_box)
    by_mail = cases.Case.objects.get()
    by_phone = cases.create_case(actor=admin_user, subject="Called", channel="phone")

    assert mailboxes.from_header(mailboxes.sender_for(by_mail)) == "Ajuda <ajuda@example.com>"
    assert mailboxes.from_header(mailboxes.sender_for(by_phone)) == (
        "Atención al cliente <soporte@example.com>"
    )
    mailboxes.remove_service_mailbox(support_mailbox, actor=admin_user)
    mailboxes.remove_service_mailbox(help_box, actor=admin_user)
    assert mailboxes.from_header(mailboxes.sender_for(by_phone)) == "crm@example.com"
