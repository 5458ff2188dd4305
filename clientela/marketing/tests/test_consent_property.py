"""Whatever the segment, a campaign writes only to people who may be written to: consent to
marketing e-mail granted (an unsubscription withdraws it), an address that is not suppressed,
not anonymised — each address once — and to every one of them the segment holds."""

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.contacts.models import Contact, ContactEmail
from clientela.core.models import User
from clientela.marketing.choices import SuppressionReason
from clientela.marketing.models import CampaignRecipient
from clientela.marketing.services import campaigns, engagement, segments

from . import world as w
from .test_rules_property import build, matches, people, trees

pytestmark = pytest.mark.django_db

CONSENTS = ["granted", "withdrawn", "denied", "unknown", "pending"]
reachability = st.lists(
    st.fixed_dictionaries(
        {
            "consent": st.sampled_from(CONSENTS),
            "address": st.sampled_from([None, "own", "shared"]),
            "suppressed": st.booleans(),
            "anonymised": st.booleans(),
            "unsubscribed": st.booleans(),  # followed a campaign's unsubscribe link earlier
        }
    ),
    min_size=6,
    max_size=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_campaign_reaches_exactly_the_mailable_people_of_any_segment(
    make_user, admin_user, monkeypatch, data
):
    # The dataset's dates are relative to the moment the segment is counted.
    monkeypatch.setattr(w, "NOW", timezone.now().replace(microsecond=0))
    owners = list(User.objects.filter(username__startswith="prop").values_list("pk", flat=True))
    if len(owners) < 2:
        owners = [make_user("sales", username=f"prop{i}").pk for i in range(2)]
    dataset = data.draw(people, label="dataset")
    reach = data.draw(reachability, label="reach")
    tree = data.draw(trees(owners), label="tree")
    built = build(dataset, owners)
    ContactEmail.objects.all().delete()
    engagement.Suppression.objects.all().delete()
    earlier = campaigns.create_campaign(actor=admin_user, name="Earlier")

    candidates = []
    for (pk, person), how in zip(built, reach, strict=False):
        contact = Contact.objects.get(pk=pk)
        address = {"own": f"p{pk}@example.com", "shared": "family@example.com"}.get(how["address"])
        if address:
            ContactEmail.objects.create(contact=contact, email=address, is_primary=True)
        Contact.objects.filter(pk=pk).update(
            consent_status=how["consent"],
            has_email=bool(address),
            anonymised_at=timezone.now() if how["anonymised"] else None,
        )
        if address and how["suppressed"]:
            engagement.suppress(address.upper(), SuppressionReason.BOUNCE)
        contact.refresh_from_db()
        if address and how["unsubscribed"] and not how["anonymised"]:
            row = CampaignRecipient.objects.create(campaign=earlier, contact=contact, email=address)
            engagement.unsubscribe(row)
            contact.refresh_from_db()
        if (
            address
            and contact.consent_status == "granted"
            and not how["anonymised"]
            and matches(person, tree)
        ):
            candidates.append((pk, address))
    # Suppression is by address: a shared one suppressed for one contact is for all of them.
    suppressed = {a.lower() for a in engagement.Suppression.objects.values_list("email", flat=True)}
    expected = {}
    for pk, address in sorted(candidates):
        if address not in suppressed:
            expected.setdefault(address, pk)  # a shared address once, for its first contact

    segment = segments.create_segment(actor=admin_user, name="Random", rules=tree)
    campaign = campaigns.create_campaign(actor=admin_user, name="Random", segment=segment)
    campaigns.write_recipients(campaign, campaigns.audience(campaign))

    rows = CampaignRecipient.objects.filter(campaign=campaign)
    assert {row.email: row.contact_id for row in rows} == expected
    for row in rows.select_related("contact"):
        assert row.contact.consent_status == "granted"
        assert row.contact.anonymised_at is None
    assert not rows.filter(email__in=engagement.Suppression.objects.values("email")).exists()
