"""The channel simulator (staff only, on in debug): chat with the WhatsApp bot, DM or comment on
Facebook/Instagram, send an e-mail — through the real webhooks — and watch the replies in the
outbox and the case in the agent console. Thin: building and signing deliveries is in
``services``, the transcript in ``transcript``."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from channels_intake.services import inbound_process
from channels_intake.simulator import services, transcript
from channels_intake.simulator.forms import (
    CHANNELS,
    CommentForm,
    EmailForm,
    MessageForm,
    PersonaForm,
)

SESSION_KEY = "channel_simulator"
SENT_LIMIT = 200
REFUSED = _("Webhook menolak (%(status)s): %(detail)s")


def simulator_enabled(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.CHANNEL_SIMULATOR_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return staff_member_required(wrapper)


def _state(request: HttpRequest) -> dict:
    state = request.session.get(SESSION_KEY) or {}
    state.setdefault("persona", PersonaForm.defaults())
    state.setdefault("sent", [])
    return state


def _save(request: HttpRequest, state: dict) -> None:
    state["sent"] = state["sent"][-SENT_LIMIT:]
    request.session[SESSION_KEY] = state


def _channel(request: HttpRequest) -> str:
    channel = request.GET.get("channel") or request.POST.get("channel") or "whatsapp"
    return channel if channel in CHANNELS else "whatsapp"


@simulator_enabled
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    channel = _channel(request)
    persona = state["persona"]
    context = {
        "title": _("Simulator kanal"),
        "channel": channel,
        "channels": CHANNELS,
        "persona_form": PersonaForm(initial=persona),
        "message_form": MessageForm(initial={"channel": channel}),
        "comment_form": CommentForm(initial={"author_name": persona.get("name", "")}),
        "email_form": EmailForm(
            initial={"sender": persona.get("email", ""), "name": persona.get("name", "")}
        ),
        "email_available": services.email_available(),
        "chat": transcript.chat(state, channel),
        "cases": transcript.cases(state),
        "webhook_secret_missing": not settings.DEBUG
        and not (settings.WHATSAPP_APP_SECRET and settings.META_APP_SECRET),
    }
    return render(request, "channels_intake/simulator/page.html", context)


@simulator_enabled
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """The outbox as chat threads (with no provider configured, this is where replies go)."""
    context = {"title": _("Kotak keluar"), "threads": transcript.outbox_threads()}
    return render(request, "channels_intake/simulator/outbox.html", context)


@simulator_enabled
@require_GET
def chat_fragment(request: HttpRequest) -> HttpResponse:
    """The conversation alone, polled by the page while replies arrive."""
    state = _state(request)
    return render(
        request,
        "channels_intake/simulator/chat.html",
        {"chat": transcript.chat(state, _channel(request)), "cases": transcript.cases(state)},
    )


def _back(channel: str) -> HttpResponse:
    return redirect(reverse("channels_intake:simulator") + f"?channel={channel}")


def _record(request: HttpRequest, state: dict, delivery, **entry) -> None:
    if not delivery.ok:
        messages.error(request, REFUSED % {"status": delivery.status, "detail": delivery.detail})
        return
    state["sent"].append(
        {
            **entry,
            "inbox_channel": delivery.inbox_channel,
            "key": delivery.item_key,
            "row_id": delivery.row_id,
            "at": transcript.now_iso(),
        }
    )


@simulator_enabled
@require_POST
def persona(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    form = PersonaForm(request.POST)
    if form.is_valid():
        state["persona"] = form.cleaned_data
        _save(request, state)
    else:
        messages.error(request, form.errors.as_text())
    return _back(_channel(request))


@simulator_enabled
@require_POST
def send_message(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return _back(_channel(request))
    channel = form.cleaned_data["channel"]
    text = form.cleaned_data["text"]
    image = form.cleaned_data["image"].read() if form.cleaned_data.get("image") else None
    persona = state["persona"]
    if channel == "whatsapp":
        delivery = services.send_whatsapp(
            wa_id=persona["whatsapp"], name=persona["name"], text=text, image=image
        )
    else:
        delivery = services.send_direct_message(
            platform=channel, sender_id=persona[channel], text=text, image=image
        )
    _record(request, state, delivery, channel=channel, kind="dm", text=text, image=bool(image))
    _save(request, state)
    return _back(channel)


@simulator_enabled
@require_POST
def send_comment(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    form = CommentForm(request.POST)
    channel = _channel(request)
    if not form.is_valid() or channel not in ("facebook", "instagram"):
        messages.error(request, form.errors.as_text())
        return _back(channel)
    delivery = services.send_comment(
        platform=channel,
        author_id=state["persona"][channel],
        author_name=form.cleaned_data["author_name"],
        text=form.cleaned_data["text"],
    )
    _record(
        request,
        state,
        delivery,
        channel=channel,
        kind="comment",
        text=form.cleaned_data["text"],
        comment_id=delivery.item_key.split(":")[2] if delivery.ok else "",
    )
    _save(request, state)
    return _back(channel)


@simulator_enabled
@require_POST
def send_email(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    form = EmailForm(request.POST)
    if not services.email_available() or not form.is_valid():
        messages.error(request, form.errors.as_text() or str(_("Kanal email belum aktif.")))
        return _back("email")
    delivery = services.send_email(**form.cleaned_data)
    _record(
        request,
        state,
        delivery,
        channel="email",
        kind="email",
        text=f"{form.cleaned_data['subject']}\n\n{form.cleaned_data['text']}",
        sender=form.cleaned_data["sender"],
    )
    _save(request, state)
    return _back("email")


@simulator_enabled
@require_POST
def process_now(request: HttpRequest) -> HttpResponse:
    """Process what this session sent and no worker has taken yet (``runserver`` without
    Celery). The same service the worker runs; safe next to a running worker."""
    state = _state(request)
    for pk in transcript.waiting_ids(state):
        inbound_process(pk)
    return _back(_channel(request))


@simulator_enabled
@require_POST
def reset(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return _back(_channel(request))
