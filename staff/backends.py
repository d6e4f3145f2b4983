"""Authentication backend of the console: Django's ModelBackend, loading with the user what
every console request asks about them. Roles (groups), the units whose cases they see, their
model permissions and their console language come back as arrays in the user's own query
instead of five queries per request (bench/RESULTS.md, "queries per page"). Nothing is kept
between requests: a change of groups, units or permissions counts from the next request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from staff.access import unit_ids_sql
from staff.models import StaffMember
from staff.roles import remember_roles


def _permission_names(permissions: QuerySet[Permission]) -> ArraySubquery:
    return ArraySubquery(
        permissions.order_by().values(
            perm=Concat("content_type__app_label", Value("."), "codename")
        )
    )


# Stands for the user id while the user query is compiled (see StaffBackend._load).
_SOME_USER_ID = -987654321


class StaffBackend(ModelBackend):
    # The user query's SQL and parameters per database, compiled on first use: the ORM took
    # ~3 ms of CPU to compile its five subqueries on every request, the same SQL each time.
    _compiled: dict[str, tuple[str, list, int]] = {}

    def _user_query(self, user_id) -> QuerySet:
        model = get_user_model()
        outer_pk = f'"{model._meta.db_table}"."{model._meta.pk.column}"'
        return model._default_manager.filter(
            pk=user_id
        ).annotate(
            aduan_group_names=ArraySubquery(
                Group.objects.filter(user=OuterRef("pk")).order_by().values("name")
            ),
            # The column name comes from the model, never from input.
            aduan_unit_ids=RawSQL(f"ARRAY({unit_ids_sql(outer_pk)})", []),  # noqa: S611
            aduan_user_perms=_permission_names(Permission.objects.filter(user=OuterRef("pk"))),
            aduan_group_perms=_permission_names(
                Permission.objects.filter(group__user=OuterRef("pk"))
            ),
            aduan_language=Subquery(
                StaffMember.objects.filter(user=OuterRef("pk")).values("language")[:1]
            ),
        )

    def _load(self, user_id) -> AbstractBaseUser | None:
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        database = router.db_for_read(model)
        if database not in self._compiled:
            query = self._user_query(_SOME_USER_ID).query
            sql, params = query.get_compiler(using=database).as_sql()
            params = list(params)
            self._compiled[database] = (sql, params, params.index(_SOME_USER_ID))
        sql, params, id_position = self._compiled[database]
        params = params.copy()
        params[id_position] = user_id
        # raw() sets the annotations' columns as attributes, as annotate() did.
        return next(iter(model._default_manager.db_manager(database).raw(sql, params)), None)

    def get_user(self, user_id: int | str) -> AbstractBaseUser | None:
        user = self._load(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_roles(user, user.aduan_group_names)
        # Read by staff.access.unit_ids_for, staff.middleware and ModelBackend's permission
        # checks (the attributes its _get_permissions caches under).
        user._aduan_unit_ids = frozenset(user.aduan_unit_ids)
        user._aduan_language = user.aduan_language or ""
        if not user.is_superuser:
            user._user_perm_cache = set(user.aduan_user_perms)
            user._group_perm_cache = set(user.aduan_group_perms)
        return user
