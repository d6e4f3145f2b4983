"""E-mail over SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER/PASSWORD, EMAIL_USE_TLS).

Every notice has our own Message-ID, derived from the outbox row, and the ticket in the
subject ("[#ADU-…]"); earlier notices of the case go into In-Reply-To/References, so the
customer's mail program threads them and a reply carries our ids back to e-mail intake
(``case_for_message_ids``).

Reconciliation rule: a retry sends the very same message (same Message-ID), which mail stores
and clients collapse into one, so a send whose outcome is unknown is retried.
"""

import hashlib
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from django.conf import settings

from complaints.models import Case, Notification, NotificationStatus
from complaints.outbound.base import (
    OutcomeUnknown,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

CHANNEL = "email"
CONNECT_FAILED = "Cannot reach SMTP server %s:%s: %s"
REFUSED = "SMTP refused the message: %s"
UNKNOWN = "SMTP connection lost while sending (the message may have been taken): %s"


# Notices that answer the customer's own message.
ACKNOWLEDGEMENTS = frozenset({"received", "reply"})


def configured() -> bool:
    return bool(settings.EMAIL_HOST)


def message_id_for(notification: Notification) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:12]
    return f"<aduan.{notification.pk}.{digest}@{domain}>"


def case_for_message_ids(message_ids: Iterable[str]) -> Case | None:
    """The case whose notice a reply answers (its In-Reply-To / References ids)."""
    ids = [value.strip() for value in message_ids if value and value.strip()]
    if not ids:
        return None
    row = (
        Notification.objects.filter(
            channel=CHANNEL, provider_message_id__in=ids, case__isnull=False
        )
        .select_related("case")
        .order_by("-created_at")
        .first()
    )
    return row.case if row else None


def _thread_ids(notification: Notification) -> list[str]:
    ids = []
    if notification.context.get("in_reply_to"):
        ids.append(notification.context["in_reply_to"])
    if notification.case_id:
        ids += list(
            Notification.objects.filter(
                case_id=notification.case_id,
                channel=CHANNEL,
                created_at__lte=notification.created_at,
                status__in=[NotificationStatus.SENT, NotificationStatus.DELIVERED],
            )
            .exclude(pk=notification.pk)
            .exclude(provider_message_id="")
            .order_by("created_at", "pk")
            .values_list("provider_message_id", flat=True)
        )
    return ids


def build_message(notification: Notification) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.DEFAULT_FROM_EMAIL
    message["To"] = notification.recipient
    message["Subject"] = notification.context.get("subject") or notification.body[:60]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id_for(notification)
    thread = _thread_ids(notification)
    if thread:
        message["In-Reply-To"] = thread[-1]
        message["References"] = " ".join(thread)
    # RFC 3834: robots must not answer us. The acknowledgement answers the customer's mail
    # ("auto-replied"); later status notices are not replies to anything ("auto-generated").
    message["Auto-Submitted"] = (
        "auto-replied" if notification.template in ACKNOWLEDGEMENTS else "auto-generated"
    )
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(notification.body)
    return message


class SmtpBackend:
    name = "email"
    retry_safe = True

    def send(self, notification: Notification) -> SendResult:
        message = build_message(notification)
        host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
        try:
            connection = smtplib.SMTP(host, port, timeout=settings.EMAIL_TIMEOUT)
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(CONNECT_FAILED % (host, port, exc)) from exc
        try:
            if settings.EMAIL_USE_TLS:
                connection.starttls()
            if settings.EMAIL_HOST_USER:
                connection.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = TemporaryFailure if all(400 <= c < 500 for c in codes) else PermanentFailure
            raise error(REFUSED % exc.recipients) from exc
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            error = TemporaryFailure if 400 <= exc.smtp_code < 500 else PermanentFailure
            raise error(REFUSED % f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPResponseException as exc:
            # Refused before the message was taken (login, HELO): an operator's problem.
            raise TemporaryFailure(REFUSED % f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except OSError as exc:
            # smtplib's own errors are OSErrors too: what is left is a lost connection.
            raise OutcomeUnknown(UNKNOWN % exc) from exc
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
        return SendResult(provider_message_id=message["Message-ID"])
