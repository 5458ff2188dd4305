"""Whatever the steps, and whatever happens to the contacts between two passes of the engine
(consent withdrawn, an address suppressed), a sequence's e-mail goes only to a contact with
consent to marketing e-mail granted and an address that is not suppressed — whatever the
template's purpose."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.contacts.privacy import consent
from clientela.marketing.models import Enrollment, Sequence, Suppression
from clientela.marketing.services import engagement, sequences

pytestmark = pytest.mark.django_db
CONSENTS = ["granted", "withdrawn", "denied", "unknown", "pending"]
NAMED_ANNA = {"op": "and", "rules": [{"field": "first_name", "operator": "eq", "value": "P0"}]}

step_kinds = st.lists(
    st.sampled_from(["email", "transactional", "task", "wait", "branch_exit", "branch_on"]),
    min_size=1,
    max_size=6,
)
people = st.lists(
    st.fixed_dictionaries(
        {
            "consent": st.sampled_from(CONSENTS),
            "address": st.booleans(),
            "suppressed": st.booleans(),
        }
    ),
    min_size=4,
    max_size=4,
)
# Between passes: (person index, what happens to them)
changes = st.lists(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["withdraw", "suppress", "nothing"])),
        max_size=3,
    ),
    min_size=3,
    max_size=3,
)


def _steps(kinds, templates):
    steps = []
    for kind in kinds:
        if kind in ("email", "transactional"):
            steps.append({"kind": "email", "template": templates[kind]})
        elif kind == "task":
            steps.append({"kind": "task", "subject": "Truca"})
        elif kind == "wait":
            steps.append({"kind": "wait", "wait_days": 1})
        else:
            then = "exit" if kind == "branch_exit" else "continue"
            steps.append({"kind": "branch", "rules": NAMED_ANNA, "then": then})
    return steps


def mailable(contact):
    contact.refresh_from_db()
    address = contact.primary_email.lower()
    return (
        contact.consent_status == "granted"
        and bool(address)
        and not Suppression.objects.filter(email=address).exists()
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kinds=step_kinds, folks=people, between=changes)
def test_no_sequence_email_reaches_anyone_who_may_not_be_written_to(
    admin_user, make_template, run_sequences, kinds, folks, between
):
    Enrollment.objects.all().delete()
    Sequence.all_objects.all().delete()
    Contact.all_objects.all().delete()
    Suppression.objects.all().delete()
    templates = {
        "email": make_template("Novetats", purpose="follow_up"),
        "transactional": make_template("Rebut", purpose="transactional"),
    }
    sequence = sequences.create_sequence(
        actor=admin_user, name="Prova", steps=_steps(kinds, templates)
    )
    sequences.activate_sequence(sequence, actor=admin_user)
    contacts = []
    for index, person in enumerate(folks):
        address = f"p{index}@example.com" if person["address"] else ""
        contact = contact_services.create_contact(
            actor=admin_user,
            first_name=f"P{index}",
            emails=[address] if address else [],
            consent_status=person["consent"],
        )
        if person["suppressed"] and address:
            engagement.suppress(address, "bounce")
        sequences.enroll(sequence, contact, source="manual")
        contacts.append(contact)

    moment = timezone.now()
    for round_changes in [[], *between]:
        for index, change in round_changes:
            contact = contacts[index]
            if change == "withdraw" and contact.anonymised_at is None:
                consent.withdraw_consent(contact, actor=None, source="phone")
            elif change == "suppress" and contact.primary_email:
                engagement.suppress(contact.primary_email, "complaint")
        allowed = {c.primary_email.lower() for c in contacts if mailable(c)}
        mail.outbox = []
        run_sequences(moment)
        sent = [address.lower() for message in mail.outbox for address in message.to]
        assert set(sent) <= allowed
        moment += datetime.timedelta(days=1, hours=1)
    Enrollment.objects.all().delete()
