"""Who may use the staff API: the console's roles. Agents and supervisors read and write;
managers only read; technicians have their own endpoints (403 here). Which cases a user sees
is staff.access's business, not this module's."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from staff.roles import Role, roles_of

READ_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.MANAGER})
WRITE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
NOT_DESK_STAFF = _("API ini untuk agen, supervisor, dan manajer.")
READ_ONLY_ROLE = _("Peran Anda hanya dapat membaca data.")


class IsDeskStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        roles = roles_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            self.message = NOT_DESK_STAFF
            return bool(roles & READ_ROLES)
        self.message = READ_ONLY_ROLE if roles & READ_ROLES else NOT_DESK_STAFF
        return bool(roles & WRITE_ROLES)
