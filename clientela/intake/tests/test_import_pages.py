"""The import pages and ``/api/v1/imports/``: upload, mapping, result, report, undo, who sees
what."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clientela.contacts.models import Contact
from clientela.intake.models import ImportJob, ImportMapping
from clientela.intake.services import imports

CSV = "Nombre,Correo electrónico,Ciudad\nAna,ana@x.es,Vic\nBea,no,Olot\n"


def upload(text=CSV, name="clientes.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def run_queued(job):
    """What the worker does with the queued job."""
    return imports.run_import_job(job.pk)


def test_upload_then_check_the_suggested_mapping_then_run(client, make_user):
    user = make_user("sales")
    client.force_login(user)

    response = client.post(reverse("intake:import_new"), {"kind": "contacts", "file": upload()})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:import_detail", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nombre" in body and "Ana · Bea" in body
    assert '<option value="email" selected>' in body
    form = {"column_0": "first_name", "column_1": "email", "column_2": "city"}
    form.update(on_duplicate="skip", match_on=["email"], save_as="Tienda")
    response = client.post(reverse("intake:import_detail", args=[job.pk]), form)

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.mapping) == ("queued", ["first_name", "email", "city"])
    assert ImportMapping.objects.get().name == "Tienda"
    run_queued(job)
    page = client.get(reverse("intake:import_detail", args=[job.pk])).content.decode()
    assert "Rows with errors" in page and "Not an e-mail address: no" in page
    report = client.get(reverse("intake:import_report", args=[job.pk]))
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines()[1] == (
        "3,email: Not an e-mail address: no,Bea,no,Olot"
    )
    assert Contact.objects.get().city == "Vic"


def test_a_running_import_page_refreshes_itself(client, admin_user):
    job = imports.start_import(upload(), "c.csv", kind="contacts", actor=admin_user)
    imports.configure_import(job, actor=admin_user, mapping=job.mapping, enqueue=False)
    client.force_login(admin_user)

    page = client.get(reverse("intake:import_detail", args=[job.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="100" value="0"' in page


def test_a_bad_upload_is_a_form_error(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("intake:import_new"), {"kind": "contacts", "file": upload("", "empty.csv")}
    )

    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_mapping_without_a_name_field_is_refused(client, admin_user):
    job = imports.start_import(upload(), "c.csv", kind="contacts", actor=admin_user)
    client.force_login(admin_user)

    response = client.post(
        reverse("intake:import_detail", args=[job.pk]),
        {"column_0": "", "column_1": "", "column_2": "city", "on_duplicate": "skip"},
    )

    assert response.status_code == 400
    assert "Map a column to one of" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "new"


def test_undo_asks_first_then_takes_the_import_back(client, admin_user):
    job = imports.start_import(upload(), "c.csv", kind="contacts", actor=admin_user)
    imports.configure_import(job, actor=admin_user, mapping=job.mapping, enqueue=False)
    run_queued(job)
    client.force_login(admin_user)
    url = reverse("intake:import_undo", args=[job.pk])

    assert "The record it created is removed for good." in client.get(url).content.decode()
    assert Contact.objects.count() == 1
    response = client.post(url, follow=True)

    assert "Import undone: 1 removed, 0 restored, 0 kept." in response.content.decode()
    assert not Contact.all_objects.exists()


def test_others_imports_are_hidden_from_salespeople_and_shown_to_managers(client, make_user):
    owner, other, manager = make_user("sales"), make_user("sales"), make_user("manager")
    job = imports.start_import(upload(), "c.csv", kind="contacts", actor=owner)

    client.force_login(other)
    assert client.get(reverse("intake:import_detail", args=[job.pk])).status_code == 404
    assert "c.csv" not in client.get(reverse("intake:import_list")).content.decode()
    client.force_login(manager)
    assert "c.csv" in client.get(reverse("intake:import_list")).content.decode()
    # Only the person who uploaded a file maps it.
    assert client.get(reverse("intake:import_detail", args=[job.pk])).status_code == 403


def test_read_only_users_cannot_start_an_import(client, make_user):
    client.force_login(make_user("read_only"))

    assert client.get(reverse("intake:import_new")).status_code == 403


# --- API ------------------------------------------------------------------------------------------


def test_api_upload_suggests_then_start_runs(api, admin_user):
    client = api(admin_user)

    response = client.post("/api/v1/imports/", {"file": upload(), "kind": "contacts"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new"
    assert body["header"] == ["Nombre", "Correo electrónico", "Ciudad"]
    assert body["mapping"] == ["first_name", "email", "city"]
    assert body["sample"] == [["Ana", "ana@x.es", "Vic"], ["Bea", "no", "Olot"]]
    started = client.post(
        f"/api/v1/imports/{body['id']}/start/",
        {"mapping": ["first_name", "", "city"], "on_duplicate": "update"},
        format="json",
    )
    assert started.status_code == 200
    assert started.json()["status"] == "queued"
    run_queued(ImportJob.objects.get())
    done = client.get(f"/api/v1/imports/{body['id']}/").json()
    assert (done["status"], done["created"], done["failed"]) == ("done", 2, 0)
    assert done["errors_url"] is None
    undone = client.post(f"/api/v1/imports/{body['id']}/undo/")
    assert undone.json() == {"removed": 2, "restored": 0, "kept": 0}


def test_api_upload_and_start_at_once_with_a_mapping(api, admin_user):
    response = api(admin_user).post(
        "/api/v1/imports/",
        {
            "file": upload(),
            "kind": "contacts",
            "start": "true",
            "mapping": json.dumps(["full_name", "email", ""]),
            "dry_run": "true",
        },
    )

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["dry_run"]) == ("queued", True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "contacts"}, "file", "No file was submitted."),
        ({"kind": "spaceships", "file": "x"}, "kind", '"spaceships" is not a valid choice.'),
        (
            {"kind": "contacts", "start": "true", "mapping": "{oops"},
            "mapping",
            "Send a JSON list.",
        ),
        (
            {"kind": "contacts", "start": "true", "mapping": '["shoe_size"]'},
            "mapping",
            "shoe_size is not a field of this import.",
        ),
    ],
)
def test_api_upload_errors_are_per_field(api, admin_user, data, field, message):
    if data.get("file") == "x" or "start" in data:
        data = {**data, "file": upload()}

    response = api(admin_user).post("/api/v1/imports/", data)

    assert response.status_code == 400
    assert message in response.json()["fields"][field][0]


def test_api_hides_other_peoples_imports(api, make_user):
    owner = make_user("sales")
    job = imports.start_import(upload(), "c.csv", kind="contacts", actor=owner)

    client = api(make_user("sales"))
    assert client.get(f"/api/v1/imports/{job.pk}/").status_code == 404
    assert client.get("/api/v1/imports/").json()["results"] == []
