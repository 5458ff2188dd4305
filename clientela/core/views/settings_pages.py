"""Settings for administrators: users, teams, roles and custom fields.

Every view starts with ``permissions.require_settings`` (403 for everyone else); writes go
through ``core.services`` (and ``settings_services`` for what it lacks).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clientela.core import permissions, services, settings_services
from clientela.core.choices import AccessLevel, Area
from clientela.core.forms import (
    CustomFieldForm,
    RoleForm,
    TeamForm,
    UserCreateForm,
    UserForm,
    add_service_errors,
)
from clientela.core.models import CustomField, Role, Team, User


def settings_view(view):
    """Signed in and allowed to manage settings, or 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        permissions.require_settings(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _form_page(request, template, form, status=None, **context):
    if status is None:
        status = 400 if request.method == "POST" and form.errors else 200
    return render(request, template, {"form": form, **context}, status=status)


@settings_view
def settings_home(request):
    return redirect("core:user_list")


# --- users ----------------------------------------------------------------------------------


@settings_view
def user_list(request):
    users = User.objects.select_related("role").prefetch_related("teams").order_by("username")
    return render(request, "core/settings/user_list.html", {"users": users})


def _user_fields(data):
    return {
        "username": data["username"],
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "email": data["email"],
        "role": data["role"],
        "language": data["language"],
    }


@sensitive_post_parameters("password1", "password2")
@settings_view
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(
                actor=request.user,
                password=form.cleaned_data["password1"],
                teams=form.cleaned_data["teams"],
                **_user_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("User “%(name)s” created.") % {"name": user.username})
            return redirect("core:user_list")
    return _form_page(request, "core/settings/user_form.html", form, creating=True)


@settings_view
def user_edit(request, pk):
    target = get_object_or_404(User, pk=pk)
    form = UserForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(
                target,
                actor=request.user,
                teams=form.cleaned_data["teams"],
                **_user_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("User “%(name)s” saved.") % {"name": target.username})
            return redirect("core:user_list")
    return _form_page(
        request,
        "core/settings/user_form.html",
        form,
        target=target,
        locked_out=settings_services.is_locked_out(target),
    )


@settings_view
@require_POST
def user_unlock(request, pk):
    """Clear a user's failed sign-ins so they can try again now."""
    target = get_object_or_404(User, pk=pk)
    settings_services.unlock_user(target, actor=request.user)
    messages.success(request, _("“%(name)s” can sign in again.") % {"name": target.username})
    return redirect("core:user_edit", pk=target.pk)


@settings_view
def user_deactivate(request, pk):
    """GET asks for confirmation; POST deactivates (nobody can deactivate themselves)."""
    target = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        try:
            services.deactivate_user(target, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("core:user_edit", pk=target.pk)
        messages.success(request, _("User “%(name)s” deactivated.") % {"name": target.username})
        return redirect("core:user_list")
    return render(request, "core/settings/user_deactivate.html", {"target": target})


# --- teams ----------------------------------------------------------------------------------


@settings_view
def team_list(request):
    teams = Team.objects.annotate(member_count=Count("members")).order_by("name")
    return render(request, "core/settings/team_list.html", {"teams": teams})


def _team_fields(data):
    return {"name": data["name"], "handle": data["handle"], "description": data["description"]}


@settings_view
def team_create(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = settings_services.create_team(
                actor=request.user,
                members=form.cleaned_data["members"],
                **_team_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
            return redirect("core:team_list")
    return _form_page(request, "core/settings/team_form.html", form, creating=True)


@settings_view
def team_edit(request, pk):
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        try:
            settings_services.update_team(
                team,
                actor=request.user,
                members=form.cleaned_data["members"],
                **_team_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team “%(name)s” saved.") % {"name": team.name})
            return redirect("core:team_list")
    return _form_page(request, "core/settings/team_form.html", form, team=team)


# --- roles ----------------------------------------------------------------------------------


@settings_view
def role_list(request):
    labels = dict(AccessLevel.choices)
    roles = [
        {
            "role": role,
            "levels": [(area_label, labels[role.level(area)]) for area, area_label in Area.choices],
        }
        for role in Role.objects.annotate(user_count=Count("users"))
    ]
    return render(request, "core/settings/role_list.html", {"roles": roles, "areas": Area.choices})


@settings_view
def role_edit(request, pk):
    role = get_object_or_404(Role, pk=pk)
    if role.is_admin:
        # Administrators always see everything; there is nothing to tune.
        messages.info(request, _("The administrator role always has full access."))
        return redirect("core:role_list")
    form = RoleForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        settings_services.update_role(
            role, actor=request.user, scope=form.cleaned_data["scope"], access=form.access()
        )
        messages.success(request, _("Role “%(name)s” saved.") % {"name": role.name})
        return redirect("core:role_list")
    return _form_page(request, "core/settings/role_form.html", form, role=role)


# --- custom fields --------------------------------------------------------------------------


@settings_view
def customfield_list(request):
    definitions = CustomField.objects.select_related("content_type").order_by(
        "content_type__model", "position", "id"
    )
    groups = {}
    for definition in definitions:
        groups.setdefault(definition.content_type, []).append(definition)
    return render(
        request,
        "core/settings/customfield_list.html",
        {
            "groups": [
                {"label": ct.model_class()._meta.verbose_name_plural.capitalize(), "fields": fs}
                for ct, fs in groups.items()
                if ct.model_class() is not None
            ]
        },
    )


@settings_view
def customfield_create(request):
    form = CustomFieldForm(request.POST or None, initial={"position": 0})
    if request.method == "POST" and form.is_valid():
        try:
            definition = services.create_custom_field(
                actor=request.user,
                content_type=form.content_type(),
                key=form.cleaned_data["key"],
                **form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Custom field “%(name)s” created.") % {"name": definition.label}
            )
            return redirect("core:customfield_list")
    return _form_page(request, "core/settings/customfield_form.html", form, creating=True)


@settings_view
def customfield_edit(request, pk):
    definition = get_object_or_404(CustomField.objects.select_related("content_type"), pk=pk)
    form = CustomFieldForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_custom_field(definition, actor=request.user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Custom field “%(name)s” saved.") % {"name": definition.label}
            )
            return redirect("core:customfield_list")
    return _form_page(request, "core/settings/customfield_form.html", form, definition=definition)


@settings_view
def customfield_delete(request, pk):
    definition = get_object_or_404(CustomField.objects.select_related("content_type"), pk=pk)
    if request.method == "POST":
        services.delete_custom_field(definition, actor=request.user)
        messages.success(
            request, _("Custom field “%(name)s” deleted.") % {"name": definition.label}
        )
        return redirect("core:customfield_list")
    return render(request, "core/settings/customfield_delete.html", {"definition": definition})
