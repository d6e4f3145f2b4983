"""POST Service Request: store first (the raw inbox), then process at once through the one
intake call so the client gets its service_request_id (the ticket number) in the answer.

A request whose processing fails stays in the inbox with its error, for staff to re-process;
the client gets a ``token`` instead (GeoReport's deferred answer) and asks
/tokens/{token} later. The api_key is never stored."""

import hashlib
import uuid
from dataclasses import dataclass

from django.http import QueryDict

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.open311.processor import CLIENT_HEADER
from channels_intake.services import inbound_process, inbound_receive
from complaints.models import Case, Channel, Open311Client

CREDENTIAL_FIELDS = ("api_key",)


@dataclass(frozen=True)
class Submitted:
    token: str
    case: Case | None


def request_token(client: Open311Client, idempotency_key: str) -> str:
    """The inbox key and the client's token. With an Idempotency-Key (an extension: a retry
    over a flaky network) the same key of the same client is the same request; without one
    every POST is new. Unguessable either way."""
    if idempotency_key:
        return hashlib.sha256(f"{client.pk}:{idempotency_key}".encode()).hexdigest()[:32]
    return uuid.uuid4().hex


def open311_submit(
    *,
    client: Open311Client,
    form: QueryDict,
    idempotency_key: str = "",
    headers: dict[str, str] | None = None,
    remote_addr: str | None = None,
) -> Submitted:
    stored = form.copy()
    for name in CREDENTIAL_FIELDS:
        stored.pop(name, None)
    token = request_token(client, idempotency_key)
    message, created = inbound_receive(
        channel=Channel.OPEN311,
        provider_message_id=token,
        body=stored.urlencode().encode(),
        headers={**(headers or {}), CLIENT_HEADER: str(client.pk)},
        content_type="application/x-www-form-urlencoded",
        remote_addr=remote_addr,
        enqueue=False,
    )
    if created or message.status == InboundStatus.RECEIVED:
        inbound_process(message.pk)
    row = InboundMessage.objects.select_related("case").get(pk=message.pk)
    return Submitted(token=token, case=row.case)
