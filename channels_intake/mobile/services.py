"""App accounts: registration confirmed by a one-time code, code login, tokens, push devices,
and filing a complaint. One-time codes go out through the notification outbox like every
other message; only a keyed hash of a code is stored."""

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from channels_intake.models import (
    AppAccount,
    AppCase,
    AppOneTimeCode,
    AppToken,
    InboundMessage,
    InboundStatus,
    OneTimeCodePurpose,
    PushDevice,
)
from channels_intake.services import inbound_process, inbound_receive
from channels_intake.web.submission import encode_submission
from complaints import clock
from complaints.errors import DomainError
from complaints.models import Case, Channel, Customer
from complaints.notifications import queue_message

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
# At most this many codes per account per window: an SMS costs money and annoys.
CODES_PER_WINDOW = 3
CODE_WINDOW = timedelta(minutes=15)
ACCOUNT_HEADER = "x-app-account"

ALREADY_REGISTERED = _("Nomor ini sudah terdaftar. Silakan masuk dengan kode verifikasi.")
TOO_MANY_CODES = _("Kode sudah dikirim beberapa kali. Tunggu 15 menit sebelum meminta lagi.")
CODE_INVALID = _("Kode verifikasi salah atau sudah tidak berlaku. Minta kode baru.")
CODE_MESSAGE = _(
    "Kode verifikasi PLN 123 Anda: %(code)s. Berlaku 10 menit. Jangan berikan kode ini kepada "
    "siapa pun, termasuk petugas PLN."
)


class AccountExists(DomainError):
    code = "already_registered"
    http_status = 409


class TooManyCodes(DomainError):
    code = "too_many_codes"
    http_status = 429


class CodeInvalid(DomainError):
    code = "code_invalid"
    http_status = 422


def _code_hash(account_id: int, purpose: str, code: str) -> str:
    return salted_hmac("aduan.app-code", f"{account_id}:{purpose}:{code}").hexdigest()


