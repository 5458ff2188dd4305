"""Suppressed addresses: listed, added by hand, removed; campaigns leave them out."""

import pytest
from django.urls import reverse

from clientela.contacts.models import Contact
from clientela.marketing.models import Suppression
from clientela.marketing.services import campaigns

pytestmark = pytest.mark.django_db
URL = "/marketing/suppressions/"


@pytest.fixture
def marketer(client, make_user):
    client.force_login(make_user("marketing", username="marta"))
    return client


def test_an_address_added_by_hand_is_left_out_of_campaigns_until_removed(marketer, make_contact):
    make_contact("Ana@Example.com")
    response = marketer.post(URL, {"email": " ANA@example.com ", "detail": "Asked by phone"})
    assert response.status_code == 302
    row = Suppression.objects.get()
    assert (row.email, row.reason, row.detail) == ("ana@example.com", "manual", "Asked by phone")
    assert campaigns.mailable(Contact.objects.all()).count() == 0
    assert b"ana@example.com" in marketer.get(URL + "?q=ANA").content

    marketer.post(reverse("marketing:suppression_delete", args=[row.pk]))
    assert campaigns.mailable(Contact.objects.all()).count() == 1


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 400 + "@example.com"])
def test_a_bad_address_is_refused(marketer, email):
    response = marketer.post(URL, {"email": email})
    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_readers_cannot_change_the_list(client, make_user):
    client.force_login(make_user("sales", username="jordi"))
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"email": "x@example.com"}).status_code == 403
    assert not Suppression.objects.exists()
