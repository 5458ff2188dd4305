"""Fixtures of the marketing tests: contacts who may be written to, a campaign being sent, a
real SMTP peer (aiosmtpd) that can refuse addresses, and a composer without templates."""

from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.db import connections

from clientela.contacts import services as contact_services
from clientela.intake.tests.imapserver import free_port
from clientela.marketing.sending.mime import CampaignMessage
from clientela.marketing.services import campaigns

BASE_URL = "https://crm.example.com"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = BASE_URL


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Row ids repeat from test to test: counters of an earlier test must not apply."""
    cache.clear()


@pytest.fixture
def make_contact(admin_user):
    def make(email, *, consent="granted", language="es", **fields):
        return contact_services.create_contact(
            actor=admin_user,
            first_name=fields.pop("first_name", email.split("@")[0].title() or "Sense"),
            emails=[email] if email else [],
            consent_status=consent,
            language=language,
            **fields,
        )

    return make


@pytest.fixture
def campaign(admin_user):
    return campaigns.create_campaign(
        actor=admin_user, name="Newsletter de tardor", from_email="news@botiga.cat"
    )


class Peer:
    """What the SMTP peer received (``(recipients, parsed message)``); ``refuse`` maps an
    address to the reply its RCPT gets; ``on_data(envelope)`` runs as a message arrives."""

    def __init__(self):
        self.messages = []
        self.refuse = {}
        self.on_data = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data:  # in a thread of its own: it may use the database
            with ThreadPoolExecutor(1) as pool:
                pool.submit(self._on_data, envelope).result()
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def _on_data(self, envelope):
        try:
            self.on_data(envelope)
        finally:
            connections.close_all()

    def message_ids(self):
        return sorted(message["Message-ID"] for _, message in self.messages)


@pytest.fixture
def smtp_peer(settings):
    peer = Peer()
    controller = Controller(peer, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield peer
    controller.stop()


class PlainComposer:
    """A message per recipient without a template (the engine's tests)."""

    def __init__(self, campaign):
        self.campaign = campaign

    def compose(self, recipient):
        return CampaignMessage(
            from_email="Botiga <news@botiga.cat>",
            envelope_from="news@botiga.cat",
            to=recipient.email,
            subject=f"Hola {recipient.contact.first_name}",
            text="Novetats de la botiga.\n.\nUna línia que comença amb un punt.",
            html="<p>Novetats de la botiga.</p>",
            headers={"Message-ID": f"<c{self.campaign.pk}.r{recipient.pk}@botiga.cat>"},
        )


# --- follow-up sequences ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_sequences():
    """Each test starts from what its own database says about active sequences, and about
    templates (SQLite hands a rolled-back test's ids out again: a compiled template cached
    by id and version would be another test's)."""
    from clientela.marketing import rendering
    from clientela.marketing.sequences import cache as sequence_cache

    rendering.clear_caches()
    sequence_cache._forget()
    yield
    sequence_cache._forget()


@pytest.fixture
def make_template(admin_user):
    """``make_template("Gràcies", purpose=...)``: an e-mail template in Catalan and Spanish."""
    from clientela.marketing.services import templates

    def make(name, *, purpose="follow_up"):
        return templates.create_email_template(
            actor=admin_user,
            name=name,
            purpose=purpose,
            default_language="ca",
            variants=[
                {
                    "language": "ca",
                    "subject": f"{name}, {{{{ contact.first_name }}}}",
                    "body": f"{name} (ca). [Baixa]({{{{ unsubscribe_url }}}})",
                },
                {
                    "language": "es",
                    "subject": f"{name} (es), {{{{ contact.first_name }}}}",
                    "body": f"{name} (es). [Baja]({{{{ unsubscribe_url }}}})",
                },
            ],
        )

    return make


@pytest.fixture
def run_sequences(django_capture_on_commit_callbacks):
    """``run_sequences(now)``: one pass of the engine at ``now``, its e-mail sent after the
    commit as the worker's would be; returns how many enrollments moved."""
    from clientela.marketing.sequences import runner

    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return runner.advance_due(now=now)

    return run
