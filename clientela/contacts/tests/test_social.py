"""Social profiles: what is accepted, how it is stored, and how it leaves (page, API, CSV,
vCard)."""

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts import services
from clientela.contacts.io import CONTACT_COLUMNS, iter_csv
from clientela.contacts.models import Contact
from clientela.contacts.social import normalize_profile
from clientela.contacts.vcard import iter_vcards


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("x", "@ana_garcia", "https://x.com/ana_garcia"),
        ("x", "ana_garcia", "https://x.com/ana_garcia"),
        ("x", "https://twitter.com/ana_garcia?s=20#top", "https://x.com/ana_garcia"),
        ("x", "mobile.twitter.com/ana_garcia/", "https://x.com/ana_garcia"),
        ("x", "  HTTPS://X.COM/Ana_Garcia  ", "https://x.com/Ana_Garcia"),
        ("instagram", "@ana.garcia", "https://www.instagram.com/ana.garcia"),
        ("instagram", "instagram.com/ana.garcia/", "https://www.instagram.com/ana.garcia"),
        ("tiktok", "@ana.g", "https://www.tiktok.com/@ana.g"),
        ("tiktok", "https://www.tiktok.com/@ana.g?lang=es", "https://www.tiktok.com/@ana.g"),
        ("facebook", "facebook.com/ana.garcia.bcn", "https://www.facebook.com/ana.garcia.bcn"),
        (
            "facebook",
            "https://m.facebook.com/profile.php?id=100012345",
            "https://www.facebook.com/profile.php?id=100012345",
        ),
        ("linkedin", "ana-garcia", "https://www.linkedin.com/in/ana-garcia"),
        (
            "linkedin",
            "https://es.linkedin.com/in/ana-garcia/",
            "https://www.linkedin.com/in/ana-garcia",
        ),
        (
            "linkedin",
            "linkedin.com/in/josé-garcía",
            "https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa",
        ),
        ("website", "vinspuig.cat/botiga", "https://vinspuig.cat/botiga"),
        ("website", "HTTP://VinsPuig.CAT:8080/x", "http://vinspuig.cat:8080/x"),
        ("x", "", ""),
        ("website", "   ", ""),
    ],
)
def test_profiles_are_stored_as_one_canonical_address(field, typed, stored):
    assert normalize_profile(field, typed) == stored


def test_a_company_linkedin_handle_is_a_company_page():
    assert normalize_profile("linkedin", "acme", company=True) == (
        "https://www.linkedin.com/company/acme"
    )


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("x", "javascript:alert(1)", "Only http and https addresses are accepted."),
        (
            "website",
            "javascript:alert(document.cookie)",
            "Only http and https addresses are accepted.",
        ),
        ("website", "JaVaScRiPt:alert(1)", "Only http and https addresses are accepted."),
        (
            "website",
            "data:text/html,<script>alert(1)</script>",
            "Only http and https addresses are accepted.",
        ),
        (
            "linkedin",
            "data:text/html;base64,PHNjcmlwdD4=",
            "Only http and https addresses are accepted.",
        ),
        ("website", "vbscript:msgbox(1)", "Only http and https addresses are accepted."),
        ("website", "ftp://files.example.com/", "Only http and https addresses are accepted."),
        ("website", "java\tscript:alert(1)", "Remove the spaces and invisible characters."),
        ("x", "ana\u200bgarcia", "Remove the spaces and invisible characters."),
        ("x", "\u202eana", "Remove the spaces and invisible characters."),
        ("website", "https://vins\x00puig.cat", "Remove the spaces and invisible characters."),
        ("x", "https://x.com.evil.es/ana", "Enter an address on x.com or just the handle."),
        ("x", "https://x.com@evil.es/ana", "Enter an address on x.com or just the handle."),
        ("x", "https://x.com:8443/ana", "Enter an address on x.com or just the handle."),
        ("x", "https://ｘ.com/ana", "Enter an address on x.com or just the handle."),
        (
            "linkedin",
            "https://lіnkedin.com/in/ana",
            "Enter an address on www.linkedin.com or just the handle.",
        ),
        ("x", "@this_handle_is_far_too_long", "Enter a valid X (Twitter) profile."),
        ("x", "@ana<script>", "Enter a valid X (Twitter) profile."),
        ("x", "https://x.com/", "Enter a valid X (Twitter) profile."),
        ("x", "https://x.com/intent/tweet", "Enter a valid X (Twitter) profile."),
        ("instagram", '@ana"onmouseover="x', "Enter a valid Instagram profile."),
        ("facebook", "https://facebook.com/profile.php?id=abc", "Enter a valid Facebook profile."),
        (
            "linkedin",
            "https://linkedin.com/feed/",
            "Enter a LinkedIn profile (/in/...) or company page (/company/...).",
        ),
        (
            "website",
            "https://user:pass@vinspuig.cat",
            "Enter an address without a user name or password.",
        ),
        ("website", "http://[::1", "Enter a valid web address."),
        ("website", "ｊａｖａｓｃｒｉｐｔ:alert(1)", "Enter a valid web address."),
        ("website", "https://exa mple.com", "Remove the spaces and invisible characters."),
        ("x", "a" * 5000, "Enter at most 300 characters."),
        ("website", "https://vinspuig.cat/" + "a" * 5000, "Enter at most 300 characters."),
    ],
)
def test_hostile_or_wrong_profiles_are_refused(field, typed, message):
    with pytest.raises(ValidationError) as caught:
        normalize_profile(field, typed)
    assert caught.value.messages == [message]


