import pytest

from clientela.sales import services as sales_services


@pytest.fixture
def pipeline(admin_user):
    """A default pipeline of the test's own: the one a migration makes is gone after a test
    that flushes the database."""
    return sales_services.create_pipeline(
        actor=admin_user, name="Ventas", stages=[("Nuevo", 10, "open")], is_default=True
    )


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files and reports of each test in a folder of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
