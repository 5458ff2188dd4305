"""A restore refuses, with a clear reason and nothing written, whatever is wrong: a database
that holds data, a damaged or tampered file, a zip bomb, names escaping the folder, unknown
models, another schema."""

import hashlib
import json
import zipfile

import pytest

from clientela.contacts.models import Contact
from clientela.contacts.services import create_contact
from clientela.core.backup import checks, export, restore
from clientela.core.backup.format import BackupError
from clientela.core.models import Role
from clientela.core.tests.backup_dataset import rewrite, wipe_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(admin_user, tmp_path):
    create_contact(actor=admin_user, first_name="Ana", last_name="García")
    path = tmp_path / "account.zip"
    export.write_export(path)
    wipe_account()
    return path


def refused(path, match):
    with pytest.raises(BackupError, match=match):
        restore.restore(path)
    assert not Contact.all_objects.exists()
    assert Role.objects.filter(code="admin").exists()  # the migrated rows are untouched


def test_refuses_a_database_that_holds_data(exported, make_user):
    create_contact(actor=make_user("admin"), first_name="Ya", last_name="Estaba")

    with pytest.raises(BackupError, match="already holds data"):
        restore.restore(exported)

    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Ya"]


def test_refuses_a_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    refused(path, "not a Clientela export or it is damaged")


def test_refuses_a_truncated_zip(exported, tmp_path):
    path = tmp_path / "cut.zip"
    path.write_bytes(exported.read_bytes()[:-200])
    refused(path, "damaged")


def test_refuses_a_changed_row(exported, tmp_path):
    with zipfile.ZipFile(exported) as archive:
        rows = archive.read("data/contacts.contact.jsonl").replace(b"Ana", b"Eva")
    path = rewrite(
        exported,
        tmp_path / "t.zip",
        members={"data/contacts.contact.jsonl": rows},
        refresh_checksums=False,
    )
    refused(path, "size its manifest says|checksum")


def test_refuses_a_tampered_checksum(exported, tmp_path):
    def tamper(manifest):
        manifest["models"]["contacts.contact"]["sha256"] = "0" * 64

    refused(rewrite(exported, tmp_path / "t.zip", manifest=tamper), "checksum")


def test_refuses_a_manifest_that_lies_about_row_counts(exported, tmp_path):
    def tamper(manifest):
        manifest["models"]["contacts.contact"]["rows"] += 1

    refused(rewrite(exported, tmp_path / "t.zip", manifest=tamper), "the manifest says")


def test_refuses_a_zip_bomb(exported, tmp_path):
    bomb = b"\0" * (8 * 1024 * 1024)
    path = rewrite(exported, tmp_path / "bomb.zip", members={"csv/contacts.csv": bomb})
    refused(path, "zip bomb")


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil", "files/../../evil", "files\\..\\evil", "C:evil"]
)
def test_refuses_names_escaping_the_folder(exported, tmp_path, name):
    path = rewrite(exported, tmp_path / "t.zip", members={name: b"boo"})
    refused(path, "unsafe or repeated name")
    assert not (tmp_path / "evil.txt").exists()


def test_refuses_a_member_the_manifest_does_not_list(exported, tmp_path):
    path = rewrite(exported, tmp_path / "t.zip", members={"data/extra.jsonl": b"{}\n"})
    refused(path, "does not list")


def test_refuses_an_unknown_model(exported, tmp_path):
    line = b'{"id": 1}\n'

    def add_model(manifest):
        manifest["models"]["shop.basket"] = {
            "file": "data/shop.basket.jsonl",
            "rows": 1,
            "fields": ["id"],
            "bytes": len(line),
            "sha256": hashlib.sha256(line).hexdigest(),
        }

    path = rewrite(
        exported, tmp_path / "t.zip", members={"data/shop.basket.jsonl": line}, manifest=add_model
    )
    refused(path, "shop.basket, which this installation does not know")


def test_refuses_a_newer_schema(exported, tmp_path):
    def newer(manifest):
        manifest["schema"]["contacts"] = "0999_from_the_future"

    refused(rewrite(exported, tmp_path / "t.zip", manifest=newer), "newer than this installation")


def test_explains_an_older_schema_into_a_database_already_migrated(exported, tmp_path):
    def older(manifest):
        manifest["schema"]["contacts"] = "0001_initial"
        manifest["clientela_version"] = "0.0.9"

    refused(
        rewrite(exported, tmp_path / "t.zip", manifest=older),
        "0.0.9, whose database schema is older than this database's. Restore it into a new",
    )


def test_refuses_a_newer_format(exported, tmp_path):
    def newer(manifest):
        manifest["format_version"] = 99

    refused(rewrite(exported, tmp_path / "t.zip", manifest=newer), "format 99")


def test_a_restore_failing_halfway_leaves_the_database_empty(exported, tmp_path):
    with zipfile.ZipFile(exported) as archive:
        row = json.loads(archive.read("data/contacts.contact.jsonl"))
    row["owner_id"] = 987654  # no such user: only the constraint check at the end sees it
    path = rewrite(
        exported,
        tmp_path / "t.zip",
        members={"data/contacts.contact.jsonl": (json.dumps(row) + "\n").encode()},
    )
    refused(path, "nothing was kept")


def test_a_fresh_database_counts_as_empty():
    # Guards SEEDED_MODELS: a migration that starts seeding a table must add it there.
    assert checks.non_empty_models() == []


def test_refuses_a_file_missing_a_table(exported, tmp_path):
    def drop(manifest):
        del manifest["models"]["contacts.contactemail"]

    path = rewrite(
        exported,
        tmp_path / "t.zip",
        members={"data/contacts.contactemail.jsonl": None},
        manifest=drop,
    )
    refused(path, "no data for contacts.contactemail: it is incomplete")
