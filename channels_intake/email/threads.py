"""Which case an e-mail continues: a reply to one of our notices (its Message-ID is on the
outbox row the SMTP backend sent), a reply within a thread the customer started (an inbound
Message-ID we stored), or a ticket written in a Message-ID. Reads only."""

from channels_intake.email.extract import find_tickets
from channels_intake.models import InboundMessage
from complaints.models import Case, Channel, Notification


def _both_spellings(ids: tuple[str, ...]) -> list[str]:
    # Backends store Message-IDs with or without the angle brackets; match either.
    return [form for value in ids for form in (value, f"<{value}>")]


def case_for_thread(message_ids: tuple[str, ...]) -> Case | None:
    """The case of the nearest message in ``message_ids`` (In-Reply-To first, then References
    from the right) that we know. Two indexed queries at most."""
    if not message_ids:
        return None
    ids = message_ids[:50]  # a References header can be very long; the nearest ones matter
    spellings = _both_spellings(ids)
    found: dict[str, int] = {}
    # notification_provider_id index: (channel, provider_message_id).
    for provider_id, case_id in Notification.objects.filter(
        channel=Channel.EMAIL, provider_message_id__in=spellings, case__isnull=False
    ).values_list("provider_message_id", "case_id"):
        found.setdefault(provider_id.strip("<>"), case_id)
    # inbound_unique_provider_id index: (channel, provider_message_id).
    for provider_id, case_id in InboundMessage.objects.filter(
        channel=Channel.EMAIL, provider_message_id__in=spellings, case__isnull=False
    ).values_list("provider_message_id", "case_id"):
        found.setdefault(provider_id.strip("<>"), case_id)
    for value in ids:
        if value in found:
            return Case.objects.filter(pk=found[value]).first()
    # Our Message-IDs may carry the ticket (<ADU-7K3M-9Q2X.…@host>): no lookup needed then.
    for ticket in find_tickets(" ".join(ids)):
        case = Case.objects.filter(ticket=ticket).first()
        if case is not None:
            return case
    return None


def notification_for_message_id(message_id: str) -> Notification | None:
    """The outbox row we sent as ``message_id`` (a bounce names it)."""
    if not message_id:
        return None
    return (
        Notification.objects.filter(
            channel=Channel.EMAIL, provider_message_id__in=_both_spellings((message_id,))
        )
        .select_related("case")
        .first()
    )
