"""Open311 api keys: one per client application, issued in the admin (shown once), stored as
a SHA-256 hash."""

from datetime import timedelta

from django.db import transaction

from complaints import clock
from complaints.api.tokens import hash_key, issue_key
from complaints.models import Open311Client

KEY_PREFIX = "o311_"
LAST_USED_RESOLUTION = timedelta(minutes=5)


@transaction.atomic
def open311_client_create(*, name: str, contact: str = "") -> tuple[Open311Client, str]:
    client = Open311Client(name=name, contact=contact)
    key = issue_key(client, KEY_PREFIX)
    client.save()
    return client, key


@transaction.atomic
def open311_client_rotate_key(client: Open311Client) -> str:
    """A new key for ``client``; the old one stops working at once."""
    key = issue_key(client, KEY_PREFIX)
    client.save(update_fields=["key_hash", "key_prefix"])
    return key


def open311_client_for_key(key: str) -> Open311Client | None:
    if not key or len(key) > 200:
        return None
    client = Open311Client.objects.filter(key_hash=hash_key(key), active=True).first()
    now = clock.now()
    if client is not None and (
        client.last_used_at is None or client.last_used_at < now - LAST_USED_RESOLUTION
    ):
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return client
