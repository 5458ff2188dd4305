"""Comments, mentions, followers and notifications: who is told what, and that a mention never
reveals a record to someone who may not see it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.collaboration.choices import Delivery, NotificationKind, Visibility
from clientela.collaboration.models import Comment, Notification
from clientela.collaboration.services import comments, follows, mentions, notifications

pytestmark = pytest.mark.django_db


def inbox(user):
    return list(
        Notification.objects.filter(recipient=user).values_list("kind", "title", "actor_id")
    )


def test_names_are_read_from_the_text_not_from_email_addresses():
    text = "Ask @Jordi.Ferrer and @ventas. Not ana@example.com, nor @@x; (@suport) @ventas"
    assert mentions.names_in(text) == ["jordi.ferrer", "ventas", "suport"]


def test_mentioning_a_team_notifies_the_members_who_may_see_the_record(
    make_user, agent, owner, customer, sales
):
    colleague = make_user("sales", username="lucia", teams=[sales], scope="team")
    outsider = make_user("sales", username="pablo", teams=[sales], scope="own")  # not theirs

    comment = comments.add_comment(customer, actor=agent, body="@ventas they want to upgrade")

    assert comment.body_html == "<p>@ventas they want to upgrade</p>\n"
    title = "Núria Puig"
    assert inbox(owner) == [(NotificationKind.MENTION, title, agent.pk)]
    assert inbox(colleague) == [(NotificationKind.MENTION, title, agent.pk)]
    assert inbox(outsider) == []  # a mention never reveals a record
    assert inbox(agent) == []
    assert follows.is_following(customer, colleague)
    assert not follows.is_following(customer, outsider)


def test_followers_and_the_owner_hear_of_new_comments(make_user, agent, owner, customer):
    reader = make_user("manager", username="marta")
    follows.follow(customer, user=reader)

    comments.add_comment(customer, actor=agent, body="Called them, **all good**.")

    assert inbox(owner) == [(NotificationKind.COMMENT, "Núria Puig", agent.pk)]
    assert inbox(reader) == [(NotificationKind.COMMENT, "Núria Puig", agent.pk)]
    assert follows.is_following(customer, agent)  # who comments follows


def test_nobody_comments_on_a_record_they_may_not_see(make_user, customer):
    stranger = make_user("sales", username="pablo", scope="own")
    with pytest.raises(PermissionDenied):
        comments.add_comment(customer, actor=stranger, body="Hola")
    with pytest.raises(PermissionDenied):
        follows.follow(customer, user=stranger)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "visibility", "field"),
    [("", "internal", "body"), ("   ", "internal", "body"), ("x" * 10_001, "internal", "body"),
     ("ok", "public", "visibility")],
)  # fmt: skip
def test_bad_comments_are_refused(agent, customer, body, visibility, field):
    with pytest.raises(ValidationError) as error:
        comments.add_comment(customer, actor=agent, body=body, visibility=visibility)
    assert field in error.value.message_dict
    assert not Comment.objects.exists()


def test_markdown_is_sanitised(agent, customer):
    body = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    comment = comments.add_comment(customer, actor=agent, body=body)
    assert comment.body_html.count("<") == comment.body_html.count("</p>") * 2  # only <p>
    assert "&lt;script&gt;" in comment.body_html  # shown as text


def test_edits_keep_the_earlier_text_and_tell_the_newly_mentioned(agent, owner, customer):
    comment = comments.add_comment(
        customer, actor=agent, body="First try", visibility=Visibility.CUSTOMER
    )
    Notification.objects.all().delete()

    comments.edit_comment(comment, actor=agent, body="First try, @jordi.ferrer")
    comments.edit_comment(comment, actor=agent, body="First try, @jordi.ferrer!")

    comment.refresh_from_db()
    assert list(comment.revisions.values_list("body", flat=True)) == [
        "First try",
        "First try, @jordi.ferrer",
    ]
    assert comment.edited_at is not None
    assert inbox(owner) == [(NotificationKind.MENTION, "Núria Puig", agent.pk)]  # once
    with pytest.raises(PermissionDenied):
        comments.edit_comment(comment, actor=owner, body="Not mine")


def test_a_deleted_comment_keeps_its_place_without_its_text(make_user, agent, customer):
    reader = make_user("read_only")
    comment = comments.add_comment(customer, actor=agent, body="Oops")
    with pytest.raises(PermissionDenied):
        comments.delete_comment(comment, actor=reader)  # sees the contact, may not change it
    comments.delete_comment(comment, actor=agent)
    [kept] = comments.comments_on(customer)
    assert (kept.body, kept.deleted_at is not None) == ("", True)


def test_preferences_say_how_each_kind_arrives(make_user, agent, owner, customer, settings):
    settings.BASE_URL = "https://crm.example.com"
    marta = make_user("manager", username="marta", language="ca")
    quiet = make_user("manager", username="quiet")
    notifications.set_delivery(marta, NotificationKind.MENTION, Delivery.EMAIL)
    notifications.set_delivery(quiet, NotificationKind.MENTION, Delivery.OFF)

    made = notifications.notify(
        [marta.pk, quiet.pk, agent.pk],
        kind=NotificationKind.MENTION,
        actor=agent,
        record=customer,
        text="Mira això",
    )

    assert [n.recipient_id for n in made] == [marta.pk]
    assert notifications.send_emails([n.pk for n in made]) == 1
    assert notifications.send_emails([n.pk for n in made]) == 0  # once
    [message] = mail.outbox
    assert message.to == [marta.email]
    assert message.subject == "Mencions: Núria Puig"
    assert f"https://crm.example.com/contacts/{customer.pk}/" in message.body


def test_the_bell_counts_unread_and_marks_read(agent, owner, customer):
    for n in range(3):
        comments.add_comment(customer, actor=agent, body=f"Note {n}")
    assert notifications.unread_count(owner) == 3
    first = Notification.objects.filter(recipient=owner).order_by("id").first()

    assert notifications.mark_read(owner, [first.pk]) == 1
    assert notifications.unread_count(owner) == 2
    assert notifications.mark_read(agent) == 0  # nobody marks another's notifications
    assert notifications.mark_read(owner) == 2
    assert notifications.unread_count(owner) == 0
