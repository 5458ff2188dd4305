"""Security headers on every response: no framing, no sniffing, a strict content policy."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/login/", "/no-such-page/", "/api/v1/contacts/", "/api/v1/schema/", "/health/"]
)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_only_the_api_docs_page_allows_its_inline_script(client):
    policy = client.get(reverse("api:docs"))["Content-Security-Policy"]

    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'none'" in policy


def test_signed_in_pages_have_no_inline_styles_or_scripts(client, admin_user):
    client.force_login(admin_user)

    pages = ("contacts:contact_list", "contacts:contact_create", "core:account", "core:two_factor")
    for name in pages:
        html = client.get(reverse(name)).content.decode()
        assert "<style" not in html
        assert "<script>" not in html
        assert ' style="' not in html
