"""Roles are Django groups; this module names them and reads them off a user."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "Agent", _("Agen call center")
    SUPERVISOR = "Supervisor", _("Supervisor")
    TECHNICIAN = "Technician", _("Teknisi")
    MANAGER = "Manager", _("Manajer")
    # Not groups: the system (tasks, beat, channel bots) and the customer acting on a channel.
    SYSTEM = "system", _("Sistem")
    CUSTOMER = "customer", _("Pelanggan")


STAFF_GROUPS = (Role.AGENT, Role.SUPERVISOR, Role.TECHNICIAN, Role.MANAGER)


def roles_of(user) -> frozenset[Role]:
    """The roles a user holds. Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_aduan_roles", None)
    if cached is not None:
        return cached
    names = () if user.is_superuser else user.groups.values_list("name", flat=True)
    return remember_roles(user, names)


def remember_roles(user, group_names) -> frozenset[Role]:
    """Cache on ``user`` the roles its groups give (staff.backends passes the names it loaded
    with the user)."""
    if user.is_superuser:
        roles = frozenset({Role.AGENT, Role.SUPERVISOR, Role.MANAGER})
    else:
        names = set(group_names)
        roles = frozenset(role for role in STAFF_GROUPS if role.value in names)
    user._aduan_roles = roles
    return roles


class Actor:
    """Who performs a change: a staff user, the system, or a customer on a channel."""

    __slots__ = ("label", "roles", "user")

    def __init__(self, *, user=None, roles: frozenset[Role], label: str = "") -> None:
        self.user = user
        self.roles = roles
        self.label = label

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(user=user, roles=roles_of(user), label=user.get_username())

    @classmethod
    def system(cls, what: str) -> "Actor":
        return cls(roles=frozenset({Role.SYSTEM}), label=f"system:{what}")

    @classmethod
    def customer(cls, channel: str) -> "Actor":
        return cls(roles=frozenset({Role.CUSTOMER}), label=f"customer:{channel}")

    def __repr__(self) -> str:
        return f"Actor({self.label or self.user})"
