"""``clientela manage receive_mail --host 127.0.0.1 --port 2525``: the inbound SMTP listener
(see ``intake.services.mail.listener``)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clientela.intake.models import Mailbox
from clientela.intake.services.mail.listener import listener


class Command(BaseCommand):
    help = "Receive e-mail over SMTP for the addresses of the mailboxes and capture it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument(
            "--catch-all",
            metavar="MAILBOX",
            help="name of the mailbox that takes mail for any other address",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=settings.MAIL_MAX_MESSAGE_BYTES,
            help="largest message accepted (default: CLIENTELA_MAIL_MAX_MESSAGE_BYTES)",
        )

    def handle(self, *args, host, port, catch_all, max_bytes, **options):
        catch_all_id = None
        if catch_all:
            catch_all_id = (
                Mailbox.objects.filter(name=catch_all, active=True)
                .values_list("pk", flat=True)
                .first()
            )
            if catch_all_id is None:
                raise CommandError(f"No active mailbox is called {catch_all!r}.")
        server = listener(host=host, port=port, max_bytes=max_bytes, catch_all=catch_all_id)
        server.start()
        self.stdout.write(f"Receiving mail on {host}:{port} (Ctrl+C to stop).")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
