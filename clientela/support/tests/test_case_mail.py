"""E-mail a case sends, through a real SMTP peer (aiosmtpd): agents' replies after commit with
their own Message-ID and the thread's headers, sent once however often the job runs, failures
kept and retried; acknowledgements of cases opened by web form or portal."""

import datetime

import pytest
from django.utils import timezone

from clientela.contacts import services as contact_services
from clientela.support.choices import CaseChannel, MessageKind
from clientela.support.models import CaseMessage
from clientela.support.services import cases, outgoing

from .conftest import SUPPORT, run_jobs
from .test_email_to_case import NURIA, deliver, email

pytestmark = pytest.mark.django_db


@pytest.fixture
def nuria(admin_user):
    return contact_services.create_contact(
        actor=admin_user, first_name="Núria", emails=[NURIA], language="es"
    )


@pytest.fixture
def mailed_case(service, nuria, smtp_peer, django_capture_on_commit_callbacks):
    """A case opened by e-mail, its acknowledgement sent."""
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(message_id="<first@vinspuig.cat>"), service.mailbox)
    run_jobs()
    return nuria.cases.get()


def _reply(case, body, actor, capture):
    with capture(execute=True):
        return cases.reply_to_case(case, body, actor=actor)


def test_a_reply_is_sent_after_commit_in_the_thread(
    mailed_case, admin_user, smtp_peer, django_capture_on_commit_callbacks
):
    smtp_peer.messages.clear()
    ack = mailed_case.messages.get(kind=MessageKind.AUTOMATIC)

    with django_capture_on_commit_callbacks() as callbacks:
        reply = cases.reply_to_case(mailed_case, "Ja ho hem corregit & enviat.", actor=admin_user)
    assert smtp_peer.messages == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert run_jobs() == ["sent"]

    reply.refresh_from_db()
    assert reply.sent_at is not None and reply.send_error == ""
    assert reply.message_id.startswith("<") and reply.message_id.endswith("@example.com>")
    assert reply.subject == f"[#{mailed_case.pk}] La factura no quadra"
    assert reply.from_address == f"Atención al cliente <{SUPPORT}>"
    ((recipients, sent),) = smtp_peer.messages
    assert recipients == [NURIA]
    assert sent["Message-ID"] == reply.message_id
    assert sent["Subject"] == reply.subject
    assert sent["In-Reply-To"] == "<first@vinspuig.cat>"
    assert sent["References"] == f"<first@vinspuig.cat> {ack.message_id}"
    assert sent["Auto-Submitted"] is None
    text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Ja ho hem corregit & enviat.\n")
    assert f"#{mailed_case.pk}" in text
    html = sent.get_body(("html",)).get_content()
    assert "<p>Ja ho hem corregit &amp; enviat.</p>" in html
    assert '<html lang="es">' in html


def test_a_reply_job_run_twice_sends_once(
    mailed_case, admin_user, smtp_peer, django_capture_on_commit_callbacks
):
    smtp_peer.messages.clear()
    reply = _reply(mailed_case, "Hola", admin_user, django_capture_on_commit_callbacks)

    assert outgoing.deliver(reply.pk) == "sent"
    assert outgoing.deliver(reply.pk) == "skipped"
    assert run_jobs() == ["skipped"]  # the queued job comes after

    assert len(smtp_peer.messages) == 1


def test_the_sweep_sends_late_replies_whose_job_never_ran_and_nothing_else(
    mailed_case, admin_user, smtp_peer
):
    smtp_peer.messages.clear()
    # No on-commit callback runs: as if the queue was down when they were recorded.
    late, fresh, stale, note = (
        cases.reply_to_case(mailed_case, body, actor=admin_user)
        for body in ("Late", "Fresh", "Stale", "Note")
    )
    now = timezone.now()
    for message, age in ((late, 30), (fresh, 2), (stale, 2 * 24 * 60), (note, 30)):
        CaseMessage.objects.filter(pk=message.pk).update(
            created_at=now - datetime.timedelta(minutes=age)
        )
    CaseMessage.objects.filter(pk=note.pk).update(kind=MessageKind.NOTE)

    assert outgoing.send_unsent(now) == {"sent": 1, "failed": 0}
    assert outgoing.send_unsent(now) == {"sent": 0, "failed": 0}

    assert [m["Subject"] for _rcpt, m in smtp_peer.messages] == [late.subject]
    assert smtp_peer.messages[0][1].get_body(("plain",)).get_content().startswith("Late")
    assert outgoing.deliver(late.pk) == "skipped"  # a job that turns up later sends nothing


