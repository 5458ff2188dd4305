"""Finding duplicates: scoring, blocking, dismissed pairs."""

from clientela.contacts import duplicates, services
from clientela.contacts.duplicates import name_similarity


def test_accents_and_case_make_no_difference_to_a_name():
    assert name_similarity(("José", "García", "López"), ("jose", "GARCIA", "LOPEZ")) == 100


def test_a_nickname_counts_as_the_full_first_name():
    assert name_similarity(("Pepe", "García", ""), ("José", "García", "")) == 100
    assert name_similarity(("Paco", "Ruiz", ""), ("Francisco", "Ruiz", "")) == 100
    assert name_similarity(("Xavi", "Puig", ""), ("Xavier", "Puig", "")) == 100


def test_a_missing_second_surname_is_no_difference():
    assert name_similarity(("Ana", "García", "López"), ("Ana", "García", "")) == 100
    assert name_similarity(("Ana", "García López", ""), ("Ana", "García", "")) == 100


def test_different_people_score_low():
    assert name_similarity(("Ana", "García", ""), ("Pedro", "Martín", "")) < 50


def test_same_phone_in_different_formats_is_found(admin_user):
    a = services.create_contact(
        actor=admin_user, first_name="Marta", last_name="Soler", phones=["600 12 34 56"]
    )
    b = services.create_contact(
        actor=admin_user, first_name="M.", last_name="Soler Vidal", phones=["+34 600-123-456"]
    )

    pairs = duplicates.find_contact_duplicates()

    assert [(p.first.pk, p.second.pk) for p in pairs] == [(a.pk, b.pk)]
    assert "same phone" in pairs[0].reasons


def test_same_email_and_nickname_scores_highest(admin_user):
    a = services.create_contact(
        actor=admin_user, first_name="Pepe", last_name="Pérez", emails=["pepe@example.es"]
    )
    b = services.create_contact(
        actor=admin_user,
        first_name="José",
        last_name="Pérez",
        second_last_name="Gil",
        emails=["PEPE@example.es"],
    )

    [pair] = duplicates.find_contact_duplicates()

    assert (pair.first.pk, pair.second.pk, pair.score) == (a.pk, b.pk, 100)
    assert pair.reasons == ["same e-mail", "same name"]


def test_similar_names_in_the_same_company_are_paired(admin_user):
    company = services.create_company(actor=admin_user, name="Vins Puig SL")
    a = services.create_contact(
        actor=admin_user, first_name="Nacho", last_name="Martínez", company=company
    )
    b = services.create_contact(
        actor=admin_user, first_name="Ignacio", last_name="Martinez", company=company
    )

    [pair] = duplicates.find_contact_duplicates()

    assert (pair.first.pk, pair.second.pk) == (a.pk, b.pk)
    assert pair.reasons == ["same name", "same company"]


def test_blocking_never_pairs_unrelated_people(admin_user):
    for first, last in [("Ana", "García"), ("Pedro", "Martín"), ("Lucía", "Soler"), ("Ana", "Gil")]:
        services.create_contact(actor=admin_user, first_name=first, last_name=last)

    assert duplicates.find_contact_duplicates() == []


def test_dismissed_pairs_stay_dismissed(admin_user):
    a = services.create_contact(actor=admin_user, first_name="Laura", last_name="Vidal")
    b = services.create_contact(actor=admin_user, first_name="Laura", last_name="Vidal")
    assert len(duplicates.find_contact_duplicates()) == 1

    services.dismiss_duplicate(b, a, actor=admin_user)
    services.dismiss_duplicate(a, b, actor=admin_user)

    assert duplicates.find_contact_duplicates() == []


def test_companies_with_the_same_tax_id_or_domain_are_paired(admin_user):
    a = services.create_company(actor=admin_user, name="Acme, S.L.", tax_id="B12345674")
    b = services.create_company(actor=admin_user, name="ACME Iberia", tax_id="B12345674")
    c = services.create_company(actor=admin_user, name="Bodegas Sol", domain="bodegassol.es")
    d = services.create_company(actor=admin_user, name="Sol Vinos", domain="www.bodegassol.es")
    services.create_company(actor=admin_user, name="Telecom Norte")

    pairs = duplicates.find_company_duplicates()

    assert [(p.first.pk, p.second.pk, p.score) for p in pairs] == [
        (a.pk, b.pk, 100),
        (c.pk, d.pk, 90),
    ]
    assert pairs[0].reasons == ["same tax id"]


def test_similar_contacts_warns_of_an_existing_person(admin_user):
    existing = services.create_contact(
        actor=admin_user, first_name="Dolores", last_name="Ruiz", second_last_name="Sanz"
    )

    found = duplicates.similar_contacts(first_name="Lola", last_name="Ruiz")

    assert [(c.pk, score) for c, score, _reasons in found] == [(existing.pk, 80)]
