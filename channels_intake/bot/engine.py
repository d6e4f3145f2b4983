"""The conversation engine shared by WhatsApp, Messenger and Instagram DMs.

A channel adapter turns one inbound message into a ``BotInput`` (text, a menu choice, photos
already downloaded, a location) and calls ``handle_message`` with a ``BotSession`` naming the
customer. The engine keeps the conversation in the database (``Conversation``, row-locked, so
two workers never interleave one customer's turns), files complaints through the normalized
intake, and writes its one reply per message to the outbox.

Menu (Bahasa Indonesia by default; "english" switches): 1 gangguan listrik, 2 tagihan,
3 meteran, 4 informasi pemadaman, 5 cek status pengaduan, 6 pengaduan lainnya. A report asks
for the ID pelanggan or meter number, name, address, description and an optional photo, then
opens the case; the receipt with the ticket number is the case's "received" notice.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, translation
from django.utils.functional import Promise

from channels_intake import media
from channels_intake.bot import texts
from channels_intake.bot.outages import OutageKind, outage_notices_for
from channels_intake.intake import (
    IntakeAttachment,
    IntakeRejected,
    IntakeRequest,
    customer_by_contact,
    find_quoted_ticket,
    intake_submit,
    is_reporter_of,
    quoted_case,
)
from channels_intake.models import Conversation, ConversationStep
from complaints import clock, satisfaction
from complaints.attachments import inspect_attachment
from complaints.errors import DomainError, InvalidInput
from complaints.identifiers import ID_PELANGGAN_LENGTH, METER_NUMBER_LENGTH
from complaints.incidents import answer_from_message
from complaints.models import Case, Channel, Customer
from complaints.notifications import queue_message
from complaints.services import case_attach
from complaints.tickets import normalize_ticket_number
from complaints.workflow import CaseStatus, customer_label
from staff.roles import Actor

Step = ConversationStep
TICKET_PREFIX = "ADU"
LANGUAGES = ("id", "en")
RESTART_WORDS = frozenset({"menu", "mulai", "start", "halo menu"})
CANCEL_WORDS = frozenset({"batal", "cancel", "stop", "keluar"})
LANGUAGE_WORDS = {
    "english": "en",
    "inggris": "en",
    "bahasa inggris": "en",
    "indonesia": "id",
    "bahasa": "id",
    "bahasa indonesia": "id",
}
SKIP_WORDS = frozenset(
    {"lewati", "skip", "tidak", "tidak ada", "ga ada", "gak ada", "no", "-", "0"}
)
# Menu number → what it does; a report's category codes are those seeded in complaints.
MAIN_MENU = {
    "1": "fault",
    "2": "tagihan",
    "3": "meter",
    "4": "outage",
    "5": "status",
    "6": "layanan",
}
FAULT_CATEGORIES = {"1": "padam-rumah", "2": "padam-area", "3": "tegangan", "4": "bahaya"}
METER_CATEGORIES = {"1": "meter", "2": "token"}
HAZARD_CATEGORY = "bahaya"
MAX_PHOTOS = 5
MIN_ADDRESS_CHARS = 8
MAX_NAME_CHARS = 120
_SEPARATORS = re.compile(r"[\s.\-]")
_LETTER = re.compile(r"[^\W\d_]")
_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


@dataclass(frozen=True)
class BotSession:
    """Who the bot is talking to. ``contact`` is the customer's normalized address on the
    channel (E.164 for a WhatsApp number, the WhatsApp user id when there is no number, the
    page-scoped id on Messenger/Instagram): the conversation key, the reply recipient and the
    reporter contact of the cases it opens."""

    channel: str  # "whatsapp", "facebook", "instagram"
    case_channel: str  # complaints.models.Channel: whatsapp / social
    contact_kind: str  # complaints.models.ContactKind
    contact: str
    profile_name: str = ""

    @property
    def reply_channel(self) -> str:
        return Channel.WHATSAPP if self.case_channel == Channel.WHATSAPP else Channel.SOCIAL


@dataclass(frozen=True)
class BotInput:
    message_id: str  # the provider's id: replies are keyed by it (a re-run sends nothing twice)
    at: datetime
    text: str = ""
    choice: str = ""  # id of an interactive list/button reply, quick reply or postback
    photos: tuple[bytes, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    location_text: str = ""
    unsupported: bool = False  # a sticker, voice note, …: answered, not understood


@dataclass(frozen=True)
class BotResult:
    reply: str
    case: Case | None = None  # the case opened or added to by this message


@dataclass
class _Turn:
    conversation: Conversation
    session: BotSession
    message: BotInput
    parts: list[tuple[Any, dict]] = field(default_factory=list)
    case: Case | None = None

    # --- saying things -----------------------------------------------------------------

    def say(self, text: Promise | str, **params: Any) -> None:
        self.parts.append((text, params))

    def render(self) -> str:
        with translation.override(self.conversation.language):
            return "\n\n".join(
                (str(text) % params if params else str(text)) for text, params in self.parts
            ).strip()

    def goto(self, step: str) -> None:
        self.conversation.step = step
        prompt = {
            Step.MENU: texts.MENU,
            Step.FAULT_KIND: texts.FAULT_MENU,
            Step.METER_KIND: texts.METER_MENU,
            Step.ASK_NAME: texts.ASK_NAME,
            Step.ASK_ADDRESS: texts.ASK_ADDRESS,
            Step.ASK_DESCRIPTION: texts.ASK_DESCRIPTION,
            Step.ASK_PHOTO: texts.ASK_PHOTO,
            Step.OUTAGE_ID: texts.OUTAGE_ASK_ID,
            Step.STATUS_TICKET: texts.ASK_TICKET,
        }.get(step)
        if step == Step.ASK_ID:
            self.say(texts.ASK_ID)
            known = self._known_customer()
            if known is not None:
                self.data["known_customer"] = known.pk
                self.say(texts.ASK_ID_KNOWN, masked=mask(known.id_pelanggan))
        elif prompt is not None:
            self.say(prompt)

    def restart(self) -> None:
        self.conversation.data = {}
        self.goto(Step.MENU)

    @property
    def data(self) -> dict:
        return self.conversation.data

    @property
    def text(self) -> str:
        return self.message.text.strip()

    def choice(self) -> str:
        """A menu answer: the interactive reply's id, or a number typed as text ("1", "1.")."""
        value = self.message.choice or self.text
        match = _CHOICE.match(value)
        return match.group(1) if match else ""

    # --- the turn ----------------------------------------------------------------------

    def run(self, fresh: bool) -> None:
        word = " ".join(self.text.lower().split())
        if word in LANGUAGE_WORDS:
            self.conversation.language = LANGUAGE_WORDS[word]
            self.say(texts.LANGUAGE_CHANGED)
            self.goto(Step.MENU if fresh else self.conversation.step)
            return
        if word in RESTART_WORDS or word in CANCEL_WORDS:
            if word in CANCEL_WORDS and not fresh:
                self.say(texts.CANCELLED)
            self.restart()
            return
        if fresh:
            if self.answered_pending(fresh=True):
                return
            # A photo sent first is kept for the report the customer is about to start.
            self.conversation.data = {}
            self.keep_photos()
            self.say(texts.GREETING)
            self.goto(Step.MENU)
            return
        if self.message.unsupported:
            self.say(texts.UNSUPPORTED)
            self.goto(self.conversation.step)
            return
        step = self.conversation.step
        if self.message.photos and step != Step.ASK_PHOTO:
            if step == Step.MENU and self.attach_to_last_case():
                return
            kept = self.keep_photos()
            if not (self.text or self.message.choice or self.message.latitude is not None):
                if kept:
                    self.say(texts.PHOTO_KEPT)
                self.goto(step)
                return
        handler = getattr(self, f"on_{step}", None)
        if handler is None:  # a step this code no longer knows: start over
            self.restart()
            return
        handler()

    # --- steps -------------------------------------------------------------------------

    def on_menu(self) -> None:
        if self.answered_pending(fresh=False):
            return
        # Only "ADU-…" counts here: a random eight-letter word passes the check symbol once
        # in 32 tries.
        quoted = self.text.upper().startswith(TICKET_PREFIX)
        ticket = normalize_ticket_number(self.text) if quoted else None
        if ticket:
            self.answer_status(ticket)
            return
        action = MAIN_MENU.get(self.choice())
        if action is None:
            self.say(texts.UNKNOWN_CHOICE)
            self.goto(Step.MENU)
        elif action == "fault":
            self.goto(Step.FAULT_KIND)
        elif action == "meter":
            self.goto(Step.METER_KIND)
        elif action == "outage":
            known = self._known_customer()
            if known is not None:
                self.answer_outages(known)
            else:
                self.goto(Step.OUTAGE_ID)
        elif action == "status":
            self.goto(Step.STATUS_TICKET)
        else:
            self.start_report(action)

    def on_fault_kind(self) -> None:
        code = FAULT_CATEGORIES.get(self.choice())
        if code is None:
            self.say(texts.UNKNOWN_CHOICE)
            self.goto(Step.FAULT_KIND)
            return
        if code == HAZARD_CATEGORY:
            self.say(texts.HAZARD_WARNING)
        self.start_report(code)

    def on_meter_kind(self) -> None:
        code = METER_CATEGORIES.get(self.choice())
        if code is None:
            self.say(texts.UNKNOWN_CHOICE)
            self.goto(Step.METER_KIND)
            return
        self.start_report(code)

    def start_report(self, category_code: str) -> None:
        photos = self.data.get("photos", [])
        self.conversation.data = {"category": category_code, "photos": photos}
        self.goto(Step.ASK_ID)

    def on_ask_id(self) -> None:
        known = self.data.get("known_customer")
        if known and self.choice() == "1":
            customer = Customer.objects.filter(pk=known).first()
            if customer is not None:
                self.data["id_pelanggan"] = customer.id_pelanggan
                self.goto(Step.ASK_NAME)
                return
        number = self.read_identifier(retry_prompt=texts.ASK_ID)
        if number is None:
            return
        customer = customer_by_identifier(number)
        if customer is None and self.data.get("unconfirmed") != number:
            # An unknown number may be a typo: ask once; the same number again is taken.
            self.data["unconfirmed"] = number
            self.say(texts.UNKNOWN_ID, value=number)
            if looks_like_phone(number):
                self.say(texts.PHONE_HINT)
            return
        self.data.pop("unconfirmed", None)
        key = "id_pelanggan" if len(number) == ID_PELANGGAN_LENGTH else "meter_number"
        self.data[key] = number
        self.goto(Step.ASK_NAME)

    def on_ask_name(self) -> None:
        name = " ".join(self.text.split())
        if not name or len(name) > MAX_NAME_CHARS or not _LETTER.search(name):
            self.say(texts.BAD_NAME)
            return
        self.data["name"] = name
        self.goto(Step.ASK_ADDRESS)

    def on_ask_address(self) -> None:
        message = self.message
        if message.latitude is not None and message.longitude is not None:
            self.data["latitude"] = message.latitude
            self.data["longitude"] = message.longitude
            self.data["address"] = (
                message.location_text or f"{message.latitude}, {message.longitude}"
            )
            self.goto(Step.ASK_DESCRIPTION)
            return
        address = " ".join(self.text.split())
        if len(address) < MIN_ADDRESS_CHARS or not _LETTER.search(address):
            self.say(texts.BAD_ADDRESS)
            return
        self.data["address"] = address
        self.goto(Step.ASK_DESCRIPTION)

    def on_ask_description(self) -> None:
        description = self.text
        if len(description) < 3 or not _LETTER.search(description):
            self.say(texts.BAD_DESCRIPTION)
            return
        self.data["description"] = description
        self.goto(Step.ASK_PHOTO)

    def on_ask_photo(self) -> None:
        if self.message.photos:
            if self.keep_photos():
                self.open_case()
            else:
                self.say(texts.BAD_PHOTO_STEP)
            return
        if " ".join(self.text.lower().split()) in SKIP_WORDS:
            self.open_case()
            return
        self.say(texts.BAD_PHOTO_STEP)

    def on_outage_id(self) -> None:
        number = self.read_identifier(retry_prompt=texts.OUTAGE_ASK_ID)
        if number is None:
            return
        customer = customer_by_identifier(number)
        if customer is None:
            self.say(texts.OUTAGE_UNKNOWN_ID, value=number)
            return
        self.answer_outages(customer)

    def on_status_ticket(self) -> None:
        ticket = normalize_ticket_number(self.text) or find_quoted_ticket(self.text)
        if ticket is None:
            self.say(texts.BAD_TICKET)
            return
        self.answer_status(ticket)

    # --- answers and actions -----------------------------------------------------------

    def read_identifier(self, *, retry_prompt: Promise) -> str | None:
        number = _SEPARATORS.sub("", self.text)
        if number.startswith("+"):
            number = number[1:]
        valid = number.isascii() and number.isdigit()
        if not valid or len(number) not in (ID_PELANGGAN_LENGTH, METER_NUMBER_LENGTH):
            self.say(texts.BAD_ID)
            if looks_like_phone(number):
                self.say(texts.PHONE_HINT)
            self.say(retry_prompt)
            return None
        return number

    def answer_status(self, ticket: str) -> None:
        case = Case.objects.select_related("category", "service_unit").filter(ticket=ticket).first()
        if case is None:
            self.say(texts.TICKET_NOT_FOUND, ticket=ticket)
            self.conversation.step = Step.STATUS_TICKET
            return
        if case.merged_into_id:
            target = quoted_case(ticket)
            self.say(texts.STATUS_MERGED, ticket=case.ticket, target=target.ticket)
            case = Case.objects.select_related("category", "service_unit").get(pk=target.pk)
        with translation.override(self.conversation.language):
            self.say(
                texts.STATUS,
                ticket=case.ticket,
                category=str(case.category),
                date=local_time(case, case.created_at),
                label=customer_label(case.status, field_work=case.category.is_field_work),
            )
        self.say(texts.BACK_TO_MENU)
        self.conversation.step = Step.MENU

    def answer_outages(self, customer: Customer) -> None:
        notices = outage_notices_for(customer, at=clock.now())
        if not notices:
            self.say(texts.OUTAGE_NONE)
        else:
            self.say(texts.OUTAGE_HEADER)
            unknown = str(texts.UNKNOWN_TIME)
            for notice in notices:
                start = local_time_of(customer, notice.starts_at) or unknown
                end = local_time_of(customer, notice.ends_at) or unknown
                line = (
                    texts.OUTAGE_PLANNED
                    if notice.kind == OutageKind.PLANNED
                    else texts.OUTAGE_INCIDENT
                )
                self.say(line, start=start, end=end, description=notice.description)
            self.say(texts.BACK_TO_MENU)
        self.conversation.step = Step.MENU

    def answered_pending(self, *, fresh: bool) -> bool:
        """Whether the message answered something outside the menu: the satisfaction survey,
        the restoration check, or an open case quoted by its ticket. The survey first: it steps
        aside for a restoration check asked after it."""
        return self.survey_answer(fresh=fresh) or self.restoration_answer() or self.follow_up()

    def follow_up(self) -> bool:
        """A message quoting the ticket of an open case of this sender (an answer to "balas
        pesan ini dengan menyebut nomor tiket") is added to that case."""
        ticket = find_quoted_ticket(self.text)
        if ticket is None or normalize_ticket_number(self.text) == ticket:
            return False  # no ticket, or only a ticket: that is a status question
        case = quoted_case(ticket)
        if case is None or not case.is_open:
            return False
        if not is_reporter_of(
            case, contact_kind=self.session.contact_kind, contact=self.session.contact
        ):
            return False
        result = intake_submit(self.intake_request(description=self.text, ticket=case.ticket))
        self.case = result.case
        self.attach(result.case, self.valid_photos())
        self.say(texts.FOLLOW_UP_ADDED, ticket=result.case.ticket)
        self.conversation.case = result.case
        self.conversation.data = {}
        self.conversation.step = Step.MENU
        return True

    def survey_answer(self, *, fresh: bool) -> bool:
        """A reply to the satisfaction survey of the "closed" notice ("5", "2 belum"; issue 5)
        from a sender who has not written since it was sent: a digit after the menu was shown
        is a menu choice."""
        if self.message.photos or self.message.choice:
            return False
        conversation = self.conversation
        # A conversation that starts with this message has no earlier message to compare.
        first = fresh and conversation.started_at == conversation.last_message_at
        reply = satisfaction.answer_from_message(
            contact=self.session.contact,
            text=self.text,
            channel=self.session.case_channel,
            since=None if first else conversation.last_message_at,
        )
        if reply is None:
            return False
        self.say(reply)
        self.say(texts.BACK_TO_MENU)
        self.conversation.data = {}
        self.conversation.step = Step.MENU
        return True

    def restoration_answer(self) -> bool:
        """An answer to "Listrik sudah menyala? 1 Ya / 2 Tidak" (issue 6) from a sender who
        was asked and has not answered: "1"/"Ya" closes their case, "2"/"Tidak" opens a
        follow-up at that address. With no question pending a "1" stays a menu choice."""
        if self.message.photos:
            return False
        try:
            case = answer_from_message(
                contact=self.session.contact,
                text=self.message.choice or self.text,
                channel=self.session.case_channel,
            )
        except InvalidInput:  # answered meanwhile on the web page: carry on as usual
            return False
        if case is None:
            return False
        if case.status == CaseStatus.CLOSED:
            self.say(texts.RESTORATION_YES, ticket=case.ticket)
        else:
            self.say(texts.RESTORATION_STILL_OFF, ticket=case.ticket)
        self.say(texts.BACK_TO_MENU)
        self.case = case
        self.conversation.case = case
        self.conversation.data = {}
        self.conversation.step = Step.MENU
        return True

    def attach_to_last_case(self) -> bool:
        case = self.conversation.case
        if case is None or not case.is_open:
            return False
        photos = self.valid_photos()
        if photos:
            self.attach(case, photos)
            self.case = case
            self.say(texts.PHOTO_ADDED, ticket=case.ticket)
        return True

    def valid_photos(self) -> list[bytes]:
        good = []
        for photo in self.message.photos:
            try:
                inspect_attachment(photo)
            except InvalidInput as exc:
                self.say(texts.PHOTO_REJECTED, reason=exc.message)
                continue
            good.append(photo)
        return good

    def keep_photos(self) -> bool:
        photos = self.valid_photos()
        kept = self.data.setdefault("photos", [])
        for photo in photos:
            name = media.stash(photo)
            if name not in kept and len(kept) < MAX_PHOTOS:
                kept.append(name)
        return bool(photos)

    def attach(self, case: Case, photos: list[bytes]) -> None:
        actor = Actor.customer(self.session.case_channel)
        for photo in photos:
            case_attach(actor=actor, case_id=case.pk, content=photo, name=photo_name(self.session))

    def intake_request(self, **fields: Any) -> IntakeRequest:
        return IntakeRequest(
            channel=self.session.case_channel,
            contact_kind=self.session.contact_kind,
            contact=self.session.contact,
            language=self.conversation.language,
            provider=self.session.channel,
            provider_message_id=self.message.message_id,
            **fields,
        )

    def open_case(self) -> None:
        data = self.data
        photos = [content for name in data.get("photos", []) if (content := media.unstash(name))]
        request = self.intake_request(
            category_code=data.get("category", ""),
            description=data.get("description", ""),
            id_pelanggan=data.get("id_pelanggan", ""),
            meter_number=data.get("meter_number", ""),
            reporter_name=data.get("name", ""),
            location_text=data.get("address", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            attachments=tuple(
                IntakeAttachment(content=photo, name=photo_name(self.session)) for photo in photos
            ),
        )
        try:
            result = intake_submit(request)
        except IntakeRejected as exc:
            self.say(texts.CASE_REJECTED, reason=exc.message)
            self.restart()
            return
        case = result.case
        self.case = case
        self.conversation.case = case
        self.conversation.data = {}
        self.conversation.step = Step.MENU
        if not result.created:
            self.say(texts.FOLLOW_UP_ADDED, ticket=case.ticket)
        elif not case.notifications.exists():
            # The "received" notice carries the ticket number; without one (notices off),
            # the bot says it itself.
            self.say(texts.CASE_OPENED, ticket=case.ticket)

    def _known_customer(self) -> Customer | None:
        return customer_by_contact(self.session.contact_kind, self.session.contact)


# --- helpers ---------------------------------------------------------------------------


def mask(number: str) -> str:
    """Enough of a number to recognize it, not enough to reuse it: 5300****0001."""
    return number[:4] + "*" * max(0, len(number) - 8) + number[-4:]


def looks_like_phone(number: str) -> bool:
    return number.startswith(("08", "628", "+628"))


def customer_by_identifier(number: str) -> Customer | None:
    if len(number) == ID_PELANGGAN_LENGTH:
        return Customer.objects.filter(id_pelanggan=number).first()
    return Customer.objects.filter(meter_number=number).first()


def photo_name(session: BotSession) -> str:
    return f"foto-{session.channel}"


def local_time(case: Case, moment: datetime) -> str:
    unit = case.service_unit
    local = moment.astimezone(unit.tz)
    return f"{formats.date_format(local, 'j M Y H:i')} {unit.tz_label}"


def local_time_of(customer: Customer, moment: datetime | None) -> str:
    if moment is None:
        return ""
    unit = customer.service_unit
    local = moment.astimezone(unit.tz)
    return f"{formats.date_format(local, 'j M Y H:i')} {unit.tz_label}"


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.WHATSAPP_CONVERSATION_IDLE_MINUTES)