def test_a_refused_reply_keeps_the_error_and_can_be_sent_again(
    mailed_case, admin_user, smtp_peer, django_capture_on_commit_callbacks
):
    smtp_peer.messages.clear()
    smtp_peer.refuse = True
    reply = _reply(mailed_case, "Hola", admin_user, django_capture_on_commit_callbacks)

    assert run_jobs() == ["failed"]
    reply.refresh_from_db()
    assert reply.sent_at is None
    assert reply.send_error.startswith("SMTPRecipientsRefused:")
    assert "Refused for the test" in reply.send_error
    assert outgoing.deliver(reply.pk) == "skipped"  # a failure is retried on purpose only

    smtp_peer.refuse = False
    with django_capture_on_commit_callbacks(execute=True):
        assert outgoing.retry_sending(reply, actor=admin_user) is True
    assert run_jobs() == ["sent"]
    reply.refresh_from_db()
    assert (reply.send_error, reply.sent_at is not None) == ("", True)
    assert len(smtp_peer.messages) == 1
    assert outgoing.retry_sending(reply, actor=admin_user) is False  # sent: nothing to retry


def test_a_reply_with_no_mail_server_keeps_the_error(
    mailed_case, admin_user, settings, smtp_peer, django_capture_on_commit_callbacks
):
    from clientela.intake.tests.imapserver import free_port

    settings.EMAIL_PORT = free_port()  # nobody listens there
    reply = _reply(mailed_case, "Hola", admin_user, django_capture_on_commit_callbacks)

    assert run_jobs() == ["failed"]
    reply.refresh_from_db()
    assert reply.send_error.startswith("ConnectionRefusedError")


def test_a_reply_to_a_customer_without_address_is_kept_unsent(
    admin_user, smtp_peer, django_capture_on_commit_callbacks
):
    walk_in = contact_services.create_contact(actor=admin_user, first_name="Pep")
    case = cases.create_case(actor=admin_user, subject="At the desk", contact=walk_in)

    reply = _reply(case, "Fet.", admin_user, django_capture_on_commit_callbacks)

    assert reply.send_error == "Not sent: the customer has no e-mail address."
    assert run_jobs() == [] and smtp_peer.messages == []


