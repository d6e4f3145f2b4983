"""Embedded PostgreSQL for machines without a database server.

When ``DATABASE_URL`` is unset, every process (web, worker, beat, tests) opens the same data
folder under ``var/``; pgserver starts the server for the first process and stops it after the
last one exits, so a fresh clone needs no PostgreSQL installation.
"""

from pathlib import Path


def embedded_database_url(data_dir: Path) -> str:
    import pgserver  # imported lazily: only machines without DATABASE_URL need it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    # get_uri() names the unix socket folder as host; psycopg understands it as a path.
    return server.get_uri()
