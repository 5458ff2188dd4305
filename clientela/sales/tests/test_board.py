"""The pipeline board: columns per stage, totals, paging per column, moves without script."""

import pytest
from django.urls import reverse

from clientela.sales import board, services
from clientela.sales.models import Deal

pytestmark = pytest.mark.django_db
BOARD = reverse("sales:deal_board")


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


def test_board_shows_a_column_per_stage_with_counts_and_totals(signed_in, stages, seller):
    services.create_deal(actor=seller, name="Small", amount="100", owner=seller)
    big = services.create_deal(actor=seller, name="Big", amount="900", owner=seller)
    services.move_deal(big, stages["Proposal"], actor=seller)

    response = signed_in.get(BOARD)
    columns = {c.stage.name: c for c in response.context["columns"]}

    assert list(columns) == ["Qualification", "Proposal", "Negotiation", "Won", "Lost"]
    assert (columns["Qualification"].count, columns["Qualification"].total) == (1, 100)
    assert [d.name for d in columns["Proposal"].deals] == ["Big"]
    assert columns["Proposal"].weighted_total == 360
    assert 'draggable="true"' in response.content.decode()


def test_each_column_pages_on_its_own(signed_in, stages, seller, monkeypatch):
    monkeypatch.setattr(board, "COLUMN_SIZE", 2)
    for n in range(3):
        services.create_deal(actor=seller, name=f"Deal {n}", owner=seller)

    first = signed_in.get(BOARD).context["columns"][0]
    assert [d.name for d in first.deals] == ["Deal 0", "Deal 1"]
    second = signed_in.get(f"{BOARD}?cursor_{first.stage.pk}={first.next_cursor}")
    assert [d.name for d in second.context["columns"][0].deals] == ["Deal 2"]


def test_the_board_costs_the_same_queries_for_few_or_many_deals(
    signed_in, stages, seller, django_assert_max_num_queries
):
    services.create_deal(actor=seller, name="One", owner=seller)
    with django_assert_max_num_queries(20) as few:
        signed_in.get(BOARD)
    for n in range(30):
        services.create_deal(actor=seller, name=f"Deal {n}", owner=seller, tags=["t"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(BOARD)


def test_moving_a_card_with_its_form_goes_back_to_the_board(signed_in, stages, seller):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)

    response = signed_in.post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage": stages["Negotiation"].pk, "version": deal.version, "next": BOARD},
    )

    assert response["Location"] == BOARD
    deal.refresh_from_db()
    assert deal.stage == stages["Negotiation"]


def test_a_stale_move_answers_409_and_changes_nothing(signed_in, stages, seller):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    services.move_deal(deal, stages["Proposal"], actor=seller)

    response = signed_in.post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage": stages["Won"].pk, "version": 1},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 409
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]


def test_a_move_to_another_pipeline_answers_400(signed_in, stages, other_pipeline, seller):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)

    response = signed_in.post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage": other_pipeline.stages.first().pk, "version": deal.version},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"message": "This stage belongs to another pipeline."}
    assert Deal.objects.get().stage == stages["Qualification"]


def test_read_only_users_see_the_board_without_move_controls(client, make_user, stages, seller):
    services.create_deal(actor=seller, name="Cava", owner=seller)
    client.force_login(make_user("marketing"))

    html = client.get(BOARD).content.decode()

    assert "Cava" in html
    assert "draggable" not in html
    assert 'name="stage"' not in html


def test_won_and_lost_columns_show_only_recent_closes(signed_in, stages, seller):
    import datetime

    from django.utils import timezone

    old = services.create_deal(actor=seller, name="Last year", owner=seller)
    services.move_deal(old, stages["Won"], actor=seller)
    Deal.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=40))
    recent = services.create_deal(actor=seller, name="Last week", owner=seller)
    services.move_deal(recent, stages["Won"], actor=seller)

    columns = {c.stage.name: c for c in signed_in.get(BOARD).context["columns"]}

    assert [d.name for d in columns["Won"].deals] == ["Last week"]
    assert columns["Won"].count == 1
