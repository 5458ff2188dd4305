import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from clientela.contacts import services
from clientela.contacts.io import CONTACT_COLUMNS, iter_csv
from clientela.contacts.models import Contact
from clientela.core.models import CustomField


def _export(model, queryset):
    return "".join(iter_csv(model, queryset))


@pytest.fixture
def channel_field(db):
    return CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="channel",
        label="Channel",
        field_type="choice",
        choices=["Email", "Phone"],
    )


def test_export_has_columns_children_and_custom_fields(admin_user, make_team, channel_field):
    company = services.create_company(actor=admin_user, name="Vila SL", country="ES")
    services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="Vila",
        company=company,
        emails=["ana@vila.cat", "ana@gmail.com"],
        phones=["600123456"],
        tags=["VIP", "Newsletter"],
        owner=admin_user,
        team=make_team("Vendes"),
        custom_fields={"channel": "Email"},
    )
    rows = list(csv.DictReader(io.StringIO(_export(Contact, Contact.objects.all()))))

    assert list(rows[0]) == [*CONTACT_COLUMNS, "cf_channel"]
    row = rows[0]
    assert row["emails"] == "ana@vila.cat; ana@gmail.com"
    assert row["phones"] == "+34600123456"
    assert row["tags"] == "Newsletter, VIP"
    assert (row["company"], row["owner"], row["team"]) == ("Vila SL", "admin", "Vendes")
    assert row["cf_channel"] == "Email"


def test_export_streams_in_batches(admin_user):
    from clientela.contacts import io as contacts_io

    for i in range(3):
        services.create_contact(actor=admin_user, first_name=f"N{i}", emails=[f"n{i}@x.es"])
    contacts_io.BATCH_SIZE, saved = 2, contacts_io.BATCH_SIZE
    try:
        chunks = list(iter_csv(Contact, Contact.objects.all()))
    finally:
        contacts_io.BATCH_SIZE = saved

    assert len(chunks) == 3  # header, 2 rows, 1 row
    assert [len(c.splitlines()) for c in chunks] == [1, 2, 1]
