"""A real Dovecot IMAP server for the mail-capture tests and the benchmark: started on
127.0.0.1 on a free port from a configuration written into a scratch directory
(passwd-file users, Maildir folders, ``ssl = required`` with a certificate made on the spot
by ``openssl``), stopped afterwards.

Run as root (CI), Dovecot refuses to give mail or login processes uid 0: they run as
Debian's ``dovecot`` and ``dovenull`` users, so the server's directory is world-readable and
the Maildir belongs to ``dovecot``. As another user, everything runs as that user."""

import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import time
import uuid
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")
PASSWORD = "s3cret-imap"


def available():
    return DOVECOT.exists() and shutil.which("openssl") is not None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dovecot:
    def __init__(self, root):
        self.root = Path(root)
        self.port = free_port()
        self.cert = self.root / "cert.pem"
        self.process = None
        self.as_root = os.geteuid() == 0
        if self.as_root:
            mail_user = pwd.getpwnam("dovecot")
            self.mail_uid, self.mail_gid = mail_user.pw_uid, mail_user.pw_gid
        else:
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()
        self.users = []

    # --- lifecycle ---

    def start(self, users=("sales@example.com",)):
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)  # noqa: S103  (Dovecot's own users read it)
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir(exist_ok=True)
        self._certificate()
        self.users = list(users)
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in users)
        )
        os.chown(self.root / "mail", self.mail_uid, self.mail_gid)
        config = self.root / "dovecot.conf"
        config.write_text(self._config())
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Dovecot did not start: {self.log()[-2000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self):
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _certificate(self):
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", str(self.root / "key.pem"), "-out", str(self.cert),
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def _config(self):
        root = self.root
        if self.as_root:
            users = (
                "default_internal_user = dovecot\ndefault_internal_group = dovecot\n"
                "default_login_user = dovenull\n"
            )
        else:
            name = pwd.getpwuid(os.getuid()).pw_name
            users = (
                f"default_internal_user = {name}\ndefault_login_user = {name}\n"
                f"default_internal_group = {name}\n"
            )
        return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
{users}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={self.mail_uid} gid={self.mail_gid} home={root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    auto = create
    special_use = \\Sent
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
"""

    # --- filling mailboxes ---

    def client(self, user=None):
        context = ssl.create_default_context(cafile=str(self.cert))
        connection = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context)
        connection.login(user or self.users[0], PASSWORD)
        return connection

    def append(self, raw, folder="INBOX", user=None):
        """Deliver ``raw`` by IMAP APPEND; the folder is made when missing."""
        connection = self.client(user)
        try:
            connection.create(f'"{folder}"')  # "already exists" is fine
            status, data = connection.append(f'"{folder}"', None, None, raw)
            assert status == "OK", data
        finally:
            connection.logout()

    def maildir(self, user=None, folder="INBOX"):
        base = self.root / "mail" / (user or self.users[0])
        return base if folder == "INBOX" else base / f".{folder}"

    def write_maildir(self, messages, user=None, folder="INBOX"):
        """Drop many messages straight into the Maildir's ``new/`` (what a local delivery
        agent does): much faster than APPEND for the benchmark."""
        base = self.maildir(user, folder)
        for sub in ("", "new", "cur", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
            os.chown(base / sub, self.mail_uid, self.mail_gid)
        os.chown(base.parent, self.mail_uid, self.mail_gid)
        for number, raw in enumerate(messages):
            path = base / "new" / f"{time.time():.0f}.M{number}P{os.getpid()}.{uuid.uuid4().hex}"
            path.write_bytes(raw)
            os.chown(path, self.mail_uid, self.mail_gid)

    def reset_uidvalidity(self, user=None, folder="INBOX"):
        """Make the server renumber a folder (new UIDVALIDITY), as after a restore: its
        index and UID list are removed, the messages kept."""
        base = self.maildir(user, folder)
        time.sleep(1.1)  # Dovecot's UIDVALIDITY is the time in seconds: make it a new one
        for path in base.glob("dovecot*"):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