def _conversation(session: BotSession, at: datetime) -> tuple[Conversation, bool]:
    """The sender's conversation, locked; fresh when new or idle past the limit."""
    conversation, created = Conversation.objects.select_for_update().get_or_create(
        channel=session.channel,
        sender=session.contact[:255],
        defaults={"started_at": at, "last_message_at": at},
    )
    if created:
        return conversation, True
    if at - conversation.last_message_at > idle_limit():
        conversation.data = {}
        conversation.step = Step.MENU
        conversation.case = None
        conversation.started_at = at
        return conversation, True
    return conversation, False


def reply_key(session: BotSession, message_id: str) -> str:
    digest = hashlib.sha256(f"{session.channel}:{message_id}".encode()).hexdigest()[:40]
    return f"bot:{digest}"


@transaction.atomic
def handle_message(session: BotSession, message: BotInput) -> BotResult:
    """One customer message in, one reply out (via the outbox). Safe to run again for the same
    message after a failure (all or nothing); the reply is keyed by the message id."""
    # A provider timestamp far in the future (a wrong clock) must not keep a conversation alive.
    at = min(message.at, clock.now())
    conversation, fresh = _conversation(session, at)
    previous_case_id = conversation.case_id
    turn = _Turn(conversation=conversation, session=session, message=message)
    try:
        with transaction.atomic():
            turn.run(fresh)
    except DomainError as exc:
        # A domain refusal (a photo the case cannot take, …) is the customer's to read; what
        # the turn wrote is rolled back, so forget any case it opened.
        turn.parts = [(texts.CASE_REJECTED, {"reason": exc.message})]
        turn.case = None
        conversation.case_id = previous_case_id
        turn.restart()
    conversation.last_message_at = max(conversation.last_message_at, at)
    conversation.save()
    reply = turn.render()
    if reply:
        queue_message(
            channel=session.reply_channel,
            recipient=session.contact,
            body=reply,
            idempotency_key=reply_key(session, message.message_id),
            template="reply",
            language=conversation.language if conversation.language in LANGUAGES else "id",
            case=turn.case,
            context={"contact_kind": session.contact_kind},
        )
    return BotResult(reply=reply, case=turn.case)