def test_services_store_canonical_profiles_and_report_each_bad_one(admin_user):
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", x="@ana", website="ana.es", linkedin="ana-garcia"
    )
    assert (contact.x, contact.website, contact.linkedin) == (
        "https://x.com/ana",
        "https://ana.es",
        "https://www.linkedin.com/in/ana-garcia",
    )
    with pytest.raises(ValidationError) as caught:
        services.update_contact(
            contact, actor=admin_user, tiktok="javascript:alert(1)", instagram="@a b"
        )
    assert caught.value.message_dict == {
        "instagram": ["Remove the spaces and invisible characters."],
        "tiktok": ["Only http and https addresses are accepted."],
    }
    contact.refresh_from_db()
    assert contact.tiktok == ""


def test_company_profiles_and_website(admin_user):
    company = services.create_company(
        actor=admin_user, name="Acme", website="acme.es", linkedin="acme", instagram="@acme"
    )
    assert (company.website, company.linkedin, company.instagram) == (
        "https://acme.es",
        "https://www.linkedin.com/company/acme",
        "https://www.instagram.com/acme",
    )
    with pytest.raises(ValidationError) as caught:
        services.update_company(company, actor=admin_user, website="javascript:alert(1)")
    assert caught.value.message_dict == {"website": ["Only http and https addresses are accepted."]}


def test_api_accepts_handles_and_answers_400_for_hostile_values(admin_api):
    client = admin_api
    response = client.post(
        "/api/v1/contacts/",
        {"first_name": "Ana", "x": "@ana", "tiktok": "@ana.g"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["x"], response.json()["tiktok"]) == (
        "https://x.com/ana",
        "https://www.tiktok.com/@ana.g",
    )
    assert response.json()["completeness"] == 10  # owner (the caller) only
    bad = client.post(
        "/api/v1/contacts/", {"first_name": "Eva", "facebook": "data:text/html,x"}, format="json"
    )
    assert bad.status_code == 400
    assert Contact.objects.filter(first_name="Eva").count() == 0


def test_contact_page_links_profiles_without_referrer_or_follow(client, admin_user):
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", x="@ana", website="ana.es"
    )
    client.force_login(admin_user)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert '<a href="https://x.com/ana" rel="noopener noreferrer nofollow">' in html
    assert '<a href="https://ana.es" rel="noopener noreferrer nofollow">' in html


def test_profiles_reach_the_csv_and_the_vcard(admin_user):
    services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="Puig",
        website="ana.es",
        linkedin="ana-puig",
        x="@ana",
    )
    text = "".join(iter_csv(Contact, Contact.objects.all()))
    header, row = text.splitlines()[:2]
    assert header.split(",") == CONTACT_COLUMNS
    assert ",https://ana.es,https://www.linkedin.com/in/ana-puig,https://x.com/ana," in row

    contact = Contact.objects.get()
    assert (contact.website, contact.linkedin, contact.x) == (
        "https://ana.es",
        "https://www.linkedin.com/in/ana-puig",
        "https://x.com/ana",
    )
    card = "".join(iter_vcards(Contact.objects.all())).replace("\r\n ", "")  # unfolded
    assert "URL;VALUE=uri:https://ana.es\r\n" in card
    assert (
        "X-SOCIALPROFILE;TYPE=linkedin;VALUE=uri:https://www.linkedin.com/in/ana-puig\r\n" in card
    )
    assert "X-SOCIALPROFILE;TYPE=x;VALUE=uri:https://x.com/ana\r\n" in card
