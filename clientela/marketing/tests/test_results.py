"""A campaign's results, checked against figures counted by hand: the e-mail funnel by
region, leads, and the deals and revenue attributed to it; campaigns that are not sent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.contacts.models import Contact
from clientela.intake.models import FormSubmission, WebForm
from clientela.marketing.choices import CampaignKind, CampaignStatus, LeadSource
from clientela.marketing.models import Campaign, CampaignLead, CampaignRecipient
from clientela.marketing.services import campaigns, results
from clientela.sales import services as sales
from clientela.sales.models import Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages(admin_user):
    Pipeline.objects.all().delete()
    pipeline = sales.create_pipeline(
        actor=admin_user,
        name="Vendes",
        stages=[("Proposta", 40, "open"), ("Guanyat", 100, "won"), ("Perdut", 0, "lost")],
        is_default=True,
    )
    return {stage.name: stage for stage in pipeline.stages.all()}


def _deal(admin_user, contact, amount, stage):
    return sales.create_deal(
        actor=admin_user, name=f"Comanda {amount}", amount=amount, contacts=[contact], stage=stage
    )


def test_results_by_region_match_a_hand_count(admin_user, campaign, make_contact, stages):
    people = {
        "ana": make_contact("ana@example.com", region="Barcelona"),
        "pere": make_contact("pere@example.com", region="Barcelona"),
        "laia": make_contact("laia@example.com", region="Girona"),
        "marc": make_contact("marc@example.com", region="Girona"),
        "sense": make_contact("sense@example.com"),
    }
    campaigns.write_recipients(campaign, Contact.objects.all())
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENT, started_at=timezone.now() - timedelta(days=1), cost=100
    )
    campaign.refresh_from_db()
    now = timezone.now()
    rows = {
        r.contact_id: CampaignRecipient.objects.filter(pk=r.pk) for r in campaign.recipients.all()
    }
    for name in ("ana", "pere", "laia", "marc"):
        rows[people[name].pk].update(status="sent", sent_at=now)
    rows[people["sense"].pk].update(status="failed")
    rows[people["ana"].pk].update(opened_at=now, clicked_at=now)
    rows[people["pere"].pk].update(opened_at=now, unsubscribed_at=now)
    rows[people["marc"].pk].update(bounced_at=now)
    # Laia came through a form with the campaign's tag; a deal of hers is won, one of Ana's
    # (she clicked) is open; Pere's deal is not attributed (he did not click).
    campaigns.add_leads(campaign, [people["laia"]], source=LeadSource.FORM)
    _deal(admin_user, people["laia"], 1200, stages["Guanyat"])
    _deal(admin_user, people["ana"], 300, stages["Proposta"])
    _deal(admin_user, people["pere"], 999, stages["Guanyat"])

    found = results.campaign_results(campaign)

    total = found.total
    assert (total.recipients, total.sent, total.failed, total.delivered) == (5, 4, 1, 3)
    assert (total.opened, total.clicked, total.unsubscribed, total.bounced) == (2, 1, 1, 1)
    assert (total.open_rate, total.click_rate, total.bounce_rate) == (66.7, 33.3, 25.0)
    assert (total.leads, total.deals, total.won, total.revenue) == (1, 2, 1, Decimal("1200"))
    assert total.cost_per_lead == Decimal("100.00")
    assert total.roi == 1100.0
    assert list(found.by_region) == ["", "Barcelona", "Girona"]
    barcelona, girona = found.by_region["Barcelona"], found.by_region["Girona"]
    assert (barcelona.sent, barcelona.opened, barcelona.deals, barcelona.revenue) == (
        2,
        2,
        1,
        Decimal(0),
    )
    assert (girona.sent, girona.bounced, girona.leads, girona.won, girona.revenue) == (
        2,
        1,
        1,
        1,
        Decimal("1200"),
    )
    assert found.by_region[""].failed == 1


def test_a_deal_after_the_attribution_window_is_not_the_campaigns(
    admin_user, campaign, make_contact, stages
):
    laia = make_contact("laia@example.com")
    Campaign.objects.filter(pk=campaign.pk).update(
        started_at=timezone.now() - timedelta(days=results.ATTRIBUTION_DAYS + 1)
    )
    campaign.refresh_from_db()
    campaigns.add_leads(campaign, [laia])
    _deal(admin_user, laia, 500, stages["Guanyat"])

    assert results.campaign_results(campaign).total.deals == 0


def test_an_empty_campaign_has_no_rates(campaign):
    total = results.campaign_results(campaign).total
    assert (total.recipients, total.open_rate, total.cost_per_lead, total.roi) == (
        0,
        None,
        None,
        None,
    )


def test_an_event_runs_and_completes_without_sending(admin_user, make_contact):
    event = campaigns.create_campaign(
        actor=admin_user, name="Fira de Lleida", kind=CampaignKind.EVENT, cost=Decimal("800")
    )
    assert campaigns.start_campaign(event, actor=admin_user) == 0
    event.refresh_from_db()
    assert (event.status, event.started_at is not None) == (CampaignStatus.ACTIVE, True)
    visitors = [make_contact(f"visitant{n}@example.com") for n in range(4)]
    assert campaigns.add_leads(event, visitors + visitors[:1]) == 4
    assert campaigns.add_leads(event, visitors) == 0
    campaigns.complete_campaign(event, actor=admin_user)
    event.refresh_from_db()
    assert event.status == CampaignStatus.COMPLETED

    channels, regions = results.overview([event])
    assert (channels["event"].leads, channels["event"].cost_per_lead) == (4, Decimal("200.00"))
    assert list(regions) == [""] and regions[""].leads == 4


def test_a_form_with_the_campaigns_tag_brings_a_lead(admin_user, make_contact):
    spring = campaigns.create_campaign(actor=admin_user, name="Primavera 2026")
    assert spring.utm_campaign == "primavera-2026"
    Campaign.objects.filter(pk=spring.pk).update(started_at=timezone.now() - timedelta(hours=1))
    form = WebForm.objects.create(name="Contacte", slug="contacte")
    nuria = make_contact("nuria@example.com")
    submission = FormSubmission.objects.create(
        form=form, contact=nuria, data={}, context={"utm_campaign": "primavera-2026"}
    )
    other = FormSubmission.objects.create(
        form=form, contact=nuria, data={}, context={"utm_campaign": "<script>x</script>"}
    )

    assert campaigns.lead_from_submission(submission) == spring
    assert campaigns.lead_from_submission(other) is None
    assert list(CampaignLead.objects.values_list("campaign_id", "contact_id", "source")) == [
        (spring.pk, nuria.pk, "form")
    ]


def test_what_a_started_campaign_may_still_change(admin_user, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    campaigns.update_campaign(campaign, actor=admin_user, cost=Decimal("12.50"), name="Tardor")
    with pytest.raises(ValidationError) as refused:
        campaigns.update_campaign(campaign, actor=admin_user, from_email="other@example.com")
    assert refused.value.message_dict == {
        "from_email": ["This cannot be changed once the campaign has started."]
    }
    with pytest.raises(ValidationError) as unknown:
        campaigns.update_campaign(campaign, actor=admin_user, status="sent")
    assert unknown.value.message_dict == {"status": ["Unknown field."]}


def test_the_public_form_with_a_campaigns_tag_brings_it_a_lead(
    client, admin_user, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from clientela.intake.services import webforms

    spring = campaigns.create_campaign(actor=admin_user, name="Primavera", kind="ads")
    campaigns.start_campaign(spring, actor=admin_user)
    form = webforms.create_form(
        actor=admin_user,
        name="Demana informació",
        fields=[
            {"name": "first_name", "label": "Nom", "required": True},
            {"name": "email", "label": "Correu", "required": True},
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("intake:form_page", args=[form.slug]),
            {"first_name": "Pol", "email": "pol@example.com", "utm_campaign": "primavera"},
        )

    lead = CampaignLead.objects.get()
    assert (lead.campaign, lead.contact.primary_email, lead.source) == (
        spring,
        "pol@example.com",
        "form",
    )
