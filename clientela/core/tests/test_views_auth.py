"""Signing in and out, lockout, two-factor sign-in and the language switch."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "s3cret-Pass!"


@pytest.fixture
def sales(make_user):
    return make_user("sales", username="marta")


def sign_in(client, username, password, **extra):
    return client.post(reverse("core:login"), {"username": username, "password": password, **extra})


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.django_db
def test_sign_in_page_renders_form_with_labelled_fields(client):
    response = client.get(reverse("core:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'href="#main"' in html  # skip link


def test_correct_password_signs_in_and_goes_home(client, sales):
    response = sign_in(client, "marta", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(sales.pk)


def test_sign_in_follows_a_local_next_but_not_a_foreign_one(client, sales):
    response = sign_in(client, "marta", PASSWORD, next="/account/")
    assert response["Location"] == "/account/"
    client.post(reverse("core:logout"))
    response = sign_in(client, "marta", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("core:home")


def test_wrong_password_is_refused_with_a_message(client, sales):
    response = sign_in(client, "marta", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Please enter a correct username and password" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_with_429(client, sales):
    for _ in range(4):
        assert sign_in(client, "marta", "wrong").status_code == 200
    response = sign_in(client, "marta", "wrong")
    assert response.status_code == 429
    assert "core/locked_out.html" in [t.name for t in response.templates]
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Even the right password is refused while locked out.
    response = sign_in(client, "marta", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post(client, sales):
    client.force_login(sales)
    assert client.get(reverse("core:logout")).status_code == 405
    response = client.post(reverse("core:logout"))
    assert response["Location"] == reverse("core:login")
    assert "_auth_user_id" not in client.session


def test_home_sends_signed_in_users_to_the_contacts_list(client, sales):
    assert client.get(reverse("core:home"))["Location"] == "/login/?next=/"
    client.force_login(sales)
    assert client.get(reverse("core:home"))["Location"] == reverse("contacts:contact_list")


def test_pages_need_sign_in(client):
    response = client.get(reverse("core:account"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('core:login')}?next=/account/"


# --- two-factor sign-in -------------------------------------------------------------------------


@pytest.fixture
def device(sales):
    return TOTPDevice.objects.create(user=sales, name="phone", confirmed=True)


def test_user_with_two_factor_is_asked_for_a_code_before_being_signed_in(client, sales, device):
    response = sign_in(client, "marta", PASSWORD, next="/account/")
    assert response["Location"] == reverse("core:login_verify")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("core:login_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.session["_auth_user_id"] == str(sales.pk)
    # The session is verified by django-otp (a device is attached to it).
    assert client.session["otp_device_id"] == device.persistent_id


def test_wrong_two_factor_code_is_refused(client, sales, device):
    sign_in(client, "marta", PASSWORD)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("core:login_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_malformed_code_shows_a_field_error(client, sales, device):
    sign_in(client, "marta", PASSWORD)
    response = client.post(reverse("core:login_verify"), {"code": "12ab"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(client, sales, device):
    sign_in(client, "marta", PASSWORD)
    statuses = [
        client.post(reverse("core:login_verify"), {"code": "000000"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(reverse("core:login_verify"), {"code": current_code(device)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_code_step_without_a_password_step_goes_back_to_sign_in(client, device):
    response = client.post(reverse("core:login_verify"), {"code": "123456"})
    assert response["Location"] == reverse("core:login")


# --- language ------------------------------------------------------------------------------------


def test_language_switch_is_stored_on_the_user_and_used_on_the_next_page(client, sales):
    client.force_login(sales)
    response = client.post(reverse("core:set_language"), {"language": "ca", "next": "/account/"})
    assert response["Location"] == "/account/"
    sales.refresh_from_db()
    assert sales.language == "ca"
    html = client.get(reverse("core:account")).content.decode()
    assert '<html lang="ca">' in html


def test_language_switch_for_anonymous_visitors_sets_the_cookie(client, settings):
    response = client.post(reverse("core:set_language"), {"language": "es", "next": "/login/"})
    assert response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es">' in client.get(reverse("core:login")).content.decode()


def test_language_switch_ignores_unknown_languages_and_foreign_next(client, sales):
    client.force_login(sales)
    response = client.post(
        reverse("core:set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")
    sales.refresh_from_db()
    assert sales.language == "en"
