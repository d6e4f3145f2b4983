"""Outbound providers: one module per provider, all HTTP through ``complaints.outbound.http``.

The backend is chosen per notification channel when a notice is sent: a channel whose
provider is configured (environment) uses it, any other channel keeps the notice in the local
outbox. Whether a provider may be asked twice for one notice (``retry_safe``) decides what
happens to a send that crashed halfway (complaints.delivery).
"""

from complaints.outbound import push, sms, smtp, social, webhook, whatsapp
from complaints.outbound.base import Backend
from complaints.outbound.local import LocalBackend

PROVIDERS: dict[str, tuple] = {
    "whatsapp": (whatsapp.configured, whatsapp.WhatsAppBackend),
    "sms": (sms.configured, sms.SmsBackend),
    "email": (smtp.configured, smtp.SmtpBackend),
    "app": (push.configured, push.FcmBackend),
    "social": (social.configured, social.MetaSendBackend),
    "webhook": (webhook.configured, webhook.WebhookBackend),  # issue 8: integrators' webhooks
}
BACKENDS: dict[str, type] = {
    cls.name: cls
    for cls in (
        whatsapp.WhatsAppBackend,
        sms.SmsBackend,
        smtp.SmtpBackend,
        push.FcmBackend,
        social.MetaSendBackend,
        webhook.WebhookBackend,
        LocalBackend,
    )
}


def backend_for(channel: str) -> Backend:
    configured, backend = PROVIDERS.get(channel, (None, None))
    if configured is not None and configured():
        return backend()
    return LocalBackend()


def retry_safe(backend_name: str) -> bool:
    """May a row last attempted through ``backend_name`` be sent again without knowing how
    the last attempt ended? Unknown names (a provider since removed) are not."""
    backend = BACKENDS.get(backend_name)
    return bool(backend and backend.retry_safe)
