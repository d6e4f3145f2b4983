"""The DATABASE_URL of the database the tests run on, for child processes (workers, checks)."""

from urllib.parse import quote

from django.db import connection


def child_database_url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    # The embedded server listens on a unix socket folder: a path in the host part.
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    user = quote(settings["USER"] or "", safe="")
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"
