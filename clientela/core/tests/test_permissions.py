"""Record scopes (own / team / all) and access levels, the one place every list goes through."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(make_user, make_team):
    """Me (in Sales), a teammate, a stranger (in Support) and one contact per kind of owner."""
    sales, support = make_team("Sales"), make_team("Support")
    me = make_user("sales", teams=[sales], scope="own")
    mate = make_user("sales", teams=[sales])
    stranger = make_user("sales", teams=[support])
    contacts = {}
    for name, owner, team in [
        ("mine", me, None),
        ("mate", mate, None),
        ("team", stranger, sales),
        ("unowned_team", None, sales),
        ("stranger", stranger, support),
        ("unassigned", None, None),
    ]:
        contacts[name] = Contact.objects.create(first_name=name, owner=owner, team=team)
    return {"me": me, "contacts": contacts}


def visible_names(user):
    return sorted(c.first_name for c in permissions.visible(user, Contact.objects.all()))


def with_scope(user, scope, access=None):
    role = user.role
    role.scope = scope
    if access is not None:
        role.access = access
    role.save()
    return user


def test_own_scope_sees_only_own_records(world):
    assert visible_names(world["me"]) == ["mine"]


def test_team_scope_sees_teammates_records_and_records_of_my_teams(world):
    assert visible_names(with_scope(world["me"], "team")) == [
        "mate",
        "mine",
        "team",
        "unowned_team",
    ]


def test_all_scope_sees_every_record_including_unassigned(world):
    assert visible_names(with_scope(world["me"], "all")) == [
        "mate",
        "mine",
        "stranger",
        "team",
        "unassigned",
        "unowned_team",
    ]


def test_admin_sees_everything_whatever_the_role_scope(admin_user, world):
    assert len(visible_names(admin_user)) == 6


@pytest.mark.parametrize("scope", ["own", "team", "all"])
def test_in_scope_agrees_with_the_queryset_filter(world, scope):
    me = with_scope(world["me"], scope)
    visible = set(visible_names(me))
    assert {n for n, c in world["contacts"].items() if permissions.in_scope(me, c)} == visible


def test_who_can_view_agrees_with_can_view_record(world, make_user, make_team, admin_user):
    sales, support = make_team("Sales"), make_team("Support")
    people = [admin_user, world["me"], make_user("read_only"), make_user("service")]
    people += [
        make_user("sales", teams=teams, scope=scope)
        for scope in ("own", "team", "all")
        for teams in ([], [sales], [support], [sales, support])
    ]
    people[-1].is_active = False
    for name, contact in world["contacts"].items():
        expected = [u.pk for u in people if permissions.can_view_record(u, contact)]
        fresh = [type(u).objects.select_related("role").get(pk=u.pk) for u in people]
        fresh[-1].is_active = False
        assert [u.pk for u in permissions.who_can_view(fresh, contact)] == expected, name


def test_write_visibility_needs_write_access(world):
    me = with_scope(world["me"], "all", access={"contacts": "read"})
    assert visible_names(me) == sorted(world["contacts"])
    assert list(permissions.visible(me, Contact.objects.all(), write=True)) == []
    assert not permissions.can_change_record(me, world["contacts"]["mine"])
    assert permissions.can_view_record(me, world["contacts"]["mine"])


def test_no_access_sees_nothing(world):
    me = with_scope(world["me"], "all", access={})
    assert visible_names(me) == []
    assert not permissions.can_view_record(me, world["contacts"]["mine"])


def test_inactive_user_sees_and_changes_nothing(world):
    me = world["me"]
    me.is_active = False
    assert visible_names(me) == []
    assert not permissions.can_change_record(me, world["contacts"]["mine"])
    assert not permissions.in_scope(me, world["contacts"]["mine"])


def test_anonymous_user_sees_nothing(world):
    anonymous = AnonymousUser()
    assert visible_names(anonymous) == []
    assert Contact.objects.filter(permissions.scope_q(anonymous)).count() == 0
    assert not permissions.in_scope(anonymous, world["contacts"]["unassigned"])


def test_user_without_role_has_own_scope_and_no_access(make_user):
    user = make_user("sales")
    user.role = None
    assert permissions.scope_of(user) == "own"
    assert not permissions.can_read(user, "contacts")


def test_require_change_raises_for_records_out_of_scope(world):
    me = world["me"]
    permissions.require_change(me, world["contacts"]["mine"])
    with pytest.raises(PermissionDenied):
        permissions.require_change(me, world["contacts"]["mate"])


def test_require_settings_is_for_administrators(admin_user, world):
    permissions.require_settings(admin_user)
    with pytest.raises(PermissionDenied):
        permissions.require_settings(world["me"])


def test_read_only_role_reads_but_cannot_write(make_user):
    reader = make_user("read_only")
    assert Role.objects.get(code="read_only").scope == "all"
    assert permissions.can_read(reader, "contacts")
    assert not permissions.can_write(reader, "contacts")
