"""Personal API tokens: only active tokens of active users authenticate."""

import datetime

import pytest
from django.utils import timezone

from clientela.core import tokens
from clientela.core.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(make_user):
    return make_user("sales")


def test_created_token_string_is_shown_once_and_only_its_hash_is_stored(user):
    token, raw = tokens.create_token(user, "laptop")
    prefix, secret = raw.split("_", 2)[1:]
    assert raw.startswith("clt_") and prefix == token.prefix and len(prefix) == 8
    assert secret not in token.key_hash and len(token.key_hash) == 64
    assert tokens.authenticate(raw) == token


def test_token_of_another_secret_is_refused(user):
    token, raw = tokens.create_token(user, "laptop")
    assert tokens.authenticate(f"clt_{token.prefix}_wrong-secret") is None


@pytest.mark.parametrize(
    "raw", ["", "clt", "clt__", "xyz_abcdefgh_secret", "clt_short_secret", "clt_" + "a" * 300, None]
)
def test_malformed_tokens_are_refused(user, raw):
    tokens.create_token(user, "laptop")
    assert tokens.authenticate(raw) is None


def test_expired_token_is_refused(user):
    _, raw = tokens.create_token(
        user, "old", expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert tokens.authenticate(raw) is None


def test_token_expiring_later_is_accepted(user):
    token, raw = tokens.create_token(
        user, "new", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert tokens.authenticate(raw) == token


def test_revoked_token_is_refused(user):
    token, raw = tokens.create_token(user, "laptop")
    tokens.revoke_token(token)
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    tokens.revoke_token(token)  # idempotent: the first revocation time stays
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at
    assert tokens.authenticate(raw) is None


def test_token_of_a_deactivated_user_is_refused(user):
    _, raw = tokens.create_token(user, "laptop")
    user.is_active = False
    user.save()
    assert tokens.authenticate(raw) is None


def test_first_use_is_recorded(user):
    token, raw = tokens.create_token(user, "laptop")
    before = timezone.now()
    tokens.authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at >= before


def test_use_within_five_minutes_of_the_last_is_not_written(user, django_assert_num_queries):
    token, raw = tokens.create_token(user, "laptop")
    recent = timezone.now() - datetime.timedelta(minutes=4)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        tokens.authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent


def test_use_after_five_minutes_is_written(user):
    token, raw = tokens.create_token(user, "laptop")
    old = timezone.now() - datetime.timedelta(minutes=6)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    assert tokens.authenticate(raw).last_used_at > old
    assert ApiToken.objects.get(pk=token.pk).last_used_at > old


def test_long_names_are_cut_to_fit(user):
    token, _ = tokens.create_token(user, "n" * 300)
    assert len(token.name) == 100
