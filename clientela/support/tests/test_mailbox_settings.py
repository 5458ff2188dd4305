"""The service-mailbox settings page: a manager makes a mailbox a support address, changes it,
stops it; other roles cannot."""

import pytest
from django.urls import reverse

from clientela.support.models import CaseCategory, ServiceMailbox


@pytest.fixture
def manager_client(client, make_user):
    client.force_login(make_user("manager", username="boss"))
    return client


def test_a_mailbox_becomes_a_support_address_and_stops_being_one(manager_client, support_mailbox):
    billing = CaseCategory.objects.create(name="Billing")
    url = reverse("support:mailbox_edit", args=[support_mailbox.pk])
    assert (
        "Atención al cliente"
        in manager_client.get(reverse("support:mailbox_list")).content.decode()
    )

    response = manager_client.post(
        url, {"category": billing.pk, "priority": "high", "acknowledge": "on", "is_default": "on"}
    )

    assert response["Location"] == reverse("support:mailbox_list")
    service = ServiceMailbox.objects.get()
    assert (service.category, service.priority, service.is_default) == (billing, "high", True)
    support_mailbox.refresh_from_db()
    assert support_mailbox.create_contacts  # every sender can open a case

    manager_client.post(url, {"remove": "1"})
    assert not ServiceMailbox.objects.exists()


@pytest.mark.parametrize(
    "data", [{"priority": "whenever"}, {"priority": "high", "category": "999999"}, {"team": "x"}]
)
def test_bad_values_are_refused(manager_client, support_mailbox, data):
    url = reverse("support:mailbox_edit", args=[support_mailbox.pk])
    assert manager_client.post(url, data).status_code == 400
    assert not ServiceMailbox.objects.exists()


def test_sellers_cannot_see_it(client, make_user, support_mailbox):
    client.force_login(make_user("sales", username="seller"))
    assert client.get(reverse("support:mailbox_list")).status_code == 403
    url = reverse("support:mailbox_edit", args=[support_mailbox.pk])
    assert client.post(url, {"priority": "high"}).status_code == 403
