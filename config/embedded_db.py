"""Embedded PostgreSQL for machines without a database server.

When ``DATABASE_URL`` is unset, every process (web, worker, beat, tests) opens the same data
folder under ``var/``; pgserver starts the server for the first process and stops it after the
last one exits, so a fresh clone needs no PostgreSQL installation.

pgserver counts its users in a list of process ids and the last one to exit normally stops the
server. A process killed outright (honcho sends SIGKILL to whatever has not stopped 5 seconds
after Ctrl+C, and a Celery worker restoring unacknowledged messages often needs longer) never
takes itself off that list, and the server would run on forever. So the first process also
starts a small watcher, detached from the terminal and from honcho's process groups, that stops
the server once no process on the list is alive.

pgserver's bundled PostgreSQL has no contrib modules (no pg_trgm): see complaints.trigram.
"""

import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

# pgserver logs every pg_ctl call at INFO; at our root level that is a screenful per process.
logging.getLogger("pgserver").setLevel(logging.WARNING)

HANDLES_FILE = ".handle_pids.json"
WATCH_INTERVAL = 2.0


def _pgserver():
    with warnings.catch_warnings():
        # platformdirs warns on every start when XDG_RUNTIME_DIR is unset (containers, root).
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: only machines without DATABASE_URL need it
        from pgserver.postgres_server import PostgresServer
    return pgserver, PostgresServer


def _watcher_pidfile(data_dir: Path) -> Path:
    # Beside the data folder, not in it: PostgreSQL owns what is inside.
    return data_dir.with_name(data_dir.name + ".watcher.pid")


def _live_handles(data_dir: Path) -> list[int]:
    """The handle list without the dead; call with pgserver's lock held."""
    import psutil
    from pgserver.utils import DiskList

    handles = DiskList(data_dir / HANDLES_FILE)
    pids = handles.get()
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.put(alive)
    return alive


def _watcher_running(pidfile: Path) -> bool:
    import psutil

    try:
        process = psutil.Process(int(pidfile.read_text()))
        return __file__ in process.cmdline()
    except (OSError, ValueError, psutil.Error):
        return False


def _start_watcher(data_dir: Path) -> None:
    pidfile = _watcher_pidfile(data_dir)
    if _watcher_running(pidfile):
        return
    watcher = subprocess.Popen(
        # -I: without config/ (which has a celery.py) at the front of sys.path.
        [sys.executable, "-I", __file__, "watch", str(data_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own session: neither Ctrl+C in the terminal nor honcho's killpg reaches it.
        start_new_session=True,
    )
    pidfile.write_text(str(watcher.pid))


def watch(data_dir: Path) -> None:
    """Stop the server when every process that opened it is gone; exit when it has stopped."""
    from pgserver._commands import pg_ctl
    from pgserver.utils import PostmasterInfo

    _, server_class = _pgserver()
    pidfile = _watcher_pidfile(data_dir)
    # As root, pgserver runs PostgreSQL as its own unprivileged user; pg_ctl must be that user.
    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    while True:
        time.sleep(WATCH_INTERVAL)
        with server_class._lock:
            try:
                info = PostmasterInfo.read_from_pgdata(data_dir)
            except (AssertionError, ValueError, OSError):
                continue  # postmaster.pid half-written: look again next round
            if info is not None and info.is_running():
                if _live_handles(data_dir):
                    continue
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
            # Gone under the lock, so the next process to start the server starts a watcher.
            pidfile.unlink(missing_ok=True)
            return


def embedded_database_url(data_dir: Path) -> str:
    pgserver, server_class = _pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    with server_class._lock:  # the lock pgserver itself takes around the handle list
        _live_handles(data_dir)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    with server_class._lock:
        _start_watcher(data_dir.resolve())
    # get_uri() names the unix socket folder as host; psycopg understands it as a path.
    return server.get_uri()


if __name__ == "__main__" and sys.argv[1:2] == ["watch"]:
    watch(Path(sys.argv[2]))
