"""A real Celery worker in a subprocess, pointed at the test database and the test broker.

Integration tests enqueue work from the test process, start a worker with ``WorkerLauncher``
and poll the database for the outcome. Crash tests can ``kill()`` a worker mid-task and start
another one to prove that acks-late work is redelivered.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings

from config.celery import QUEUES, app
from tests.dburl import child_database_url

STOP_TIMEOUT = 15.0
READY_TIMEOUT = 30.0


def queue_depth(name: str) -> int:
    """Messages waiting in ``name`` (not counting ones a worker has taken and not acked)."""
    with app.connection_for_read() as conn:
        # Not passive: Redis deletes an empty list, which a passive declare reports as a
        # missing queue; declaring is idempotent and Celery declares these queues anyway.
        return conn.default_channel.queue_declare(queue=name).message_count


def queue_depths() -> dict[str, int]:
    return {name: queue_depth(name) for name in QUEUES}


def purge_queues() -> int:
    """Drop every waiting message from the app's queues; returns how many were dropped."""
    return app.control.purge()


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class WorkerProcess:
    """One ``celery worker`` process (and, with prefork, its pool children)."""

    def __init__(self, popen: subprocess.Popen, name: str, log_path: Path) -> None:
        self.popen = popen
        self.name = name
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Block until the worker answers a ping, i.e. it is connected and consuming."""

        def answers() -> bool:
            if not self.alive:
                raise RuntimeError(f"worker {self.name} exited early:\n{self.log_tail()}")
            return bool(app.control.ping(destination=[self.name], timeout=0.5))

        if not wait_until(answers, timeout=timeout, interval=0):
            raise TimeoutError(f"worker {self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker dies mid-task, as in a crash."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Warm shutdown (SIGTERM lets the running task finish); SIGKILL if it takes too long."""
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        # Pool children outlive a killed parent; the group takes them too.
        self._signal_group(signal.SIGKILL)
        self.popen.wait()

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # the whole group has already exited
            os.killpg(self.popen.pid, signum)


class WorkerLauncher:
    """Starts workers for one test and stops every one of them afterwards."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.workers: list[WorkerProcess] = []

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=child_database_url(),
            # The broker URL the test process really publishes to (the env var wins in Celery).
            CELERY_BROKER_URL=app.conf.broker_url,
            CELERY_TASK_ALWAYS_EAGER="0",
            DJANGO_DEBUG="1",
            # No idle connections left behind to block the test database's DROP at session end.
            DB_CONN_MAX_AGE="0",
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(
        self,
        *,
        queues: Iterable[str] = QUEUES,
        pool: str = "prefork",
        concurrency: int = 1,
        wait_ready: bool = True,
    ) -> WorkerProcess:
        name = f"aduan-test-{uuid.uuid4().hex[:8]}@{os.uname().nodename}"
        log_path = self.log_dir / f"{name.split('@')[0]}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            ",".join(queues),
            "--pool",
            pool,
            "-c",
            str(concurrency),
            "-n",
            name,
            "-l",
            "INFO",
            # Nothing to synchronise with: skipping these saves seconds of startup.
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                # Own process group, so stop() and kill() reach the pool children too.
                start_new_session=True,
            )
        worker = WorkerProcess(popen, name, log_path)
        self.workers.append(worker)
        if wait_ready:
            worker.wait_ready()
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()