def test_reply_attachments_go_with_the_e_mail(
    mailed_case, admin_user, smtp_peer, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from clientela.support.models import CaseAttachment

    smtp_peer.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = cases.reply_to_case(mailed_case, "La factura bona.", actor=admin_user)
        attachment = CaseAttachment(message=reply, name="factura.pdf", size=8)
        attachment.content_type = "application/pdf"
        attachment.file.save("factura.pdf", ContentFile(b"%PDF-1.4"), save=True)
    run_jobs()

    ((_to, sent),) = smtp_peer.messages
    (part,) = list(sent.iter_attachments())
    assert (part.get_filename(), part.get_content()) == ("factura.pdf", b"%PDF-1.4")


def test_notes_and_customer_messages_are_never_sent(mailed_case, admin_user, smtp_peer):
    smtp_peer.messages.clear()
    note = cases.add_note(mailed_case, "Internal", actor=admin_user)
    customer = mailed_case.messages.get(kind=MessageKind.CUSTOMER)

    assert outgoing.deliver(note.pk) == "skipped"
    assert outgoing.deliver(customer.pk) == "skipped"
    assert smtp_peer.messages == []


# --- acknowledgements of other channels ----------------------------------------------------------


@pytest.mark.parametrize("channel", [CaseChannel.WEB_FORM, CaseChannel.PORTAL])
def test_a_case_from_a_form_or_the_portal_is_acknowledged(
    service, nuria, admin_user, smtp_peer, channel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.create_case(
            actor=None, subject="Devolució", description="Vull tornar-ho.", contact=nuria,
            channel=channel,
        )  # fmt: skip

    assert run_jobs() == ["sent"]
    ack = case.messages.get(kind=MessageKind.AUTOMATIC)
    ((recipients, sent),) = smtp_peer.messages
    assert recipients == [NURIA]
    assert sent["Subject"] == f"[#{case.pk}] Devolució"
    assert sent["From"].addresses[0].addr_spec == SUPPORT
    assert sent["In-Reply-To"] is None  # a form has no e-mail to answer
    assert sent["Message-ID"] == ack.message_id


def test_without_any_service_mailbox_the_site_address_acknowledges(
    nuria, smtp_peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cases.create_case(
            actor=None, subject="Hola", description="?", contact=nuria, channel="web_form"
        )

    run_jobs()
    ((_to, sent),) = smtp_peer.messages
    assert sent["From"] == "crm@example.com"


@pytest.mark.parametrize(
    "values",
    [
        {"channel": CaseChannel.PHONE},  # an agent took it
        {"channel": CaseChannel.WEB_FORM, "from_customer": False},
        {"channel": CaseChannel.EMAIL},  # e-mail is acknowledged by email_to_case
    ],
)
def test_cases_agents_open_are_not_acknowledged(service, nuria, admin_user, values):
    case = cases.create_case(
        actor=admin_user, subject="Trucada", description="Ha trucat.", contact=nuria, **values
    )

    assert not case.messages.filter(kind=MessageKind.AUTOMATIC).exists()


def test_a_form_case_without_an_address_is_not_acknowledged(service, admin_user):
    walk_in = contact_services.create_contact(actor=admin_user, first_name="Pep")

    case = cases.create_case(
        actor=None, subject="Hola", description="?", contact=walk_in, channel="web_form"
    )

    assert not case.messages.filter(kind=MessageKind.AUTOMATIC).exists()


def test_a_service_mailbox_not_acknowledging_silences_form_cases(service, nuria, admin_user):
    from clientela.support.services import mailboxes

    mailboxes.save_service_mailbox(service.mailbox, actor=admin_user, acknowledge=False)

    case = cases.create_case(
        actor=None, subject="Hola", description="?", contact=nuria, channel="portal"
    )

    assert not case.messages.filter(kind=MessageKind.AUTOMATIC).exists()


def test_the_thread_of_a_long_case_keeps_its_first_message(mailed_case, admin_user):
    for n in range(30):
        CaseMessage.objects.create(
            case=mailed_case,
            kind=MessageKind.CUSTOMER,
            body=str(n),
            message_id=f"<m{n}@vinspuig.cat>",
            created_at=timezone.now(),
        )
    reply = cases.reply_to_case(mailed_case, "Prou!", actor=admin_user)

    in_reply_to, references = outgoing.thread_of(reply)

    assert in_reply_to == "<m29@vinspuig.cat>"
    assert len(references) == outgoing.MAX_REFERENCES
    assert references[0] == "<first@vinspuig.cat>"
    assert references[-1] == "<m29@vinspuig.cat>"


def test_a_retried_reply_still_without_address_is_not_sent(
    admin_user, smtp_peer, django_capture_on_commit_callbacks
):
    walk_in = contact_services.create_contact(actor=admin_user, first_name="Pep")
    case = cases.create_case(actor=admin_user, subject="At the desk", contact=walk_in)
    reply = _reply(case, "Fet.", admin_user, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        outgoing.retry_sending(reply, actor=admin_user)

    assert run_jobs() == ["failed"]
    reply.refresh_from_db()
    assert (reply.sent_at, reply.send_error) == (
        None,
        "Not sent: the customer has no e-mail address.",
    )
    assert smtp_peer.messages == []


def test_resolving_sends_the_survey_with_its_link_once(
    mailed_case, admin_user, smtp_peer, settings, client, django_capture_on_commit_callbacks
):
    settings.BASE_URL = "https://crm.botiga.cat"
    smtp_peer.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cases.change_status(mailed_case, "resolved", actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        cases.update_case(mailed_case, actor=admin_user, priority="high")  # still resolved
    assert run_jobs() == ["sent"]

    ((recipients, sent),) = smtp_peer.messages
    assert recipients == [NURIA]
    assert sent["Auto-Submitted"] == "auto-replied"
    text = sent.get_body(("plain",)).get_content()
    link = next(w for w in text.split() if w.startswith("https://crm.botiga.cat/help/survey/"))
    path = link.removeprefix("https://crm.botiga.cat")
    assert client.post(path, {"score": "5"}).status_code == 200
    assert mailed_case.surveys.get().score == 5
    assert 'href="https://crm.botiga.cat/help/survey/' in sent.get_body(("html",)).get_content()


def test_no_survey_without_the_sites_address(
    mailed_case, admin_user, smtp_peer, settings, django_capture_on_commit_callbacks
):
    settings.BASE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        cases.change_status(mailed_case, "resolved", actor=admin_user)
    assert not mailed_case.surveys.exists()


def test_a_case_waiting_too_long_is_closed_with_a_notice(
    mailed_case, admin_user, smtp_peer, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from clientela.support import jobs
    from clientela.support.models import Case

    settings.SUPPORT_AUTO_CLOSE_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        cases.reply_to_case(mailed_case, "Which invoice?", actor=admin_user)
    run_jobs()
    smtp_peer.messages.clear()
    Case.objects.filter(pk=mailed_case.pk).update(
        status_changed_at=timezone.now() - timedelta(days=8)
    )
    fresh = cases.create_case(actor=admin_user, subject="Fresh", description="x")
    cases.change_status(fresh, "pending_customer", actor=admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.close_waiting_cases.call() == 1
    assert run_jobs() == ["sent"]

    mailed_case.refresh_from_db()
    fresh.refresh_from_db()
    assert (mailed_case.status, fresh.status) == ("closed", "pending_customer")
    ((_recipients, sent),) = smtp_peer.messages
    assert sent["Subject"] == f"[#{mailed_case.pk}] {mailed_case.subject}"
    assert "desde hace 7 días" in sent.get_body(("plain",)).get_content()  # her language
    assert jobs.close_waiting_cases.call() == 0


def test_assignees_hear_of_their_cases_due_soon_and_breached(
    admin_user, nuria, smtp_peer, make_user
):
    from datetime import timedelta

    from clientela.support import jobs
    from clientela.support.models import Case, SlaPolicy

    agent = make_user("service", username="marta", language="ca")
    SlaPolicy.objects.create(name="Ràpid", first_response_minutes=60, warn_before_minutes=30)
    late = cases.create_case(actor=admin_user, subject="Tard", description="x", owner=agent)
    soon = cases.create_case(actor=admin_user, subject="Aviat", description="x", owner=agent)
    now = timezone.now()
    Case.objects.filter(pk=late.pk).update(next_due=now - timedelta(minutes=1))
    Case.objects.filter(pk=soon.pk).update(
        next_due=now + timedelta(minutes=10), sla_state="on_track"
    )

    result = jobs.refresh_sla.call()

    assert (result["warned"], result["breached"], result["alerts"]) == (1, 1, 1)
    ((recipients, sent),) = smtp_peer.messages
    assert recipients == [agent.email]
    text = sent.get_body(("plain",)).get_content()
    assert f"#{late.pk} Tard" in text and f"#{soon.pk} Aviat" in text
    assert "Hola" in text  # her language
    assert jobs.refresh_sla.call()["alerts"] == 0
