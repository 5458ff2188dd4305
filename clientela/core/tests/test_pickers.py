"""The record picker (``core.pickers``) on its own, on a model without a sort key or a search
entity (teams). Its use for a contact's company is tested with the contact form."""

import pytest
from django import forms

from clientela.core.models import Team
from clientela.core.pickers import RecordChoiceField


class TeamPickerForm(forms.Form):
    team = RecordChoiceField(queryset=Team.objects.all(), required=False)


class RequiredTeamPickerForm(forms.Form):
    team = RecordChoiceField(queryset=Team.objects.all())


@pytest.fixture
def teams(make_team):
    return {name: make_team(name) for name in ("Sales", "Marketing", "Service")}


def test_picker_renders_without_reading_the_table(teams, django_assert_num_queries):
    form = TeamPickerForm()

    with django_assert_num_queries(0):
        html = str(form["team"])

    assert "<option" not in html
    assert "Sales" not in html
    assert 'name="team_search" value="" id="id_team_search" role="combobox"' in html
    assert '<input type="hidden" name="team" id="id_team" value="">' in html


def test_picker_of_a_model_without_a_search_entity_suggests_nothing(teams):
    html = str(TeamPickerForm()["team"])

    assert "data-suggest-url" not in html
    assert 'data-picker-value="id_team"' in html


def test_picker_shows_the_initial_records_name_with_one_query(teams, django_assert_num_queries):
    form = TeamPickerForm(initial={"team": teams["Marketing"].pk})

    with django_assert_num_queries(1):
        html = str(form["team"])

    assert 'name="team_search" value="Marketing"' in html
    assert f'name="team" id="id_team" value="{teams["Marketing"].pk}"' in html


def test_label_names_the_text_box(teams):
    assert TeamPickerForm()["team"].label_tag() == '<label for="id_team_search">Team:</label>'


def test_typed_name_is_matched_ignoring_case_without_a_sort_key(teams):
    form = TeamPickerForm({"team": "", "team_search": " marketing "})

    assert form.is_valid()
    assert form.cleaned_data["team"] == teams["Marketing"]


def test_unknown_typed_name_gives_the_generic_message(teams):
    form = TeamPickerForm({"team": "", "team_search": "Legal"})

    assert form.errors["team"] == [
        "Nothing called “Legal” that you can see. Choose one from the suggestions."
    ]
    assert 'name="team_search" value="Legal"' in str(form["team"])


def test_required_picker_left_empty_is_required(teams):
    form = RequiredTeamPickerForm({"team": str(teams["Sales"].pk), "team_search": ""})

    assert form.errors["team"] == ["This field is required."]


def test_has_changed_compares_the_resolved_record(teams):
    sales = teams["Sales"].pk
    same = TeamPickerForm({"team": "", "team_search": "sales"}, initial={"team": sales})
    other = TeamPickerForm({"team": "", "team_search": "Service"}, initial={"team": sales})
    unknown = TeamPickerForm({"team": "", "team_search": "Legal"}, initial={"team": sales})

    assert (same.has_changed(), other.has_changed(), unknown.has_changed()) == (
        False,
        True,
        True,
    )


def test_picker_never_lists_its_records_as_choices(teams):
    field = TeamPickerForm().fields["team"]

    assert not hasattr(field.widget, "choices")
