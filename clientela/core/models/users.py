"""People who use Clientela: users, the teams (departments) they belong to and their roles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import AccessLevel, Language, RecordScope
from clientela.core.roles import BUILTIN_ROLES


class Role(models.Model):
    """What a user may do (access level per area) and which records they see (scope).

    Built-in roles (admin, manager, sales, marketing, service, read-only) are created by a
    migration; administrators may change their scope and access levels.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(
        _("record scope"), max_length=8, choices=RecordScope.choices, default=RecordScope.OWN
    )
    # {"contacts": "write", "settings": "none", ...}; areas missing from the map get "none".
    access = models.JSONField(_("access levels"), default=dict, blank=True)
    is_admin = models.BooleanField(_("administrator"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return str(self.display_name)

    @property
    def display_name(self):
        """Built-in roles in the reader's language; the stored name is the one written when
        the role was created."""
        builtin = BUILTIN_ROLES.get(self.code)
        return builtin[0] if builtin else self.name

    def level(self, area):
        if self.is_admin:
            return AccessLevel.WRITE
        return self.access.get(area, AccessLevel.NONE)


class Team(models.Model):
    """A department (Sales, Marketing, Service...) that shares records."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    handle = models.SlugField(
        _("handle"), max_length=40, unique=True, help_text=_("Used for @mentions.")
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in. Their role decides access; their teams widen a team scope."""

    role = models.ForeignKey(
        Role,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("role"),
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("teams")
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.EN
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_admin(self):
        return self.is_superuser or bool(self.role and self.role.is_admin)

    def access_level(self, area):
        if self.is_admin:
            return AccessLevel.WRITE
        return self.role.level(area) if self.role else AccessLevel.NONE

    def team_ids(self):
        """Ids of the user's teams, cached on the instance for the life of a request."""
        if not hasattr(self, "_team_ids"):
            self._team_ids = list(self.teams.values_list("id", flat=True))
        return self._team_ids