def _send_code(account: AppAccount, purpose: str) -> AppOneTimeCode:
    now = clock.now()
    recent = account.codes.filter(created_at__gte=now - CODE_WINDOW).count()
    if recent >= CODES_PER_WINDOW:
        raise TooManyCodes(TOO_MANY_CODES)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = AppOneTimeCode.objects.create(
        account=account,
        purpose=purpose,
        code_hash=_code_hash(account.pk, purpose, code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    with translation.override(account.language):
        body = str(CODE_MESSAGE % {"code": code})
    queue_message(
        channel="sms",
        recipient=account.phone,
        body=body,
        idempotency_key=f"app-code:{row.pk}",
        template="one_time_code",
        language=account.language,
    )
    return row


@transaction.atomic
def account_register(
    *, id_pelanggan: str, name: str, email: str, phone: str, language: str = "id"
) -> AppOneTimeCode:
    """Start (or restart) a registration and send the code. Values arrive normalized. A
    verified account keeps its phone: registering it again is refused (log in instead)."""
    now = clock.now()
    account = AppAccount.objects.select_for_update().filter(phone=phone).first()
    if account is not None and account.verified_at is not None:
        raise AccountExists(ALREADY_REGISTERED)
    if account is None:
        try:
            with transaction.atomic():
                account = AppAccount.objects.create(
                    id_pelanggan=id_pelanggan,
                    name=name,
                    email=email,
                    phone=phone,
                    language=language,
                    created_at=now,
                )
        except IntegrityError:  # the same phone registering twice at once
            account = AppAccount.objects.select_for_update().get(phone=phone)
    account.id_pelanggan, account.name, account.email = id_pelanggan, name, email
    account.language = language
    account.customer = Customer.objects.filter(id_pelanggan=id_pelanggan).first()
    account.save(update_fields=["id_pelanggan", "name", "email", "language", "customer"])
    return _send_code(account, OneTimeCodePurpose.REGISTER)


@transaction.atomic
def login_start(*, phone: str) -> AppOneTimeCode | None:
    """Send a login code to a registered phone. None for an unknown number: the view answers
    the same either way, so the API does not tell who is a customer."""
    account = AppAccount.objects.select_for_update().filter(phone=phone).first()
    if account is None or account.verified_at is None:
        return None
    return _send_code(account, OneTimeCodePurpose.LOGIN)


@dataclass(frozen=True)
class SignedIn:
    account: AppAccount
    token: str  # shown once; only its hash is kept


def code_verify(*, phone: str, code: str, purpose: str) -> SignedIn:
    """Check a code; a right one signs the device in. A wrong one counts against the code
    (committed even though we refuse), and after CODE_MAX_ATTEMPTS the code is dead."""
    with transaction.atomic():
        account = AppAccount.objects.select_for_update().filter(phone=phone).first()
        row = (
            account.codes.select_for_update()
            .filter(purpose=purpose, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
            if account is not None
            else None
        )
        now = clock.now()
        usable = row is not None and row.expires_at > now and row.attempts < CODE_MAX_ATTEMPTS
        matches = usable and hmac.compare_digest(
            row.code_hash, _code_hash(account.pk, purpose, code)
        )
        if row is not None and not matches:
            row.attempts += 1
            row.save(update_fields=["attempts"])
        if matches:
            row.used_at = now
            row.save(update_fields=["used_at"])
            if account.verified_at is None:
                account.verified_at = now
                account.save(update_fields=["verified_at"])
            return SignedIn(account=account, token=_issue_token(account))
    raise CodeInvalid(CODE_INVALID)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _issue_token(account: AppAccount) -> str:
    key = secrets.token_urlsafe(32)
    AppToken.objects.create(account=account, key_hash=token_hash(key), created_at=clock.now())
    return key


def token_revoke(token: AppToken) -> None:
    AppToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def push_device_register(*, account: AppAccount, token: str, platform: str) -> PushDevice:
    """Remember a device token for pushes; a token moves to whoever registers it last."""
    now = clock.now()
    device, _created = PushDevice.objects.update_or_create(
        token=token,
        defaults={"account": account, "platform": platform, "updated_at": now},
        create_defaults={
            "account": account,
            "platform": platform,
            "created_at": now,
            "updated_at": now,
        },
    )
    return device


@dataclass(frozen=True)
class Submitted:
    reference: int
    case: Case | None  # None: stored, but processing failed (staff will re-process)
    added_to_existing: bool = False  # the message continued a case opened before it


def _stored_fields(data) -> list[tuple[str, list[str]]]:
    """Form fields as text lists, whether the body was multipart (a QueryDict) or JSON."""
    if hasattr(data, "lists"):
        return [
            (key, [v for v in values if not isinstance(v, UploadedFile)])
            for key, values in data.lists()
        ]
    fields = []
    for key, value in data.items():
        if value is None:
            continue
        fields.append((str(key), [value if isinstance(value, str) else json.dumps(value)]))
    return fields


def _stored_files(data) -> list[tuple[str, UploadedFile]]:
    if not hasattr(data, "lists"):
        return []
    return [
        (key, value)
        for key, values in data.lists()
        for value in values
        if isinstance(value, UploadedFile)
    ]


def complaint_submit(
    *, account: AppAccount, data, idempotency_key: str, remote_addr: str | None
) -> Submitted:
    """Store what the app sent, then process it at once so the app gets the ticket number.
    The same Idempotency-Key (a retry over a flaky mobile network) is the same case."""
    raw = encode_submission(_stored_fields(data), _stored_files(data))
    # Without a key every call is new: the same words sent on another day are a new report.
    key = f"app:{account.pk}:{idempotency_key or uuid.uuid4().hex}"
    message, created = inbound_receive(
        channel=Channel.MOBILE_APP,
        provider_message_id=key,
        body=raw,
        headers={ACCOUNT_HEADER: str(account.pk)},
        content_type="application/json",
        remote_addr=remote_addr,
        enqueue=False,
    )
    if created or message.status == InboundStatus.RECEIVED:
        inbound_process(message.pk)
    row = InboundMessage.objects.select_related("case__category").get(pk=message.pk)
    existing = row.case is not None and row.case.created_at < row.received_at
    return Submitted(reference=row.pk, case=row.case, added_to_existing=existing)


def app_case_link(*, account: AppAccount, case: Case) -> None:
    AppCase.objects.get_or_create(account=account, case=case, defaults={"created_at": clock.now()})
