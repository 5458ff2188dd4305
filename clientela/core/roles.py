"""The built-in roles. They are (re)created after every ``migrate`` (and every test flush), the
way Django keeps content types, so a fresh or emptied database always has them."""

from django.utils.translation import gettext_lazy as _

BUILTIN_ROLES = {
    # code: (name, scope, access, is_admin)
    "admin": (_("Administrator"), "all", {}, True),
    "manager": (
        _("Manager"),
        "all",
        {
            "contacts": "write",
            "sales": "write",
            "activities": "write",
            "support": "write",
            "marketing": "write",
            "automation": "write",
            "privacy": "write",
        },
        False,
    ),
    "sales": (
        _("Sales"),
        "team",
        {
            "contacts": "write",
            "sales": "write",
            "activities": "write",
            "support": "read",
            "marketing": "read",
        },
        False,
    ),
    "marketing": (
        _("Marketing"),
        "all",
        {
            "contacts": "write",
            "sales": "read",
            "activities": "write",
            "support": "read",
            "marketing": "write",
            "automation": "read",
        },
        False,
    ),
    "service": (
        _("Service"),
        "all",
        {
            "contacts": "write",
            "sales": "read",
            "activities": "write",
            "support": "write",
            "marketing": "read",
        },
        False,
    ),
    "read_only": (
        _("Read-only"),
        "all",
        {
            "contacts": "read",
            "sales": "read",
            "activities": "read",
            "support": "read",
            "marketing": "read",
            "automation": "read",
        },
        False,
    ),
}


def ensure_builtin_roles(using="default", **kwargs):
    """Create any missing built-in role; never overwrite an administrator's edits."""
    from clientela.core.models import Role

    for code, (name, scope, access, is_admin) in BUILTIN_ROLES.items():
        Role.objects.using(using).get_or_create(
            code=code,
            defaults={"name": str(name), "scope": scope, "access": access, "is_admin": is_admin},
        )


def grant_new_areas(apps, schema_editor, areas):
    """For a migration of an app that brings new areas: give the built-in roles of an existing
    database the access their definition above has to ``areas``, where no one has set it."""
    Role = apps.get_model("core", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).filter(code__in=BUILTIN_ROLES):
        wanted = BUILTIN_ROLES[role.code][2]
        missing = {a: wanted[a] for a in areas if a in wanted and a not in role.access}
        if missing:
            role.access = {**role.access, **missing}
            role.save(update_fields=["access"])
