"""What every provider backend is: a ``send`` that returns the provider's message id or raises
one of three failures, which decide what the outbox does next."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from complaints.models import Notification


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # How it went out when a provider has several ways ("text", "template:aduan_closed").
    detail: str = ""


class DeliveryError(Exception):
    """The provider did not take the message."""


class TemporaryFailure(DeliveryError):
    """Not taken, and known not to have reached the customer (refused connection, 429, 5xx):
    retry later with backoff."""


class PermanentFailure(DeliveryError):
    """Refused for good (bad number, unknown template, unregistered device): do not retry."""


class OutcomeUnknown(DeliveryError):
    """The request may have reached the provider (timeout or connection lost after sending):
    retrying is only safe where the provider de-duplicates (see ``Backend.retry_safe``)."""


class Backend(Protocol):
    name: str
    # True when asking the provider twice for one row cannot reach the customer twice (an
    # idempotency key the provider honours, or a message the device/mailbox collapses).
    retry_safe: bool

    def send(self, notification: "Notification") -> SendResult: ...
