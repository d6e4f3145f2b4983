"""Property-based tests (hypothesis) for the WhatsApp and Meta parsers and webhooks: no input
crashes a parser, a bad signature is 403, an oversize body 413, malformed JSON 400, anything
authentic is stored byte for byte, and processing never lets an exception escape."""

import contextlib
import hashlib
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.payload import PayloadError
from channels_intake.services import inbound_process
from channels_intake.social import parse as meta_parse
from channels_intake.webhooks import meta_signature
from channels_intake.whatsapp import parse as wa_parse
from tests.channels_intake.conftest import META_SECRET, WHATSAPP_SECRET
from tests.channels_intake.helpers import META_URL, WHATSAPP_URL

WEBHOOKS = [(WHATSAPP_URL, WHATSAPP_SECRET), (META_URL, META_SECRET)]
DB_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# JSON values of any shape, and shapes close to the real payloads with any leaves, so the
# parsers are driven deep into their branches and not only rejected at the top.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["text", "image", "interactive", "location", "button", "add", "comment"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)


def shaped(obj: str, leaf) -> st.SearchStrategy:
    message = st.fixed_dictionaries(
        {},
        optional={
            "from": leaf,
            "from_user_id": leaf,
            "id": leaf,
            "timestamp": leaf,
            "type": st.sampled_from(
                ["text", "image", "interactive", "location", "button", "document", "unknown"]
            )
            | leaf,
            "text": st.fixed_dictionaries({}, optional={"body": leaf}) | leaf,
            "interactive": st.fixed_dictionaries(
                {},
                optional={
                    "list_reply": st.dictionaries(st.sampled_from(["id", "title"]), leaf),
                    "button_reply": leaf,
                },
            ),
            "image": st.dictionaries(
                st.sampled_from(["id", "sha256", "caption", "mime_type"]), leaf
            ),
            "location": st.dictionaries(
                st.sampled_from(["latitude", "longitude", "name", "address"]), leaf
            ),
            "message": st.dictionaries(
                st.sampled_from(
                    ["mid", "text", "is_echo", "metadata", "attachments", "quick_reply"]
                ),
                leaf,
            ),
            "postback": st.dictionaries(st.sampled_from(["mid", "title", "payload"]), leaf),
            "sender": st.dictionaries(st.just("id"), leaf),
            "delivery": st.dictionaries(st.just("mids"), st.lists(leaf, max_size=3)),
            "status": leaf,
            "errors": st.lists(
                st.dictionaries(st.sampled_from(["code", "title", "error_data"]), leaf), max_size=2
            ),
        },
    )
    value = st.fixed_dictionaries(
        {},
        optional={
            "metadata": st.dictionaries(st.just("phone_number_id"), leaf),
            "contacts": st.lists(
                st.dictionaries(st.sampled_from(["wa_id", "user_id", "profile"]), leaf), max_size=2
            ),
            "messages": st.lists(message | leaf, max_size=3),
            "statuses": st.lists(message | leaf, max_size=3),
            "item": st.just("comment") | leaf,
            "verb": leaf,
            "comment_id": leaf,
            "from": st.dictionaries(st.sampled_from(["id", "name", "username"]), leaf) | leaf,
            "message": leaf,
            "parent_id": leaf,
            "post_id": leaf,
        },
    )
    change = st.fixed_dictionaries(
        {"field": st.sampled_from(["messages", "feed", "comments", "other"]) | leaf},
        optional={"value": value | leaf},
    )
    entry = st.fixed_dictionaries(
        {},
        optional={
            "id": leaf,
            "changes": st.lists(change | leaf, max_size=3),
            "messaging": st.lists(message | leaf, max_size=3),
        },
    )
    return st.fixed_dictionaries(
        {"object": st.just(obj) | leaf},
        optional={"entry": st.lists(entry | leaf, max_size=3) | leaf},
    )


whatsapp_like = shaped("whatsapp_business_account", json_values)
meta_like = st.sampled_from(["page", "instagram"]).flatmap(lambda obj: shaped(obj, json_values))


