"""Fixtures that start real processes against the test database and the real broker."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.celery import app
from tests.integration.worker import WorkerLauncher, purge_queues
from tests.reference_data import ensure_reference_data


@pytest.fixture
def committed_db(transactional_db: None) -> None:
    """Transactions really commit: a worker process only sees committed rows, and on_commit
    callbacks only run on a real commit. The seeded roles and categories are put back, since
    an earlier transactional test's flush may have removed them."""
    ensure_reference_data()


@pytest.fixture(scope="session")
def broker_to_ourselves() -> None:
    """A worker left running on this broker (``make run``, another checkout) would take the
    tests' messages and run them against its own database: fail clearly instead of timing out."""
    strangers = app.control.ping(timeout=1.0)
    if strangers:
        pytest.fail(f"other Celery workers consume from {app.conf.broker_url}: {strangers}")


@pytest.fixture
def empty_queues(broker_to_ourselves: None) -> Iterator[None]:
    """Each test starts and ends with empty queues, whatever an earlier test left behind."""
    purge_queues()
    yield
    purge_queues()


@pytest.fixture
def celery_worker_process(
    committed_db: None, empty_queues: None, tmp_path: Path
) -> Iterator[WorkerLauncher]:
    """Start workers with ``.start()``; every worker is stopped when the test ends.

    Depends on the database fixture so that the workers are gone before the database is
    flushed: a worker still holding a row lock would block the flush.
    """
    launcher = WorkerLauncher(log_dir=tmp_path)
    yield launcher
    launcher.stop_all()
