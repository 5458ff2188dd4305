"""Assignment rules: territory, source and field conditions; round robin and workload."""

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts import services as contact_services
from clientela.core.models import ChangeRecord
from clientela.intake import services
from clientela.intake.models import AssignmentRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_team(make_team, make_user):
    team = make_team("Vendes")
    people = [make_user("sales", username=n, teams=[team]) for n in ("ana", "biel", "carla")]
    return team, people


def lead(actor, **fields):
    return contact_services.create_contact(actor=actor, first_name="Lead", **fields)


def test_the_first_matching_rule_gives_the_record_and_records_it(admin_user, sales_team):
    team, (ana, biel, _carla) = sales_team
    services.create_rule(
        actor=admin_user,
        name="Girona",
        record_type="contact",
        countries="es",
        postcode_prefixes="17",
        strategy="user",
        user=biel,
    )
    services.create_rule(
        actor=admin_user,
        name="Rest of Spain",
        record_type="contact",
        countries=["ES"],
        strategy="user",
        user=ana,
    )
    girona = lead(admin_user, country="ES", postcode="17001")
    madrid = lead(admin_user, country="ES", postcode="28001")
    abroad = lead(admin_user, country="FR", postcode="17000")

    changed = services.assign_new([girona, madrid, abroad], actor=admin_user, record_type="contact")

    assert [(c.first_name, c.owner) for c in changed] == [("Lead", biel), ("Lead", ana)]
    girona.refresh_from_db()
    assert girona.owner == biel
    abroad.refresh_from_db()
    assert abroad.owner is None
    change = ChangeRecord.objects.filter(object_id=girona.pk, action="update").get()
    assert (change.changes, change.source) == ({"owner": [None, biel.pk]}, "automation")


def test_regions_match_without_case_or_accents(admin_user, sales_team):
    _team, (ana, _biel, _carla) = sales_team
    services.create_rule(
        actor=admin_user,
        name="Ponent",
        record_type="contact",
        regions="Lleida, Àger",
        strategy="user",
        user=ana,
    )
    found = [lead(admin_user, region=r) for r in ("LLEIDA", "ager", "Lérida", "")]

    changed = services.assign_new(found, actor=admin_user, record_type="contact")

    assert [c.region for c in changed] == ["LLEIDA", "ager"]


def test_round_robin_goes_around_the_team(admin_user, sales_team):
    team, people = sales_team
    services.create_rule(
        actor=admin_user,
        name="Web",
        record_type="contact",
        sources=["web_form"],
        strategy="round_robin",
        team=team,
    )
    leads = [lead(admin_user, source="web_form") for _ in range(4)]

    for one in leads:
        services.assign_new([one], actor=admin_user, record_type="contact")

    owners = [type(one).objects.get(pk=one.pk).owner.username for one in leads]
    assert owners == ["ana", "biel", "carla", "ana"]
    assert {type(one).objects.get(pk=one.pk).team for one in leads} == {team}


def test_workload_gives_to_whoever_owns_the_fewest(admin_user, sales_team):
    team, (ana, biel, carla) = sales_team
    for owner in (ana, ana, biel, carla):
        lead(admin_user, owner=owner)
    services.create_rule(
        actor=admin_user, name="Fair", record_type="contact", strategy="workload", team=team
    )

    new = lead(admin_user)
    services.assign_new([new], actor=admin_user, record_type="contact")

    new.refresh_from_db()
    assert new.owner == biel  # biel and carla own one each; the lower id wins the tie


def test_records_with_an_owner_and_inactive_rules_are_left_alone(admin_user, sales_team):
    _team, (ana, biel, _carla) = sales_team
    rule = services.create_rule(
        actor=admin_user, name="All", record_type="contact", strategy="user", user=ana
    )
    owned = lead(admin_user, owner=biel)
    services.update_rule(rule, actor=admin_user, active=False)
    free = lead(admin_user)

    assert services.assign_new([owned, free], actor=admin_user, record_type="contact") == []


def test_a_custom_field_value_can_decide(admin_user, sales_team):
    from django.contrib.contenttypes.models import ContentType

    from clientela.contacts.models import Contact
    from clientela.core.models import CustomField

    _team, (ana, _biel, _carla) = sales_team
    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="sector",
        label="Sector",
        field_type="text",
    )
    services.create_rule(
        actor=admin_user,
        name="Wine",
        record_type="contact",
        field="cf_sector",
        field_value="vino",
        strategy="user",
        user=ana,
    )
    wine, oil = lead(admin_user, custom_fields={"sector": "vino"}), lead(admin_user)

    changed = services.assign_new([wine, oil], actor=admin_user, record_type="contact")

    assert [c.pk for c in changed] == [wine.pk]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"strategy": "user"}, "user"),
        ({"strategy": "round_robin"}, "team"),
        ({"strategy": "user", "countries": "Spain"}, "countries"),
        ({"strategy": "user", "field": "shoe_size"}, "field"),
        ({"strategy": "boss"}, "strategy"),
        ({"strategy": "user", "colour": "red"}, "colour"),
    ],
)
def test_bad_rules_are_refused(admin_user, fields, field):
    with pytest.raises(ValidationError) as error:
        services.create_rule(actor=admin_user, name="R", record_type="contact", **fields)

    assert field in error.value.message_dict
    assert not AssignmentRule.objects.exists()
