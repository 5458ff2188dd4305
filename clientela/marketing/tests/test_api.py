"""``/api/v1/campaigns/``: CRUD with ETags, the state actions, results, recipients, leads;
permissions and bad input."""

import pytest

from clientela.contacts.models import Contact
from clientela.marketing.choices import CampaignStatus
from clientela.marketing.models import Campaign
from clientela.marketing.services import campaigns

pytestmark = pytest.mark.django_db
URL = "/api/v1/campaigns/"


@pytest.fixture
def marketer_api(api, make_user):
    return api(make_user("marketing", username="marta"))


def test_create_read_update_with_etags(marketer_api):
    created = marketer_api.post(
        URL, {"name": "Fira", "kind": "event", "cost": "120.00", "tags": ["fires"]}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["utm_campaign"], body["tags"]) == ("draft", "fira", ["fires"])
    detail = f"{URL}{body['id']}/"
    etag = created["ETag"]

    changed = marketer_api.patch(detail, {"cost": "150.00"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    stale = marketer_api.patch(detail, {"cost": "1.00"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Campaign.objects.get().cost == 150

    written = marketer_api.patch(detail, {"status": "sent"}, format="json")
    assert written.status_code == 200  # read-only: ignored
    assert written.json()["status"] == "draft"


def test_state_actions_and_results(marketer_api, make_contact):
    body = marketer_api.post(URL, {"name": "Fira", "kind": "event"}, format="json").json()
    detail = f"{URL}{body['id']}/"
    assert marketer_api.post(f"{detail}pause/").status_code == 400
    started = marketer_api.post(f"{detail}start/")
    assert (started.status_code, started.json()["status"]) == (200, "active")

    visitors = [make_contact(f"v{n}@example.com", region="Lleida") for n in range(3)]
    added = marketer_api.post(
        f"{detail}leads/", {"contacts": [c.pk for c in visitors]}, format="json"
    )
    assert added.json() == {"added": 3}
    found = marketer_api.get(f"{detail}results/").json()
    assert found["total"]["leads"] == 3
    assert found["by_region"][0]["region"] == "Lleida"
    assert found["by_region"][0]["leads"] == 3


def test_schedule_needs_a_future_moment(marketer_api):
    body = marketer_api.post(URL, {"name": "Fira", "kind": "event"}, format="json").json()
    url = f"{URL}{body['id']}/schedule/"
    past = marketer_api.post(url, {"scheduled_at": "2020-01-01T10:00:00Z"}, format="json")
    assert past.status_code == 400
    assert (past.json()["code"], list(past.json()["fields"])) == ("invalid", ["scheduled_at"])
    junk = marketer_api.post(url, {"scheduled_at": "soon"}, format="json")
    assert junk.status_code == 400


def test_recipients_are_paginated(marketer_api, admin_user, make_contact):
    campaign = campaigns.create_campaign(actor=admin_user, name="Tardor")
    for n in range(5):
        make_contact(f"c{n}@example.com")
    campaigns.write_recipients(campaign, Contact.objects.all())
    first = marketer_api.get(f"{URL}{campaign.pk}/recipients/?page_size=2").json()
    assert [r["email"] for r in first["results"]] == ["c0@example.com", "c1@example.com"]
    assert first["next"]


@pytest.mark.parametrize(
    "payload",
    [
        {"contacts": []},
        {"contacts": ["x"]},
        {"contacts": [99999999]},
        {"contacts": list(range(1, 1002))},
        {"contacts": "1,2"},
    ],
)
def test_leads_bad_input(marketer_api, admin_user, payload):
    campaign = campaigns.create_campaign(actor=admin_user, name="Fira", kind="event")
    response = marketer_api.post(f"{URL}{campaign.pk}/leads/", payload, format="json")
    assert response.status_code == 400
    assert not campaign.leads.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"name": "A", "kind": "telepathy"},
        {"name": "A", "cost": "-3"},
        {"name": "A", "from_email": "<script>"},
        {"name": "A", "unknown": 1},
    ],
)
def test_bad_campaigns_are_refused(marketer_api, payload):
    response = marketer_api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_permissions(api, make_user, admin_user):
    seller = make_user("sales", username="jordi")
    campaign = campaigns.create_campaign(actor=admin_user, name="Fira", owner=seller)
    reader = api(seller)
    assert reader.get(f"{URL}{campaign.pk}/").status_code == 200
    assert reader.post(URL, {"name": "Mine"}, format="json").status_code == 403
    assert reader.post(f"{URL}{campaign.pk}/start/").status_code == 403
    assert reader.delete(f"{URL}{campaign.pk}/").status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_started_campaigns_fixed_fields_cannot_change(marketer_api, admin_user):
    campaign = campaigns.create_campaign(actor=admin_user, name="Tardor", owner=admin_user)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    url = f"{URL}{campaign.pk}/"
    unchanged = marketer_api.get(url).json()
    assert marketer_api.put(url, {**unchanged, "cost": "9.00"}, format="json").status_code == 200
    refused = marketer_api.patch(url, {"from_email": "x@example.com"}, format="json")
    assert refused.status_code == 400
