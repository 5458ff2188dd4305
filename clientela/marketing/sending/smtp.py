"""An SMTP session that lets the caller record a message as sent at the last moment before the
mail server may accept it: after the whole body, just before the final ``.``.

Until the final dot the server keeps nothing (a dropped connection discards the message), and
once the dot is on its way nothing of ours can fail but reading the reply. The record is
written before the dot and committed right after it: a crash before the dot leaves nothing
recorded and nothing delivered; the one window left is between writing the dot and the
commit reaching the database, two writes to two sockets with nothing awaited in between.
"""

import contextlib
import re
import smtplib
import socket
import ssl

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

TIMEOUT = 30
_LINE_END = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


class Refused(Exception):
    """The server said no (``code``, ``reply``); 4xx is worth another try later, 5xx is not."""

    def __init__(self, code, reply, *, after_dot=False):
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        super().__init__(f"{code} {text}")
        self.code = code
        self.after_dot = after_dot

    @property
    def permanent(self):
        return self.code >= 500


class NotRecorded(Exception):
    """The caller declined to record the message (another sender owns it): not sent."""


class ConnectionLost(Exception):
    """The connection broke. ``maybe_delivered``: it broke after the final dot went out, while
    waiting for the server's answer, so the server may have accepted the message."""

    def __init__(self, error, *, maybe_delivered):
        super().__init__(str(error))
        self.maybe_delivered = maybe_delivered


def server_address():
    """``(host, port)`` of the mail server ``CLIENTELA_EMAIL_URL`` names (Django's SMTP
    settings come from it), or ``None`` when mail does not go through SMTP (the console, the
    tests' outbox)."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return None
    return settings.EMAIL_HOST, settings.EMAIL_PORT


def server_key():
    """The name of the mail server's shared sending allowance."""
    address = server_address()
    return f"smtp:{address[0]}:{address[1]}" if address else "mail:local"


class CampaignSMTP:
    """One connection to ``CLIENTELA_EMAIL_URL``, reused for many messages."""

    def __init__(self):
        host, port = server_address()
        if settings.EMAIL_USE_SSL:
            self.client = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT)
        else:
            self.client = smtplib.SMTP(host, port, timeout=TIMEOUT)
            if settings.EMAIL_USE_TLS:
                self.client.starttls(context=ssl.create_default_context())
        # Small writes (the final dot) must not wait for the server's delayed ACK (Nagle).
        self.client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.client.ehlo_or_helo_if_needed()
        if settings.EMAIL_HOST_USER:
            self.client.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)

    def send(self, message, recording):
        """Send ``message`` (a ``mime.CampaignMessage``). ``recording()`` is entered before
        the final dot and must give true, or the message is abandoned (``NotRecorded``); the
        dot is written inside it, so what it records is committed right after the dot.
        Raises ``Refused`` (``after_dot`` when the server refused the whole message) and
        ``ConnectionLost``."""
        dot_sent = False
        try:
            self._start(message.envelope_from, message.to)
            body = _LEADING_DOT.sub(b"..", _LINE_END.sub(b"\r\n", message.as_bytes()))
            self.client.send(body if body.endswith(b"\r\n") else body + b"\r\n")
            with recording() as recorded:
                if not recorded:
                    # Without the final dot the server must not accept it: end the session.
                    self.close()
                    raise NotRecorded
                self.client.send(b".\r\n")
                dot_sent = True
            code, reply = self.client.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self.close()
            raise ConnectionLost(error, maybe_delivered=dot_sent) from error
        if code != 250:
            raise Refused(code, reply, after_dot=True)

    def _start(self, envelope_from, recipient):
        client = self.client
        if client.has_extn("pipelining"):
            return self._start_pipelined(envelope_from, recipient)
        code, reply = client.mail(envelope_from)
        if code == 250:
            code, reply = client.rcpt(recipient)
            if code in (250, 251):
                code, reply = client.docmd("DATA")
                if code == 354:
                    return
                raise Refused(code, reply)
        self._abandon()
        raise Refused(code, reply)

    def _start_pipelined(self, envelope_from, recipient):
        """MAIL, RCPT and DATA in one write, then their three answers (RFC 2920)."""
        client = self.client
        client.send(f"MAIL FROM:<{envelope_from}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode())
        answers = [client.getreply() for _ in range(3)]
        (mail_code, mail_reply), (rcpt_code, rcpt_reply), (data_code, data_reply) = answers
        if mail_code == 250 and rcpt_code in (250, 251) and data_code == 354:
            return
        if data_code == 354:  # the server waits for a message we will not send
            client.send(b".\r\n")
            client.getreply()
        self._abandon()
        if mail_code != 250:
            raise Refused(mail_code, mail_reply)
        if rcpt_code not in (250, 251):
            raise Refused(rcpt_code, rcpt_reply)
        raise Refused(data_code, data_reply)

    def _abandon(self):
        with contextlib.suppress(smtplib.SMTPException):
            self.client.rset()

    def close(self):
        with contextlib.suppress(OSError):
            self.client.close()


class DjangoMailTransport:
    """For a ``CLIENTELA_EMAIL_URL`` that is not SMTP (the console, the tests' outbox):
    records the message, then hands it to Django's mail backend."""

    def __init__(self):
        from django.core.mail import get_connection

        self.connection = get_connection()

    def send(self, message, recording):
        with recording() as recorded:
            if not recorded:
                raise NotRecorded
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=message.from_email,
            to=[message.to],
            headers=message.headers,
            reply_to=[message.reply_to] if message.reply_to else None,
            connection=self.connection,
        )
        email.attach_alternative(message.html, "text/html")
        email.send()

    def close(self):
        self.connection.close()


def open_transport():
    return CampaignSMTP() if server_address() else DjangoMailTransport()
