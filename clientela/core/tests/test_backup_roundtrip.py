"""A full export restored gives back every row of every model, on the same database engine
and across engines (SQLite -> PostgreSQL -> SQLite, or PostgreSQL -> SQLite -> PostgreSQL)."""

import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from clientela.contacts.models import Contact
from clientela.contacts.services import create_contact
from clientela.core import search
from clientela.core.backup import export, restore
from clientela.core.models import Flag, User
from clientela.core.tests.backup_dataset import (
    PASSWORD,
    build_rich_account,
    data_members,
    rewrite,
    wipe_account,
)

REPO = Path(__file__).resolve().parents[3]
POSTGRES_SERVER = os.environ.get(
    "CLIENTELA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def account(make_user, make_team):
    return build_rich_account(make_user, make_team)


@pytest.fixture
def exported(account, tmp_path):
    path = tmp_path / "account.zip"
    export.write_export(path)
    return path


def test_restore_gives_back_every_row_of_every_model(account, exported, tmp_path):
    wipe_account()

    counts = restore.restore(exported)

    again = tmp_path / "again.zip"
    export.write_export(again)
    assert data_members(again) == data_members(exported)
    assert counts["contacts.contact"] == Contact.all_objects.count()
    assert Flag.objects.get(name=restore.RESTORE_FLAG).value["file"] == "account.zip"


def test_restored_account_signs_in_searches_and_keeps_numbering(account, exported, settings):
    wipe_account()
    restore.restore(exported)

    boss = User.objects.get(username="boss")
    assert boss.check_password(PASSWORD)
    found = search.search(boss, "nuria@example.cat")
    assert [(e.entity, e.object_id) for e in found] == [("contact", account["contact"].pk)]
    assert Contact.all_objects.get(pk=account["contact"].pk).custom_fields == {"score": 42}
    # New rows continue after the restored ids (PostgreSQL sequences were reset).
    new = create_contact(actor=boss, first_name="Después", last_name="Restauración")
    assert new.pk > max(Contact.all_objects.exclude(pk=new.pk).values_list("pk", flat=True))


# --- across database engines --------------------------------------------------------------


def _postgres_server():
    import psycopg

    try:
        return psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_SERVER}: {error}")


class _Databases:
    """Fresh, empty databases for ``clientela`` subprocesses; PostgreSQL ones are dropped."""

    def __init__(self, tmp_path):
        self.tmp_path, self.dropped = tmp_path, []

    def new(self, vendor):
        if vendor == "sqlite":
            return f"sqlite:///{self.tmp_path / f'{uuid.uuid4().hex}.sqlite3'}"
        name = f"clientela_backup_t{uuid.uuid4().hex[:12]}"
        with _postgres_server() as server:
            server.execute(f'CREATE DATABASE "{name}"')
        self.dropped.append(name)
        return POSTGRES_SERVER.rsplit("/", 1)[0] + "/" + name

    def drop_all(self):
        if not self.dropped:
            return
        with _postgres_server() as server:
            for name in self.dropped:
                server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(tmp_path):
    made = _Databases(tmp_path)
    yield made
    made.drop_all()


def clientela(database_url, data_dir, *args):
    env = {
        **os.environ,
        "CLIENTELA_DATABASE_URL": database_url,
        "CLIENTELA_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(REPO),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "clientela.cli", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _move(zip_path, database_url, tmp_path, name):
    """Restore ``zip_path`` into ``database_url`` and export it again from there."""
    data_dir = tmp_path / name
    data_dir.mkdir()
    clientela(database_url, data_dir, "import", "all", zip_path)
    out = tmp_path / f"{name}.zip"
    clientela(database_url, data_dir, "export", "all", out)
    return out


def test_export_moves_to_the_other_engine_and_back_unchanged(exported, databases, tmp_path):
    here = connection.vendor
    other = "postgresql" if here == "sqlite" else "sqlite"
    if "postgresql" in (here, other):
        _postgres_server().close()  # skip early, with the reason, when there is no server

    over_there = _move(exported, databases.new(other), tmp_path, other)
    back_here = _move(over_there, databases.new(here), tmp_path, here)

    original = data_members(exported)
    assert data_members(over_there) == original
    assert data_members(back_here) == original


@pytest.mark.parametrize("same_data_folder", [False, True])
def test_stored_files_travel_with_their_records(admin_user, tmp_path, settings, same_data_folder):
    from django.core.files.base import ContentFile

    from clientela.intake.models import ImportJob

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "media"}},
    }
    job = ImportJob(kind="contacts", file_name="people.csv", created_by=admin_user)
    job.file.save("people.csv", ContentFile(b"name\nAna\n"))
    path = tmp_path / "with-files.zip"
    export.write_export(path)
    stored = tmp_path / "media" / job.file.name
    if not same_data_folder:
        stored.unlink()
    wipe_account()

    restore.restore(path)

    assert ImportJob.objects.get().file.name == job.file.name
    assert stored.read_bytes() == b"name\nAna\n"
    assert len(list(stored.parent.iterdir())) == 1  # no renamed copy


def test_a_file_from_an_older_version_is_restored_and_upgraded(exported, databases, tmp_path):
    # The file as the version before intake's imports and mailboxes wrote it: no such tables,
    # and no customer-service, collaboration or analytics app (which came later still).
    later = ("intake.import", "intake.mail", "support.", "collaboration.", "analytics.")

    def before_imports(manifest):
        manifest["schema"]["intake"] = "0003_webhooks"
        del manifest["schema"]["support"]
        del manifest["schema"]["collaboration"]
        del manifest["schema"]["analytics"]
        for label in [label for label in manifest["models"] if label.startswith(later)]:
            del manifest["models"][label]

    with zipfile.ZipFile(exported) as archive:
        names = archive.namelist()
        dropped = {n: None for n in names if n.startswith(tuple(f"data/{p}" for p in later))}
    older = rewrite(exported, tmp_path / "older.zip", members=dropped, manifest=before_imports)

    upgraded = _move(older, databases.new("sqlite"), tmp_path, "upgraded")

    # What the dataset's writes put in the feed did not exist before collaboration; the
    # reports' rollups are derived, counted again from the records after the upgrade.
    def records(members):
        return {k: v for k, v in members.items() if not k.startswith("data/analytics.")}

    expected = records(data_members(exported))
    expected |= {name: b"" for name in expected if name.startswith("data/collaboration.")}
    assert records(data_members(upgraded)) == expected
