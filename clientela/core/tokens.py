"""Personal API tokens: ``clt_<prefix>_<secret>``; only a SHA-256 of the secret is stored."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clientela.core.models import ApiToken

PREFIX_LENGTH = 8
USE_RECORDED_EVERY = timedelta(minutes=5)  # keep reads from writing on every request


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(user, name, *, expires_at=None):
    """Create a token; return ``(token, full_token_string)``. The string is never stored."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, key_hash=_hash(secret), expires_at=expires_at
    )
    return token, f"clt_{prefix}_{secret}"


def authenticate(raw):
    """The active token matching ``raw``, or ``None`` (unknown, wrong secret, expired, revoked,
    or its user deactivated). Records ``last_used_at`` at most every ``USE_RECORDED_EVERY``."""
    if not isinstance(raw, str) or len(raw) > 200:
        return None
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "clt" or len(parts[1]) != PREFIX_LENGTH:
        return None
    token = ApiToken.objects.select_related("user", "user__role").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(parts[2])):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def revoke_token(token):
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
