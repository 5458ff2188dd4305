"""Settings › Export all data: administrators ask for an export, the worker writes it, they
download it for a day; nobody else sees it."""

import json
import os
import time
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.core.backup import jobs
from clientela.core.models import Flag

PAGE = reverse("core:account_export")
DOWNLOAD = reverse("core:account_export_download")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _run_queued_export():
    jobs.export_account.call(Flag.objects.get(name=jobs.EXPORT_FLAG).value["run"])


def test_an_administrator_exports_and_downloads(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(PAGE)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the job was queued
    assert "is being prepared" in admin_client.get(PAGE).content.decode()

    _run_queued_export()

    page = admin_client.get(PAGE).content.decode()
    assert "Download the export" in page
    response = admin_client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    path = jobs.exports_dir() / "download.zip"
    path.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["models"]["core.user"]["rows"] == 1


def test_one_export_at_a_time(admin_client, admin_user):
    assert jobs.request_export(admin_user)
    response = admin_client.post(PAGE, follow=True)
    assert "already being prepared" in response.content.decode()


def test_the_export_expires_after_a_day(admin_client, admin_user):
    jobs.request_export(admin_user)
    _run_queued_export()
    [zip_file] = jobs.exports_dir().glob("*.zip")

    later = timezone.now() + timedelta(days=1, minutes=1)
    assert jobs.downloadable_file(later) is None
    assert not zip_file.exists()
    assert admin_client.get(DOWNLOAD).status_code == 404


@pytest.mark.parametrize("role_code", ["manager", "sales", "read_only"])
def test_only_administrators_see_or_download_exports(client, make_user, admin_user, role_code):
    jobs.request_export(admin_user)
    _run_queued_export()
    client.force_login(make_user(role_code))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE).status_code == 403
    assert client.get(DOWNLOAD).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(DOWNLOAD).status_code == 302


def test_the_settings_menu_links_the_page_for_administrators(admin_client):
    page = admin_client.get(reverse("core:user_list")).content.decode()
    assert f'href="{PAGE}"' in page


def test_the_hourly_job_deletes_exports_past_their_day(admin_user):
    jobs.request_export(admin_user)
    _run_queued_export()
    [zip_file] = jobs.exports_dir().glob("*.zip")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(zip_file, (two_days_ago, two_days_ago))

    assert jobs.remove_expired_exports.call() == 1
    assert not zip_file.exists()
