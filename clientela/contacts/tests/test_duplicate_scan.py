"""The stored duplicate pairs: the full scan, the re-check on save, merge and dismissal, the job,
and the review queue reading them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from clientela.contacts import duplicates, jobs, services
from clientela.contacts.models import Contact, DuplicateCandidate
from clientela.core.models import Flag

QUEUE = reverse("contacts:contact_duplicates")


def _stored(kind="contact", state="open"):
    return sorted(
        DuplicateCandidate.objects.filter(kind=kind, state=state).values_list(
            "low_id", "high_id", "score", "reasons"
        )
    )


def _person(actor, first, last="", second="", **more):
    return services.create_contact(
        actor=actor, first_name=first, last_name=last, second_last_name=second, **more
    )


@pytest.fixture
def people(admin_user):
    """Pairs of one person written twice, each found by a different signal, and strangers."""
    p = {}
    p["jose"] = _person(admin_user, "José", "García", "López")
    p["jose2"] = _person(admin_user, "jose", "GARCIA", "LOPEZ")  # accents and case
    p["ana"] = _person(admin_user, "Ana", "Ruiz", "Sanz")
    p["ana2"] = _person(admin_user, "Ana", "Ruiz")  # no second surname
    p["pepe"] = _person(admin_user, "Pepe", "Pérez", "Gil")
    p["pepe2"] = _person(admin_user, "José", "Pérez", "Gil")  # nickname
    p["laura"] = _person(admin_user, "Laura", "Jiménez", "Vidal")
    p["laura2"] = _person(admin_user, "Laura", "Giménez", "Vidal")  # spelling
    p["marta"] = _person(admin_user, "Marta", "Soler", phones=["600 12 34 56"])
    p["marta2"] = _person(admin_user, "M.", "Soler Vidal", phones=["+34 600-123-456"])
    p["joan"] = _person(admin_user, "Joan", "Puig", emails=["joan@example.cat"])
    p["joan2"] = _person(admin_user, "Juan", "Puig", "Serra", emails=["JOAN@example.cat"])
    _person(admin_user, "Pedro", "Martín")  # strangers
    _person(admin_user, "Lucía", "Soler", "Gil")
    return p


EXPECTED = [
    ("jose", "jose2", 80, ["name"]),
    ("ana", "ana2", 80, ["name"]),
    ("pepe", "pepe2", 80, ["name"]),
    ("laura", "laura2", 76, ["similar_name"]),
    ("marta", "marta2", 85, ["phone"]),
    ("joan", "joan2", 100, ["email", "name"]),
]


def _expected(people):
    return sorted((people[a].pk, people[b].pk, score, why) for a, b, score, why in EXPECTED)


def test_the_full_scan_stores_every_kind_of_pair(people):
    DuplicateCandidate.objects.all().delete()

    result = duplicates.scan_duplicates("contact")

    assert _stored() == _expected(people)
    assert (result["pairs"], result["removed"]) == (6, 0)


def test_saving_a_contact_checks_it_at_once(people, admin_user):
    # Every pair but the spelling variant (left to the nightly scan) is there already.
    assert _stored() == [p for p in _expected(people) if p[3] != ["similar_name"]]

    services.update_contact(people["jose2"], actor=admin_user, first_name="Ramón")
    assert (people["jose"].pk, people["jose2"].pk) not in [p[:2] for p in _stored()]

    services.update_contact(people["jose2"], actor=admin_user, first_name="Jose")
    assert (people["jose"].pk, people["jose2"].pk, 80, ["name"]) in _stored()


def test_companies_by_tax_id_domain_phone_and_name(admin_user):
    a = services.create_company(actor=admin_user, name="Acme, S.L.", tax_id="B12345674")
    b = services.create_company(actor=admin_user, name="ACME Iberia", tax_id="B12345674")
    c = services.create_company(actor=admin_user, name="Bodegas Sol", domain="bodegassol.es")
    d = services.create_company(actor=admin_user, name="Sol Vinos", domain="www.bodegassol.es")
    e = services.create_company(actor=admin_user, name="Telecom Norte", phones=["931234567"])
    f = services.create_company(actor=admin_user, name="TN Serveis", phones=["+34 93 123 45 67"])
    g = services.create_company(actor=admin_user, name="Vins Puig SL")
    h = services.create_company(actor=admin_user, name="Vins Puig")
    DuplicateCandidate.objects.all().delete()

    duplicates.scan_duplicates("company")

    assert _stored("company") == [
        (a.pk, b.pk, 100, ["tax_id"]),
        (c.pk, d.pk, 90, ["domain"]),
        (e.pk, f.pk, 75, ["phone"]),
        (g.pk, h.pk, 85, ["name"]),
    ]


def test_merging_marks_the_pair_merged_and_forgets_the_others_pairs(people, admin_user):
    jose, jose2 = people["jose"], people["jose2"]
    third = _person(admin_user, "José", "García", "López")

    services.merge_contacts(jose, jose2, actor=admin_user)

    assert _stored(state="merged") == [(jose.pk, jose2.pk, 80, ["name"])]
    open_pairs = [p[:2] for p in _stored()]
    assert (jose.pk, third.pk) in open_pairs
    assert all(jose2.pk not in pair for pair in open_pairs)


def test_dismissing_closes_the_pair_and_a_new_scan_keeps_it_closed(people, admin_user):
    ana, ana2 = people["ana"], people["ana2"]

    services.dismiss_duplicate(ana2, ana, actor=admin_user)
    duplicates.scan_duplicates("contact")

    assert _stored(state="dismissed") == [(ana.pk, ana2.pk, 80, ["name"])]
    assert (ana.pk, ana2.pk) not in [p[:2] for p in _stored()]


def test_the_job_is_idempotent_and_drops_pairs_no_longer_found(people):
    stale = DuplicateCandidate.objects.create(
        kind="contact",
        low_id=people["ana"].pk,
        high_id=people["pepe"].pk,
        score=99,
        reasons=["name"],
        found_at="2020-01-01T00:00:00Z",
    )

    first = jobs.run_duplicate_scan()
    rows = list(DuplicateCandidate.objects.order_by("pk").values_list("pk", "low_id", "high_id"))
    second = jobs.run_duplicate_scan()

    assert not DuplicateCandidate.objects.filter(pk=stale.pk).exists()
    assert (first["contact"]["removed"], second["contact"]["removed"]) == (1, 0)
    assert (
        list(DuplicateCandidate.objects.order_by("pk").values_list("pk", "low_id", "high_id"))
        == rows
    )
    assert _stored() == _expected(people)
    assert set(Flag.objects.get(name=jobs.SCAN_FLAG).value["kinds"]) == {"contact", "company"}


def _queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_queue_costs_the_same_queries_whatever_the_number_of_pairs(client, admin_user):
    client.force_login(admin_user)
    _person(admin_user, "Laura", "Vidal")
    _person(admin_user, "Laura", "Vidal")
    _queue_queries(client)  # warm caches
    few = _queue_queries(client)
    for i in range(6):
        _person(admin_user, f"Persona{i}", "Bosch", emails=[f"p{i}@x.es"])
        _person(admin_user, f"Persona{i}", "Bosch", emails=[f"p{i}@x.es"])

    assert _queue_queries(client) == few


def test_queue_pages_follow_each_other_best_first(admin_user):
    for i in range(3):
        _person(admin_user, f"Nom{i}", "Ferrer", emails=[f"n{i}@x.es"])
        _person(admin_user, f"Nom{i}", "Ferrer")
        _person(admin_user, f"Nom{i}", "Ferrer", emails=[f"n{i}@x.es"])
    everything, _next = duplicates.stored_page(Contact, admin_user, page_size=100)

    seen, after = [], None
    while True:
        page, after = duplicates.stored_page(Contact, admin_user, after=after, page_size=2)
        seen += [(p.score, p.first.pk, p.second.pk) for p in page]
        if after is None:
            break

    assert len(everything) == 9
    assert seen == [(p.score, p.first.pk, p.second.pk) for p in everything]
    assert seen == sorted(seen, key=lambda s: (-s[0], s[1], s[2]))


def test_only_managers_may_start_a_scan(client, make_user):
    manager, seller = make_user("manager"), make_user("sales", scope="own")
    url = reverse("contacts:contact_duplicates_scan")

    client.force_login(seller)
    assert client.post(url).status_code == 404
    client.force_login(manager)
    assert client.post(url).status_code == 302
    assert "Scan now" in client.get(QUEUE).content.decode()

    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "clientela.contacts.jobs.scan_duplicates",
        [["contact"]],
    )


def test_the_api_starts_a_scan_for_managers_only(api, make_user):
    assert api(make_user("sales")).post("/api/v1/contacts/duplicates/scan/").status_code == 403
    response = api(make_user("manager")).post("/api/v1/companies/duplicates/scan/")
    assert response.status_code == 202
    assert DBTaskResult.objects.get().args_kwargs["args"] == [["company"]]


def test_a_rescan_rewrites_only_pairs_whose_score_or_reasons_changed(people):
    duplicates.scan_duplicates("contact")
    jose = (people["jose"].pk, people["jose2"].pk)
    DuplicateCandidate.objects.filter(low_id=jose[0], high_id=jose[1]).update(
        score=1, reasons=["phone"], found_at="2020-01-01T00:00:00Z"
    )
    untouched = DuplicateCandidate.objects.exclude(low_id=jose[0]).values_list("found_at")

    before = set(untouched)
    duplicates.scan_duplicates("contact")

    assert set(untouched) == before
    assert (*jose, 80, ["name"]) in _stored()
