"""Campaign pages: list, form, detail with results, actions; who may do what; bad input."""

import pytest
from django.urls import reverse

from clientela.marketing.choices import CampaignStatus
from clientela.marketing.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(make_user):
    return make_user("marketing", username="marta")


def _form(**values):
    data = {
        "name": "Fira de Girona",
        "kind": "event",
        "description": "",
        "from_name": "",
        "from_email": "",
        "reply_to": "",
        "rate_per_minute": "",
        "track_opens": "on",
        "track_clicks": "on",
        "utm_tagging": "on",
        "utm_campaign": "",
        "budget": "1000",
        "cost": "850.50",
        "owner": "",
        "team": "",
        "tags": "fires, 2026",
        "template": "",
        "segment": "",
    }
    data.update(values)
    return data


def test_a_marketer_creates_starts_and_completes_an_event(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("marketing:campaign_create"), _form())
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("marketing:campaign_detail", args=[campaign.pk])
    assert (campaign.utm_campaign, str(campaign.cost)) == ("fira-de-girona", "850.50")
    assert sorted(t.name for t in campaign.tags.all()) == ["2026", "fires"]

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Start now" in page.content

    action = reverse("marketing:campaign_action", args=[campaign.pk])
    client.post(action, {"action": "start"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    client.post(action, {"action": "complete"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    assert client.get(reverse("marketing:campaign_list")).status_code == 200


def test_an_action_the_status_does_not_allow_is_refused_with_a_message(client, marketer):
    client.force_login(marketer)
    client.post(reverse("marketing:campaign_create"), _form())
    campaign = Campaign.objects.get()
    client.get(reverse("marketing:campaign_list"))  # shows (and clears) "created"
    action = reverse("marketing:campaign_action", args=[campaign.pk])
    for bad in ("pause", "complete", "explode", ""):
        response = client.post(action, {"action": bad}, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    response = client.post(action, {"action": "schedule", "scheduled_at": "yesterday"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("name", "x" * 201),
        ("kind", "telepathy"),
        ("cost", "-1"),
        ("budget", "1e400"),
        ("from_email", "not an address"),
        ("rate_per_minute", "-5"),
        ("utm_campaign", "<script>"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(client, marketer, field, value):
    client.force_login(marketer)
    response = client.post(reverse("marketing:campaign_create"), _form(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_who_may_see_and_change_campaigns(client, make_user, marketer, admin_user):
    from clientela.marketing.services import campaigns

    seller = make_user("sales", username="jordi")
    campaign = campaigns.create_campaign(actor=admin_user, name="Rebaixes", owner=seller)
    detail = reverse("marketing:campaign_detail", args=[campaign.pk])
    edit = reverse("marketing:campaign_edit", args=[campaign.pk])
    client.force_login(seller)
    assert client.get(detail).status_code == 200  # sales read marketing
    assert client.get(edit).status_code == 403
    assert client.get(reverse("marketing:campaign_create")).status_code == 403
    assert (
        client.post(
            reverse("marketing:campaign_action", args=[campaign.pk]), {"action": "start"}
        ).status_code
        == 403
    )
    client.force_login(marketer)
    assert client.get(edit).status_code == 200


def test_a_campaign_being_sent_cannot_be_deleted(client, marketer, admin_user):
    from clientela.marketing.services import campaigns

    campaign = campaigns.create_campaign(actor=admin_user, name="Rebaixes")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    client.force_login(marketer)
    response = client.post(reverse("marketing:campaign_delete", args=[campaign.pk]), follow=True)
    assert response.status_code == 200
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    assert "Pause or cancel the campaign before deleting it." in response.content.decode()


def test_the_list_survives_hostile_filters(client, marketer):
    client.force_login(marketer)
    for query in (
        "q=%27%3B+DROP+TABLE",
        "status=nonsense",
        "started_after=2026-13-45",
        "q=" + "x" * 300,
    ):
        assert client.get(reverse("marketing:campaign_list") + "?" + query).status_code in (
            200,
            400,
        )


def test_the_overview_adds_up_campaigns_by_channel(client, marketer, admin_user, make_contact):
    from decimal import Decimal

    from clientela.marketing.services import campaigns

    fair = campaigns.create_campaign(actor=admin_user, name="Fira", kind="event", cost=300)
    ads = campaigns.create_campaign(actor=admin_user, name="Anuncis", kind="ads", cost=100)
    for campaign in (fair, ads):
        campaigns.start_campaign(campaign, actor=admin_user)
    visitors = [make_contact(f"v{n}@example.com", region="Girona") for n in range(3)]
    campaigns.add_leads(fair, visitors)
    campaigns.add_leads(ads, visitors[:1])
    client.force_login(marketer)

    response = client.get(reverse("marketing:campaign_overview"))

    assert response.status_code == 200
    channels = dict(response.context["channels"])
    assert (channels["Event"].leads, channels["Event"].cost_per_lead) == (3, Decimal("100.00"))
    assert (channels["Advertising"].leads, channels["Advertising"].cost) == (1, Decimal("100"))
    assert response.context["regions"]["Girona"].leads == 4
    assert (
        client.get(reverse("marketing:campaign_overview") + "?start=2099-01-01").context["channels"]
        == []
    )
    assert client.get(reverse("marketing:campaign_overview") + "?start=nonsense").status_code == 400
