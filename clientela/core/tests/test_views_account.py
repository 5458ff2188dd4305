"""The account pages: API tokens, turning two-factor on and off, changing the password."""

import base64
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientela.core import tokens
from clientela.core.models import ApiToken

TOKEN = re.compile(r'<code class="secret" id="new-token">(clt_[^<]+)</code>')


@pytest.fixture
def sales(make_user):
    return make_user("sales", username="marta")


@pytest.fixture
def signed_in(client, sales):
    client.force_login(sales)
    return client


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- API tokens ----------------------------------------------------------------------------------


def test_created_token_is_shown_once_and_authenticates(signed_in, sales):
    response = signed_in.post(reverse("core:api_tokens"), {"name": "Accounting sync"})
    assert response.status_code == 200
    raw = TOKEN.search(response.content.decode()).group(1)
    token = ApiToken.objects.get(user=sales)
    assert token.name == "Accounting sync"
    assert raw.startswith(f"clt_{token.prefix}_")
    assert tokens.authenticate(raw).pk == token.pk
    assert response["Cache-Control"].startswith("max-age=0")
    # The list shows the prefix, never the secret again.
    html = signed_in.get(reverse("core:api_tokens")).content.decode()
    assert raw not in html
    assert f"clt_{token.prefix}_…" in html
    assert "Accounting sync" in html


def test_created_token_works_against_the_api(signed_in, client):
    response = signed_in.post(reverse("core:api_tokens"), {"name": "script"})
    raw = TOKEN.search(response.content.decode()).group(1)
    signed_in.post(reverse("core:logout"))
    api = client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200


def test_token_with_expiry_date_expires_at_the_end_of_that_day(signed_in, sales):
    day = timezone.localdate() + datetime.timedelta(days=30)
    signed_in.post(reverse("core:api_tokens"), {"name": "temp", "expires_on": day.isoformat()})
    token = ApiToken.objects.get(user=sales)
    local = timezone.localtime(token.expires_at)
    assert (local.date(), local.hour, local.minute) == (day, 23, 59)


def test_token_expiry_in_the_past_is_refused_and_nothing_is_created(signed_in, sales):
    response = signed_in.post(
        reverse("core:api_tokens"),
        {"name": "old", "expires_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["expires_on"] == ["Choose a date after today."]
    assert not ApiToken.objects.filter(user=sales).exists()
    assert response.context["new_token"] is None


def test_token_without_name_shows_a_field_error(signed_in, sales):
    response = signed_in.post(reverse("core:api_tokens"), {"name": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert ApiToken.objects.count() == 0


def test_revoked_token_no_longer_authenticates(signed_in, sales):
    token, raw = tokens.create_token(sales, "old script")
    response = signed_in.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response["Location"] == reverse("core:api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert tokens.authenticate(raw) is None
    assert "Revoked" in signed_in.get(reverse("core:api_tokens")).content.decode()


def test_nobody_can_revoke_someone_elses_token(signed_in, make_user):
    other = make_user("sales")
    token, raw = tokens.create_token(other, "theirs")
    response = signed_in.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert tokens.authenticate(raw).pk == token.pk


def test_token_list_shows_only_own_tokens(signed_in, make_user):
    other = make_user("sales")
    tokens.create_token(other, "someone else's token")
    html = signed_in.get(reverse("core:api_tokens")).content.decode()
    assert "someone else&#x27;s token" not in html
    assert "You have no API tokens yet." in html


# --- two-factor ----------------------------------------------------------------------------------


def test_two_factor_setup_shows_qr_code_and_secret(signed_in, sales):
    response = signed_in.get(reverse("core:two_factor"))
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=sales)
    assert device.confirmed is False
    assert "<svg" in html
    assert "<?xml" not in html
    secret = response.context["secret"].replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key


def test_two_factor_is_turned_on_with_a_correct_code(signed_in, sales):
    signed_in.get(reverse("core:two_factor"))
    device = TOTPDevice.objects.get(user=sales)
    response = signed_in.post(reverse("core:two_factor"), {"code": code_for(device)})
    assert response["Location"] == reverse("core:account")
    device.refresh_from_db()
    assert device.confirmed is True


def test_two_factor_stays_off_with_a_wrong_code(signed_in, sales):
    signed_in.get(reverse("core:two_factor"))
    device = TOTPDevice.objects.get(user=sales)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = signed_in.post(reverse("core:two_factor"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "That code is not valid. Check the time on your phone."
    ]
    device.refresh_from_db()
    assert device.confirmed is False


def test_two_factor_is_turned_off_only_with_the_password(signed_in, sales):
    TOTPDevice.objects.create(user=sales, name="phone", confirmed=True)
    response = signed_in.post(reverse("core:two_factor_disable"), {"password": "nope"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=sales).count() == 1
    response = signed_in.post(reverse("core:two_factor_disable"), {"password": "s3cret-Pass!"})
    assert response["Location"] == reverse("core:account")
    assert TOTPDevice.objects.filter(user=sales).count() == 0


# --- password ------------------------------------------------------------------------------------


def test_password_change_keeps_the_user_signed_in(signed_in, sales):
    response = signed_in.post(
        reverse("core:password_change"),
        {
            "old_password": "s3cret-Pass!",
            "new_password1": "An0ther-long-pass",
            "new_password2": "An0ther-long-pass",
        },
    )
    assert response["Location"] == reverse("core:account")
    sales.refresh_from_db()
    assert sales.check_password("An0ther-long-pass")
    assert signed_in.get(reverse("core:account")).status_code == 200


def test_password_change_with_wrong_old_password_changes_nothing(signed_in, sales):
    response = signed_in.post(
        reverse("core:password_change"),
        {"old_password": "bad", "new_password1": "An0ther-pass", "new_password2": "An0ther-pass"},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    sales.refresh_from_db()
    assert sales.check_password("s3cret-Pass!")
