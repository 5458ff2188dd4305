"""An import in a real browser: upload a spreadsheet export, check the suggested columns, import,
watch it finish, read the errors, undo it."""

import pytest
from django.db import connection
from django.urls import reverse

from clientela.core.models import Role, User

PASSWORD = "Browser-pass-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "Nombre;Apellidos;Correo electrónico;Teléfono\r\n"
    "Núria;Puig Vidal;nuria@puig.cat;600 12 34 56\r\n"
    "Pere;Ferrer;pere@;612 345 678\r\n"
)


@pytest.fixture
def person(db):
    return User.objects.create_user(
        username="marta", password=PASSWORD, role=Role.objects.get(code="admin"), language="en"
    )


def run_the_worker():
    """What ``clientela worker`` does with the queued import (the test has no worker)."""
    from clientela.intake.models import ImportJob
    from clientela.intake.services.imports import run_import_job

    for job in ImportJob.objects.filter(status="queued"):
        run_import_job(job.pk)
    connection.close()  # this thread's connection must not outlive the test


def test_import_a_spreadsheet_then_undo_it(live_server, person, browser_page, tmp_path):
    from playwright.sync_api import expect

    page, url = browser_page, live_server.url
    upload = tmp_path / "clientes.csv"
    upload.write_bytes(CSV.encode("cp1252"))

    page.goto(url + reverse("core:login"))
    page.fill("#id_username", "marta")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url + reverse("intake:import_new"))
    page.select_option("#id_kind", "contacts")
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Read the file").click()

    # The columns were recognised; the person only confirms.
    expect(page.get_by_label("Correo electrónico")).to_have_value("email")
    expect(page.get_by_label("Apellidos")).to_have_value("surnames")
    expect(page.get_by_text("Núria · Pere")).to_be_visible()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Queued")).to_be_visible()

    run_the_worker()
    page.reload()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    expect(page.get_by_text("Not an e-mail address: pere@")).to_be_visible()
    expect(page.get_by_role("link", name="Download the rows not imported (CSV)")).to_be_visible()

    page.get_by_role("link", name="Undo this import…").click()
    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_text("Import undone: 1 removed, 0 restored, 0 kept.")).to_be_visible()
    assert page.console_errors == []
