"""The user story: "after each purchase: thank-you e-mail now, review request after 7 days, a
cross-sell offer after 30 days unless they bought again" — end to end, through a real SMTP
peer; time moves by running the engine at later moments, never by sleeping."""

import datetime

import pytest
from django.utils import timezone

from clientela.marketing import tracking
from clientela.marketing.choices import EnrollmentStatus, ExitReason
from clientela.marketing.models import Enrollment, EnrollmentEvent
from clientela.marketing.services import sequences
from clientela.sales.services import purchases as sales

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def follow_up(admin_user, make_template):
    sequence = sequences.create_sequence(
        actor=admin_user,
        name="After each purchase",
        trigger="purchase_made",
        exit_on_purchase=True,
        reenroll=True,
        from_name="Botiga Vic",
        from_email="hola@botiga.cat",
        reply_to="atencio@botiga.cat",
        steps=[
            {"kind": "email", "template": make_template("Gràcies")},
            {"kind": "wait", "wait_days": 7},
            {"kind": "email", "template": make_template("Opinió")},
            {"kind": "wait", "wait_days": 23},
            {"kind": "email", "template": make_template("Oferta")},
        ],
    )
    return sequences.activate_sequence(sequence, actor=admin_user)


def buy(contact, committed, when=None):
    with committed():
        purchase, _ = sales.record_purchase(
            actor=None, contact=contact, purchased_at=when or timezone.now(), total_amount=40
        )
    return purchase


def subjects(peer):
    return [(to, message["Subject"]) for to, message in peer.messages]


def test_thank_you_now_review_after_a_week_offer_after_a_month_unless_they_bought_again(
    follow_up, make_contact, committed, run_sequences, smtp_peer
):
    anna = make_contact("anna@example.com", language="ca", first_name="Anna")
    pau = make_contact("pau@example.com", language="es", first_name="Pau")
    first = buy(anna, committed)
    buy(pau, committed)
    start = timezone.now()
    [anna_enrollment] = Enrollment.objects.filter(contact=anna)
    assert (anna_enrollment.source, anna_enrollment.record_type, anna_enrollment.record_id) == (
        "purchase.created",
        "purchase",
        first.pk,
    )

    assert run_sequences(start) == 2
    assert sorted(subjects(smtp_peer)) == [
        (["anna@example.com"], "Gràcies, Anna"),
        (["pau@example.com"], "Gràcies (es), Pau"),
    ]
    _to, message = smtp_peer.messages[0]
    assert message["From"] == "Botiga Vic <hola@botiga.cat>"
    assert message["Reply-To"] == "atencio@botiga.cat"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("https://crm.example.com/m/s/")
    enrollment_id = tracking.read_token(tracking.SEQUENCE_UNSUBSCRIBE, link.split("/")[-2])
    assert enrollment_id in {e.pk for e in Enrollment.objects.all()}
    assert link in message.get_body(("plain",)).get_content()

    smtp_peer.messages.clear()
    assert run_sequences(start + 6 * DAY) == 0  # still waiting
    assert run_sequences(start + 7 * DAY) == 2
    assert sorted(subjects(smtp_peer)) == [
        (["anna@example.com"], "Opinió, Anna"),
        (["pau@example.com"], "Opinió (es), Pau"),
    ]

    # Pau buys again: his first round ends ("bought again") and a new one starts with it.
    smtp_peer.messages.clear()
    again = buy(pau, committed)
    first_round, second_round = Enrollment.objects.filter(contact=pau).order_by("id")
    assert (first_round.status, first_round.exit_reason) == (
        EnrollmentStatus.EXITED,
        ExitReason.PURCHASED,
    )
    assert (second_round.status, second_round.record_id) == (EnrollmentStatus.ACTIVE, again.pk)
    assert run_sequences(start + 8 * DAY) == 1
    assert subjects(smtp_peer) == [(["pau@example.com"], "Gràcies (es), Pau")]

    smtp_peer.messages.clear()
    assert run_sequences(start + 30 * DAY) == 2
    assert sorted(subjects(smtp_peer)) == [
        (["anna@example.com"], "Oferta, Anna"),  # Anna did not buy again: the offer
        (["pau@example.com"], "Opinió (es), Pau"),  # Pau: his second round's review
    ]
    anna_enrollment.refresh_from_db()
    assert (anna_enrollment.status, anna_enrollment.exit_reason) == (
        EnrollmentStatus.COMPLETED,
        ExitReason.COMPLETED,
    )
    log = EnrollmentEvent.objects.filter(enrollment=anna_enrollment).order_by("id")
    assert [(e.position, e.kind, e.outcome) for e in log] == [
        (1, "email", "done"),
        (2, "wait", "done"),
        (3, "email", "done"),
        (4, "wait", "done"),
        (5, "email", "done"),
        (6, "exit", "done"),
    ]


def test_a_refund_enrols_nobody_and_ends_nothing(follow_up, make_contact, committed):
    anna = make_contact("anna@example.com")
    buy(anna, committed)
    with committed():
        sales.record_purchase(
            actor=None,
            contact=anna,
            purchased_at=timezone.now(),
            total_amount=40,
            status="refunded",
        )
    [enrollment] = Enrollment.objects.filter(contact=anna)
    assert enrollment.status == EnrollmentStatus.ACTIVE
