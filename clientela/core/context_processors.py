from django.conf import settings

from clientela.core import permissions
from clientela.core.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"LANGUAGES": settings.LANGUAGES}
    return {
        "nav_items": navigation_for(request),
        "can_manage_settings": permissions.can_write(user, "settings"),
        "can_manage_contacts": permissions.can_manage(user, "contacts"),
        "can_manage_support": permissions.can_manage(user, "support"),
        "LANGUAGES": settings.LANGUAGES,
    }
