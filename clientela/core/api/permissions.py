from rest_framework import permissions as drf

from clientela.core import permissions


class RolePermission(drf.BasePermission):
    """Reads need read access to the view's area, writes need write access; record scope is
    applied by the view's queryset (``permissions.visible``) and checked again per object."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        area = getattr(view, "permission_area", None)
        if area is None:
            return True
        if request.method in drf.SAFE_METHODS:
            return permissions.can_read(user, area)
        return permissions.can_write(user, area)

    def has_object_permission(self, request, view, obj):
        if not hasattr(obj, "owner_id"):
            return True
        if request.method in drf.SAFE_METHODS:
            return permissions.can_view_record(request.user, obj)
        return permissions.can_change_record(request.user, obj)


class SettingsPermission(drf.BasePermission):
    """Users, teams and custom field definitions: everyone signed in reads them (they are
    needed to fill owner/team pickers and forms); only settings writers (admins) change them."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in drf.SAFE_METHODS:
            return True
        return permissions.can_write(user, "settings")
