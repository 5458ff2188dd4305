"""What a request tells about who gave or withdrew consent: kept in the consent log as proof."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address


def consent_evidence(request):
    """``{"ip_address", "user_agent"}`` of the request (an unreadable address is left out)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        validate_ipv46_address(address)
    except ValidationError:
        address = None
    return {
        "ip_address": address,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500],
    }


def sender_key(request):
    """Who sent a request, for rate limits, without keeping their address."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:16]
