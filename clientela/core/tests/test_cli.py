"""The ``clientela`` command, run in-process through ``clientela.cli.main``."""

import csv
import io

import pytest

from clientela.cli import ensure_admin, main
from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core import tokens
from clientela.core.models import ApiToken, ChangeRecord, Flag, User


def test_token_create_prints_a_working_token_once(admin_user, capsys):
    assert main(["token", "create", "admin", "--name", "ci", "--expires-days", "30"]) == 0

    out, err = capsys.readouterr()
    raw = out.strip()
    assert raw.startswith("clt_")
    assert "shown only this once" in err
    token = tokens.authenticate(raw)
    assert (token.user, token.name) == (admin_user, "ci")
    assert token.expires_at is not None
    assert ApiToken.objects.count() == 1


def test_token_create_for_unknown_user_fails(db):
    with pytest.raises(SystemExit, match="unknown user 'nobody'"):
        main(["token", "create", "nobody"])


def test_import_windows_1252_semicolon_csv_reports_bad_line(admin_user, tmp_path, capsys):
    path = tmp_path / "contactes.csv"
    path.write_bytes(
        "first_name;last_name;emails\r\nNúria;Puig;nuria@puig.cat\r\nPere;Ferrer;nope\r\n"
        "Mercè;Sabaté;merce@sabate.cat\r\n".encode("cp1252")
    )

    assert main(["import", "contacts", str(path), "--as", "admin"]) == 1

    out, err = capsys.readouterr()
    assert "line 3: email: Not an e-mail address: nope" in err
    assert "Imported 3 rows: 2 created, 0 updated, 0 duplicates skipped, 1 with errors." in out
    assert sorted(Contact.objects.values_list("last_name", flat=True)) == ["Puig", "Sabaté"]
    sources = set(ChangeRecord.objects.values_list("source", "actor__username"))
    assert sources == {("import", "admin")}


def test_import_dry_run_writes_nothing(admin_user, tmp_path, capsys):
    path = tmp_path / "companies.csv"
    path.write_text("name,city\nPuig SL,Vic\n", encoding="utf-8")

    assert main(["import", "companies", str(path), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "Checked 1 rows: 1 to create, 0 to update, 0 duplicates skipped, 0 with errors." in out
    assert not Company.all_objects.exists()


def test_export_to_file_round_trips_through_import(admin_user, tmp_path, capsys):
    services.create_company(actor=admin_user, name="Ferrer i Fills SL", tax_id="B08123457")
    services.create_company(actor=admin_user, name="Ruiz Hermanos SA", city="Sevilla")
    first = tmp_path / "first.csv"
    assert main(["export", "companies", "--output", str(first)]) == 0
    Company.all_objects.all().delete()

    assert main(["import", "companies", str(first)]) == 0
    second = tmp_path / "second.csv"
    assert main(["export", "companies", "-o", str(second)]) == 0

    def rows(path):
        skip = {"id", "created_at", "updated_at"}
        with open(path, encoding="utf-8", newline="") as handle:
            return [{k: v for k, v in r.items() if k not in skip} for r in csv.DictReader(handle)]

    assert rows(second) == rows(first)
    assert [r["name"] for r in rows(second)] == ["Ferrer i Fills SL", "Ruiz Hermanos SA"]


def test_export_to_stdout_as_a_user_shows_only_their_records(make_user, capsys):
    rep = make_user("sales", username="rep", scope="own")
    services.create_contact(actor=rep, first_name="Mine", owner=rep)
    services.create_contact(actor=rep, first_name="Other")

    assert main(["export", "contacts", "--as", "rep"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["first_name"] for r in rows] == ["Mine"]


def test_demo_loads_once_then_says_it_is_loaded(db, capsys):
    assert main(["demo", "--companies", "5", "--contacts", "20"]) == 0
    assert (
        "Demo data loaded: 8 users, 5 companies, 20 contacts, 10 deals," in capsys.readouterr().out
    )

    assert main(["demo", "--companies", "5", "--contacts", "20"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert (Company.objects.count(), Contact.objects.count()) == (5, 20)
    assert Flag.objects.filter(name="demo_loaded").exists()


def test_manage_passes_arguments_to_django(db, capsys):
    assert main(["manage", "showmigrations", "core"]) == 0
    assert "[X] 0001_initial" in capsys.readouterr().out


def test_first_start_creates_admin_once_with_the_configured_password(db, monkeypatch):
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "correct horse battery")

    assert ensure_admin() == (True, None)
    assert ensure_admin() == (False, None)
    admin = User.objects.get(username="admin")
    assert admin.check_password("correct horse battery")
    assert admin.is_admin


def test_first_start_generates_a_password_and_never_recreates_a_deleted_admin(db, monkeypatch):
    monkeypatch.delenv("CLIENTELA_ADMIN_PASSWORD", raising=False)

    created, password = ensure_admin()
    assert created and len(password) >= 16
    assert User.objects.get(username="admin").check_password(password)

    User.objects.filter(username="admin").delete()
    assert ensure_admin() == (False, None)
    assert not User.objects.filter(username="admin").exists()
