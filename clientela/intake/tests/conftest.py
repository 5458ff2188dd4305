import pytest

from clientela.sales import services as sales_services


@pytest.fixture
def pipeline(admin_user):
    """A default pipeline of the test's own: the one a migration makes is gone after a test
    that flushes the database."""
    return sales_services.create_pipeline(
        actor=admin_user, name="Ventas", stages=[("Nuevo", 10, "open")], is_default=True
    )


from .mailfixtures import customer, dovecot, mailbox  # noqa: E402,F401  (mail-capture fixtures)
