"""Areas that arrive with a later app reach the built-in roles of an existing database, without
overwriting what an administrator chose."""

import pytest
from django.apps import apps
from django.db import connection

from clientela.core.models import Role
from clientela.core.roles import BUILTIN_ROLES, grant_new_areas

pytestmark = pytest.mark.django_db


def test_missing_areas_are_granted_and_chosen_ones_kept():
    marketing = Role.objects.get(code="marketing")
    marketing.access = {"contacts": "write"}
    marketing.save()
    sales = Role.objects.get(code="sales")
    sales.access = {**sales.access, "marketing": "none"}  # an administrator's choice
    sales.save()
    custom = Role.objects.create(code="interns", name="Interns", scope="own", access={})

    grant_new_areas(apps, connection.schema_editor(), ["marketing", "automation"])

    marketing.refresh_from_db()
    assert marketing.access == {"contacts": "write", "marketing": "write", "automation": "read"}
    sales.refresh_from_db()
    assert sales.access["marketing"] == "none"
    assert "automation" not in sales.access  # the sales role has no automation access
    custom.refresh_from_db()
    assert custom.access == {}
    assert BUILTIN_ROLES["manager"][2]["automation"] == "write"
