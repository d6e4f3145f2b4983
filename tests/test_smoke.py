from complaints.models import Case, CaseEvent
from complaints.workflow import CaseStatus
from tests import factories


def test_opening_a_case_writes_ticket_and_created_event(world):
    case = factories.open_case(world.unit_a)

    assert case.status == CaseStatus.RECEIVED
    assert Case.objects.get(ticket=case.ticket).pk == case.pk
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["created"]
