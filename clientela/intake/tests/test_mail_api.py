"""``/api/v1/mailboxes/``: managers only; the password is write-only."""

import pytest

from clientela.intake.models import Mailbox
from clientela.intake.services import mail

from .mailfixtures import SALES

pytestmark = pytest.mark.django_db


def _body(**changes):
    body = {
        "name": "Ventas",
        "email_address": SALES,
        "host": "imap.example.com",
        "port": 993,
        "security": "tls",
        "username": SALES,
        "password": "s3cret",
        "folders": ["INBOX", "Sent"],
    }
    body.update(changes)
    return body


def test_a_manager_creates_a_mailbox_and_never_reads_its_password(api, make_user):
    client = api(make_user("manager"))

    response = client.post("/api/v1/mailboxes/", _body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert "password" not in data and "password_encrypted" not in data
    assert (data["host"], data["folders"], data["captured_count"]) == (
        "imap.example.com",
        ["INBOX", "Sent"],
        0,
    )
    box = Mailbox.objects.get()
    assert mail.crypto.decrypt(box.password_encrypted) == "s3cret"
    listed = client.get("/api/v1/mailboxes/").json()["results"]
    assert [m["name"] for m in listed] == ["Ventas"] and "password" not in listed[0]


def test_patching_without_a_password_keeps_it(api, make_user):
    client = api(make_user("manager"))
    pk = client.post("/api/v1/mailboxes/", _body(), format="json").json()["id"]

    response = client.patch(f"/api/v1/mailboxes/{pk}/", {"name": "Vendes"}, format="json")

    assert response.status_code == 200
    assert mail.crypto.decrypt(Mailbox.objects.get().password_encrypted) == "s3cret"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"host": "imap.example.com:993"}, "host"),
        ({"host": "x" * 254}, "host"),
        ({"port": 70000}, "port"),
        ({"security": "none"}, "security"),
        ({"folders": ["a\r\nb"]}, "folders"),
        ({"password": ""}, "password"),
        ({"ca_file": "/etc/passwd-nope"}, "ca_file"),
    ],
)
def test_bad_values_are_refused(api, make_user, changes, field):
    client = api(make_user("manager"))

    response = client.post("/api/v1/mailboxes/", _body(**changes), format="json")

    assert response.status_code == 400
    assert field in str(response.json())
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("role", ["sales", "read_only"])
def test_only_managers_reach_mailboxes(api, make_user, role):
    client = api(make_user(role))

    assert client.get("/api/v1/mailboxes/").status_code == 403
    assert client.post("/api/v1/mailboxes/", _body(), format="json").status_code == 403


def test_sync_is_queued(api, make_user):
    client = api(make_user("manager"))
    pk = client.post("/api/v1/mailboxes/", _body(), format="json").json()["id"]

    response = client.post(f"/api/v1/mailboxes/{pk}/sync/")

    assert (response.status_code, response.json()) == (202, {"queued": True})
