"""The providers Aduan sends through, as fakes that answer like the real APIs."""

import itertools
import time
from collections import Counter

from tests.fakes.base import FakeProvider, Recorded

WHATSAPP_TOKEN = "wa-token"
SMS_TOKEN = "sms-token"
FCM_TOKEN = "fcm-token"
PAGE_TOKEN = "page-token"
UNAUTHORIZED = {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException"}}


class FakeWhatsApp(FakeProvider):
    """WhatsApp Cloud API ``POST /<phone-number-id>/messages``. With ``window_closed`` set it
    refuses free text with 131047, as Meta does outside the 24-hour window."""

    def __init__(self, *, token: str = WHATSAPP_TOKEN, phone_number_id: str = "1065403522") -> None:
        super().__init__()
        self.token = token
        self.phone_number_id = phone_number_id
        self.window_closed = False
        self.accepted: list[tuple[str, dict]] = []  # (wamid, payload)
        self.accepted_at: dict[str, float] = {}  # wamid → time.monotonic()
        self._ids = itertools.count(1)

    def answer(self, request: Recorded) -> tuple[int, dict]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, UNAUTHORIZED
        if request.path != f"/{self.phone_number_id}/messages":
            return 404, {"error": {"message": "Unknown path", "code": 100}}
        payload = request.json or {}
        if payload.get("type") == "text" and self.window_closed:
            return 400, {
                "error": {
                    "message": "Re-engagement message",
                    "type": "OAuthException",
                    "code": 131047,
                    "error_data": {"details": "More than 24 hours have passed."},
                }
            }
        wamid = f"wamid.FAKE{next(self._ids):06d}"
        self.accepted.append((wamid, payload))
        self.accepted_at[wamid] = time.monotonic()
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
            "messages": [{"id": wamid}],
        }

    def accepted_per_callback_data(self) -> Counter:
        """Messages taken per ``biz_opaque_callback_data`` (our outbox id)."""
        return Counter(payload.get("biz_opaque_callback_data") for _, payload in self.accepted)

    def status_webhooks(self, *, older_than: float = 0.0) -> list[tuple[str, str]]:
        """(wamid, biz_opaque_callback_data) of the messages accepted at least ``older_than``
        seconds ago: what Meta's status webhooks for them carry."""
        now = time.monotonic()
        with self.lock:
            return [
                (wamid, payload.get("biz_opaque_callback_data", ""))
                for wamid, payload in self.accepted
                if now - self.accepted_at[wamid] >= older_than
            ]


class FakeSmsGateway(FakeProvider):
    """An HTTP SMS gateway that honours ``Idempotency-Key``: a repeated key answers with the
    first message's id and sends nothing new."""

    def __init__(self, *, token: str = SMS_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.messages: dict[str, dict] = {}  # message_id → payload (what went to phones)
        self._by_key: dict[str, str] = {}
        self._ids = itertools.count(1)

    def answer(self, request: Recorded) -> tuple[int, dict]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "unauthorized"}
        payload = request.json or {}
        if not payload.get("to") or not payload.get("text"):
            return 422, {"error": "to and text are required"}
        key = request.headers.get("idempotency-key", "")
        if key and key in self._by_key:
            return 200, {"message_id": self._by_key[key], "status": "accepted", "duplicate": True}
        message_id = f"SM{next(self._ids):08d}"
        self.messages[message_id] = payload
        if key:
            self._by_key[key] = message_id
        return 200, {"message_id": message_id, "status": "accepted"}

    def messages_per_client_ref(self) -> Counter:
        return Counter(payload.get("client_ref") for payload in self.messages.values())


class FakeFcm(FakeProvider):
    """FCM HTTP v1 ``POST /v1/projects/<id>/messages:send``; tokens in ``unregistered``
    answer 404 UNREGISTERED."""

    def __init__(self, *, token: str = FCM_TOKEN, project: str = "aduan-test") -> None:
        super().__init__()
        self.token = token
        self.project = project
        self.unregistered: set[str] = set()
        self.accepted: list[tuple[str, dict]] = []
        self._ids = itertools.count(1)

    @property
    def send_url(self) -> str:
        return f"{self.url}/v1/projects/{self.project}/messages:send"

    def answer(self, request: Recorded) -> tuple[int, dict]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
        message = (request.json or {}).get("message") or {}
        data = message.get("data", {})
        if any(not isinstance(value, str) for value in data.values()):
            return 400, {"error": {"code": 400, "status": "INVALID_ARGUMENT"}}
        if message.get("token") in self.unregistered:
            return 404, {
                "error": {
                    "code": 404,
                    "status": "NOT_FOUND",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                            "errorCode": "UNREGISTERED",
                        }
                    ],
                }
            }
        name = f"projects/{self.project}/messages/0:{next(self._ids):010d}"
        self.accepted.append((name, message))
        return 200, {"name": name}

    def shown_per_collapse_id(self) -> Counter:
        """Notifications a device ends up showing: one per collapse id (tag)."""
        return Counter({m["android"]["collapse_key"]: 1 for _, m in self.accepted})


class FakeMetaSend(FakeProvider):
    """Meta Send API ``POST /me/messages`` (Messenger and Instagram replies), and the Graph
    comment replies ``POST /<comment-id>/comments`` (Facebook) and ``/replies`` (Instagram)."""

    def __init__(self, *, token: str = PAGE_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.accepted: list[tuple[str, dict]] = []
        self._ids = itertools.count(1)

    def answer(self, request: Recorded) -> tuple[int, dict]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, UNAUTHORIZED
        payload = request.json or {}
        if request.path.endswith(("/comments", "/replies")):
            reply_id = f"{request.path.split('/')[1]}_{next(self._ids):06d}"
            self.accepted.append((reply_id, payload))
            return 200, {"id": reply_id}
        if payload.get("messaging_type") == "MESSAGE_TAG" and not payload.get("tag"):
            return 400, {"error": {"message": "tag required", "code": 100}}
        message_id = f"m_FAKE{next(self._ids):06d}"
        self.accepted.append((message_id, payload))
        return 200, {"recipient_id": payload["recipient"]["id"], "message_id": message_id}