def _dump(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


# --- parsers: pure, never raise anything but PayloadError -----------------------------------


@given(st.binary(max_size=300) | json_values.map(_dump) | whatsapp_like.map(_dump))
@settings(max_examples=400, deadline=None)
def test_whatsapp_parser_never_crashes(body):
    try:
        items = wa_parse.split_batch(body)
    except PayloadError:
        return
    for item in items:
        try:
            if item.key.startswith(wa_parse.MESSAGE_KEY):
                message = wa_parse.parse_message(item.body)
                assert isinstance(message.text, str)
            else:
                assert isinstance(wa_parse.parse_status(item.body).status, str)
        except PayloadError:
            pytest.fail("an item split_batch produced must parse")


@given(st.binary(max_size=300) | json_values.map(_dump) | meta_like.map(_dump))
@settings(max_examples=400, deadline=None)
def test_meta_parser_never_crashes(body):
    try:
        items = meta_parse.split_batch(body)
    except PayloadError:
        return
    for item in items:
        if item.key.startswith(meta_parse.DM_KEY):
            assert isinstance(meta_parse.parse_direct_message(item.body).text, str)
        elif item.key.startswith(meta_parse.COMMENT_KEY):
            assert isinstance(meta_parse.parse_comment(item.body).text, str)
        else:
            assert isinstance(meta_parse.parse_receipt(item.body).status, str)


@given(st.binary(max_size=200) | json_values.map(_dump))
def test_item_parsers_reject_anything_else_with_payload_error(body):
    for parser in (
        wa_parse.parse_message,
        wa_parse.parse_status,
        meta_parse.parse_direct_message,
        meta_parse.parse_comment,
        meta_parse.parse_receipt,
    ):
        with contextlib.suppress(PayloadError):
            parser(body)


# --- webhooks ---------------------------------------------------------------------------------


def stored(url: str, body: bytes) -> InboundMessage:
    channel = "whatsapp" if url == WHATSAPP_URL else "meta"
    key = "batch:" + hashlib.sha256(body).hexdigest()
    return InboundMessage.objects.get(channel=channel, provider_message_id=key)


def _post(client, url: str, body: bytes, signature: str | None, content_type="application/json"):
    headers = {"X-Hub-Signature-256": signature} if signature is not None else {}
    return client.post(url, data=body, content_type=content_type, headers=headers)


@pytest.mark.parametrize(("url", "secret"), WEBHOOKS)
@given(
    body=st.binary(max_size=2000)
    | json_values.map(_dump)
    | whatsapp_like.map(_dump)
    | meta_like.map(_dump)
)
@DB_SETTINGS
def test_anything_signed_is_stored_byte_for_byte_and_never_a_500(
    client, db, channel_settings, url, secret, body
):
    response = _post(client, url, body, meta_signature(secret, body))

    assert response.status_code in (200, 400, 415)  # 415: an empty body has no type
    assert response["Content-Type"] == "application/json"
    row = stored(url, body)
    assert bytes(row.body) == body
    # Processing never lets an exception out: the row ends processed, ignored or failed.
    assert inbound_process(row.pk) in ("processed", "ignored", "failed", "skipped")


@pytest.mark.parametrize(("url", "secret"), WEBHOOKS)
@given(body=st.binary(max_size=500), signature=st.none() | st.text(max_size=80))
@DB_SETTINGS
def test_a_bad_signature_is_always_403_and_stores_nothing(
    client, db, channel_settings, url, secret, body, signature
):
    assume(signature != meta_signature(secret, body))
    assume(signature is None or signature.isascii())
    before = InboundMessage.objects.count()

    response = _post(client, url, body, signature)

    assert response.status_code == 403
    assert InboundMessage.objects.count() == before


@pytest.mark.parametrize(("url", "secret"), WEBHOOKS)
@given(extra=st.integers(min_value=1, max_value=5000))
@DB_SETTINGS
def test_an_oversize_body_is_always_413(client, db, channel_settings, url, secret, extra):
    channel_settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 512
    body = b'{"object": "page", "pad": "' + b"x" * (512 + extra) + b'"}'

    response = _post(client, url, body, meta_signature(secret, body))

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


@pytest.mark.parametrize(("url", "secret"), WEBHOOKS)
@given(text=st.text(max_size=200))
@DB_SETTINGS
def test_signed_malformed_json_is_always_400_and_kept(
    client, db, channel_settings, url, secret, text
):
    body = ("{" + text).encode()
    try:
        json.loads(body)
        assume(False)
    except ValueError:
        pass

    response = _post(client, url, body, meta_signature(secret, body))

    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    kept = stored(url, body)
    assert (bytes(kept.body), kept.status) == (body, InboundStatus.FAILED)
