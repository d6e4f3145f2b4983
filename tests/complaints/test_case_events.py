"""The case timeline is append-only in the database itself, whatever code path tries."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from complaints.models import CaseEvent
from complaints.services import Reporter
from tests import factories


@pytest.fixture
def event(world):
    # No reporter contact, so no outbox row protects the event from the ORM's delete.
    case = factories.open_case(world.unit_a, reporter=Reporter())
    return CaseEvent.objects.get(case=case)


def test_the_orm_cannot_rewrite_an_event(event):
    refused = pytest.raises(ProgrammingError, match=r"append-only \(UPDATE refused\)")
    with refused, transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="disunting")

    event.refresh_from_db()
    assert event.note == ""


def test_saving_a_loaded_event_again_is_refused(event):
    event.note = "disunting"

    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        event.save()


def test_the_orm_cannot_delete_an_event(event):
    refused = pytest.raises(ProgrammingError, match=r"append-only \(DELETE refused\)")
    with refused, transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()

    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_cannot_rewrite_or_delete_an_event(event):
    for statement in (
        "UPDATE complaints_caseevent SET created_at = created_at - interval '1 day' WHERE id = %s",
        "DELETE FROM complaints_caseevent WHERE id = %s",
    ):
        refused = pytest.raises(ProgrammingError, match="append-only")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])

    assert CaseEvent.objects.filter(pk=event.pk).count() == 1


def test_new_events_can_still_be_added(event):
    CaseEvent.objects.create(
        case=event.case, created_at=event.created_at, kind="note", note="tambahan"
    )

    assert CaseEvent.objects.filter(case=event.case).count() == 2
