"""What a full account export holds."""

import hashlib
import json
import zipfile

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from clientela.cli import main
from clientela.contacts.services import create_contact
from clientela.core import services
from clientela.core.backup import export, format
from clientela.core.models import Flag

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(admin_user):
    return create_contact(actor=admin_user, first_name="Ana", last_name="García")


def _manifest(archive):
    return json.loads(archive.read("manifest.json"))


def test_manifest_counts_rows_and_checksums_every_member(contact, tmp_path):
    path = tmp_path / "a.zip"
    export.write_export(path)

    with zipfile.ZipFile(path) as archive:
        manifest = _manifest(archive)
        assert manifest["format"] == "clientela-account-export"
        assert manifest["format_version"] == format.FORMAT_VERSION
        [(_app, latest)] = MigrationLoader(None).graph.leaf_nodes("contacts")
        assert manifest["schema"]["contacts"] == latest
        assert "password hashes" in manifest["security"]
        entry = manifest["models"]["contacts.contact"]
        assert entry["rows"] == 1
        rows = archive.read(entry["file"])
        assert entry["sha256"] == hashlib.sha256(rows).hexdigest()
        assert json.loads(rows)["first_name"] == "Ana"
        for name in archive.namelist():
            if name != "manifest.json":
                section = "models" if name.startswith("data/") else "lists"
                listed = {
                    e["file"] if section == "models" else n: e for n, e in manifest[section].items()
                }
                assert listed[name]["bytes"] == len(archive.read(name))


def test_every_model_is_exported_or_skipped_with_a_reason():
    exported = {format.label_of(m) for m in format.exported_models()}
    for model in apps.get_models(include_auto_created=True):
        label = format.label_of(model)
        if model._meta.app_config.name.startswith("clientela."):
            assert label in exported or label in format.SKIPPED_MODELS, label
    assert {"core.user", "core.apitoken", "core.changerecord", "otp_totp.totpdevice"} <= exported
    assert not exported & set(format.SKIPPED_MODELS)


def test_models_come_after_the_models_they_point_at():
    order = [format.label_of(m) for m in format.exported_models()]
    assert order.index("core.role") < order.index("core.user") < order.index("contacts.contact")
    assert order.index("contacts.contact") < order.index("contacts.contactemail")


def test_trash_and_history_are_in_the_data_but_not_in_the_lists(contact, admin_user, tmp_path):
    services.delete_records([contact], actor=admin_user)
    path = tmp_path / "a.zip"
    export.write_export(path)

    with zipfile.ZipFile(path) as archive:
        row = json.loads(archive.read("data/contacts.contact.jsonl"))
        assert row["deleted_at"] is not None
        history = archive.read("data/core.changerecord.jsonl").decode()
        assert '"action": "delete"' in history
        listed = archive.read("csv/contacts.csv").decode("utf-8-sig")
        assert "García" not in listed
        assert len(listed.splitlines()) == 1  # the header alone


def test_the_export_page_state_stays_out_of_the_file(tmp_path):
    Flag.objects.create(name="account_export", value={"status": "running"})
    Flag.objects.create(name="demo_loaded", value={})
    path = tmp_path / "a.zip"
    export.write_export(path)

    with zipfile.ZipFile(path) as archive:
        flags = archive.read("data/core.flag.jsonl").decode()
    assert "demo_loaded" in flags
    assert "account_export" not in flags


def test_a_failed_export_leaves_no_file(contact, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_write_lists", broken)
    path = tmp_path / "a.zip"
    with pytest.raises(RuntimeError):
        export.write_export(path)
    assert list(tmp_path.iterdir()) == []


def test_command_line_exports_all_and_checks_a_restore(contact, tmp_path, capsys):
    path = tmp_path / "backup.zip"
    assert main(["export", "all", str(path)]) == 0
    assert "keep it safe" in capsys.readouterr().out

    assert main(["import", "all", str(path), "--dry-run"]) == 1  # this database holds data
    assert "already holds data" in capsys.readouterr().err
