"""The service-unit tree, cached. Every console page shows it (the unit filter) and the case
page walks it (a planned outage of an UP3 covers its offices); it is a few dozen rows that
change only by configuration. Saving or deleting a unit drops the cache; where the cache is
per process (no CACHES configured) another process sees a new unit after at most
TREE_TTL_SECONDS, and a path it does not know is read from the database."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from staff.models import ServiceUnit

TREE_TTL_SECONDS = 300
_TREE_KEY = "staff:unit-tree"


def unit_tree() -> list[tuple[int, str, str]]:
    """Every service unit as (id, path, name), in tree order."""
    tree = cache.get(_TREE_KEY)
    if tree is None:
        tree = list(ServiceUnit.objects.order_by("path").values_list("pk", "path", "name"))
        cache.set(_TREE_KEY, tree, TREE_TTL_SECONDS)
    return tree


def ids_at_and_below(unit_id: int) -> list[int]:
    """The unit and every unit below it (a region selects its UP3s and offices); [] if there
    is no such unit."""
    tree = unit_tree()
    path = next((path for pk, path, _name in tree if pk == unit_id), None)
    if path is None:
        return []
    return [pk for pk, p, _name in tree if p == path or p.startswith(path + "/")]


def paths_at_and_above(path: str) -> list[str]:
    """The paths of a unit and of the units above it, root first ("JKT", "JKT/UP3-MTG", …)."""
    parts = path.split("/") if path else []
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def ids_at_and_above(path: str) -> list[int]:
    """The ids of a unit and of the units above it, root first (a planned outage or storm
    mode of an UP3 covers its offices; an office's alerts go up to its UP3's supervisors)."""
    return ids_of_paths(paths_at_and_above(path))


def ids_of_paths(paths: list[str]) -> list[int]:
    """Ids of the units with these paths, in the order of ``paths``; read from the database
    when one of them is not in the cached tree."""
    by_path = {path: pk for pk, path, _name in unit_tree()}
    if all(path in by_path for path in paths):
        return [by_path[path] for path in paths]
    found = dict(ServiceUnit.objects.filter(path__in=paths).values_list("path", "pk"))
    return [found[path] for path in paths if path in found]


@receiver([post_save, post_delete], sender=ServiceUnit)
def _forget_unit_tree(**kwargs) -> None:
    cache.delete(_TREE_KEY)
