"""Mailbox passwords, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256) under a key
derived from ``SECRET_KEY`` with HKDF: a copy of the database alone does not give the
passwords away. Changing ``SECRET_KEY`` makes stored passwords unreadable: they must be typed
again (the sync says so)."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"clientela mailbox password"


def _fernet():
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(password):
    return _fernet().encrypt(password.encode()).decode() if password else ""


def decrypt(token):
    """The password, or ``None`` when it cannot be read (``SECRET_KEY`` changed)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
