"""The data migration giving the built-in roles of an existing database their activities
access, without touching what an administrator changed."""

import importlib

import pytest
from django.apps import apps

from clientela.core.models import Role

pytestmark = pytest.mark.django_db
role_access = importlib.import_module("clientela.activities.migrations.0002_role_access")


def test_existing_built_in_roles_get_activities_access_and_edits_are_kept():
    Role.objects.filter(code="sales").update(access={"contacts": "write", "sales": "write"})
    Role.objects.filter(code="read_only").update(access={"contacts": "read"})
    Role.objects.filter(code="marketing").update(access={"contacts": "write", "activities": "none"})

    role_access.forwards(apps, None)

    access = dict(Role.objects.values_list("code", "access"))
    assert access["sales"] == {"contacts": "write", "sales": "write", "activities": "write"}
    assert access["read_only"] == {"contacts": "read", "activities": "read"}
    assert access["marketing"] == {"contacts": "write", "activities": "none"}
