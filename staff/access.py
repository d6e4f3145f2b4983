"""The one permission-checked way to reach cases. A case outside a user's service units does
not exist for that user (404, not 403)."""

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from complaints.models import Case
from staff.roles import Role, roles_of

ALL_UNITS = None


# A user's units and everything below them in the hierarchy (region → UP3 → ULP).
# starts_with, not LIKE: a "_" or "%" in a unit code would be a wildcard in a LIKE pattern
# (a member of "Q_1" would see the cases of "QX1").
def unit_ids_sql(user_id: str) -> str:
    """The SELECT of a user's unit ids, for the user id given as SQL (a placeholder or an
    outer column: staff.backends loads them with the user), never from input."""
    return f"""
    SELECT DISTINCT unit.id
    FROM staff_serviceunit unit
    JOIN staff_serviceunit member_unit
      ON unit.path = member_unit.path OR starts_with(unit.path, member_unit.path || '/')
    JOIN staff_staffmember_service_units link ON link.serviceunit_id = member_unit.id
    JOIN staff_staffmember member ON member.id = link.staffmember_id
    WHERE member.user_id = {user_id}
"""  # noqa: S608


_UNIT_IDS_SQL = unit_ids_sql("%s")


def sees_all_units(user) -> bool:
    return user.is_superuser or Role.MANAGER in roles_of(user)


def unit_ids_for(user) -> frozenset[int] | None:
    """Ids of the service units whose cases ``user`` may see; None means every unit.
    Computed once per user object (one query), or loaded with the user (staff.backends)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if sees_all_units(user):
        return ALL_UNITS
    cached = getattr(user, "_aduan_unit_ids", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(_UNIT_IDS_SQL, [user.pk])
            cached = frozenset(row[0] for row in cursor.fetchall())
        user._aduan_unit_ids = cached
    return cached


def scope_to_units(user, queryset: QuerySet, field: str = "service_unit_id") -> QuerySet:
    """``queryset`` limited to rows whose ``field`` is one of the user's units (untouched for
    users who see every unit). The one unit filter for cases, customers, incidents, …"""
    unit_ids = unit_ids_for(user)
    if unit_ids is ALL_UNITS:
        return queryset
    return queryset.filter(**{f"{field}__in": unit_ids})


def scope_cases(user, queryset: QuerySet[Case]) -> QuerySet[Case]:
    return scope_to_units(user, queryset)


def cases_for(user) -> QuerySet[Case]:
    return scope_cases(user, Case.objects.all())


def case_for(user, case_id) -> Case:
    """The case if ``user`` may see it; Http404 otherwise (also for a malformed id)."""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise Http404 from None
    # Everything the case page shows of the case's relations, in the same query (one row:
    # each join is a primary-key lookup).
    case = (
        cases_for(user)
        .select_related(
            "category",
            "service_unit",
            "customer",
            "technician__user",
            "assigned_agent",
            "merged_into",
            "incident",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case
