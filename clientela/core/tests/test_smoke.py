from clientela.contacts import services
from clientela.core import search


def test_created_contact_is_found_by_surname_prefix(admin_user):
    services.create_contact(
        actor=admin_user, first_name="Ana", last_name="García", second_last_name="Muñoz"
    )
    assert [e.title for e in search.search(admin_user, "munoz")] == ["Ana García Muñoz"]
