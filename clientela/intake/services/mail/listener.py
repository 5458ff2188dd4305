"""The optional inbound SMTP listener (``clientela manage receive_mail``): an aiosmtpd server
accepting mail for the addresses of active mailboxes (or, with a catch-all mailbox, for any
address) and storing it the way IMAP messages are stored, with a size limit.

It is meant to sit behind the organisation's mail server (a forward or a BCC address), not
on the open Internet: it does not authenticate senders or speak TLS itself."""

import asyncio

from aiosmtpd.controller import Controller
from django.db import connections

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

from ...choices import MailSource
from ...models import Mailbox
from .storing import capture


class CaptureHandler:
    """Refuses recipients no mailbox answers for (550) and stores each message once per
    mailbox it was addressed to."""

    def __init__(self, catch_all=None):
        self.catch_all = catch_all  # a Mailbox's id, or None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mailbox_id = await _in_thread(self._mailbox_for, address)
        if mailbox_id is None:
            return "550 5.1.1 No mailbox here for this address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        ids = await _in_thread(lambda: {self._mailbox_for(a) for a in envelope.rcpt_tos})
        await _in_thread(self._store, envelope.content, sorted(i for i in ids if i))
        return "250 Message accepted"

    def _mailbox_for(self, address):
        found = (
            Mailbox.objects.filter(active=True, email_address__iexact=address.strip())
            .values_list("pk", flat=True)
            .first()
        )
        return found or self.catch_all

    def _store(self, raw, mailbox_ids):
        with change_context(source=ChangeSource.SYSTEM):
            for mailbox in Mailbox.objects.filter(pk__in=mailbox_ids):
                capture(raw, mailbox=mailbox, source=MailSource.SMTP, folder="SMTP")


async def _in_thread(function, *args):
    """Run ORM work in a worker thread of the event loop, closing that thread's database
    connection afterwards: the pool's threads live on, their connections must not."""

    def run():
        try:
            return function(*args)
        finally:
            connections.close_all()

    return await asyncio.to_thread(run)


def listener(*, host, port, max_bytes, catch_all=None):
    """A stopped listener; ``.start()`` serves in a thread, ``.stop()`` ends it. Messages
    over ``max_bytes`` are refused (552) before they are stored."""
    return Controller(
        CaptureHandler(catch_all), hostname=host, port=port, data_size_limit=max_bytes
    )
