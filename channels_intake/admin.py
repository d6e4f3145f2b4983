from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from channels_intake.models import Conversation, InboundMessage
from channels_intake.services import inbound_reprocess
from complaints.paginators import EstimatedCountPaginator


class SimulatorLinkMixin:
    """Puts a "channel simulator" button next to the list (when the simulator is on)."""

    change_list_template = "channels_intake/admin/change_list_with_simulator.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "simulator_enabled": settings.CHANNEL_SIMULATOR_ENABLED,
        }
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(InboundMessage)
class InboundMessageAdmin(SimulatorLinkMixin, admin.ModelAdmin):
    list_display = ("received_at", "channel", "provider_message_id", "status", "attempts", "case")
    list_filter = ("status", "channel")
    list_select_related = ("case",)
    search_fields = ("=provider_message_id", "=case__ticket")
    ordering = ("-received_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = (
        "channel",
        "provider_message_id",
        "received_at",
        "remote_addr",
        "content_type",
        "headers",
        "body_text",
        "status",
        "attempts",
        "error",
        "processed_at",
        "case",
    )
    exclude = ("body",)
    actions = ["reprocess"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("isi mentah"))
    def body_text(self, obj: InboundMessage) -> str:
        return bytes(obj.body).decode("utf-8", errors="replace")

    @admin.action(description=_("Proses ulang pesan yang dipilih"), permissions=["change"])
    def reprocess(self, request, queryset) -> None:
        count = inbound_reprocess(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%d pesan diantrekan ulang.", "%d pesan diantrekan ulang.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Conversation)
class ConversationAdmin(SimulatorLinkMixin, admin.ModelAdmin):
    """Where each bot conversation stands; written only by the bot."""

    list_display = ("last_message_at", "channel", "sender", "step", "language", "case")
    list_filter = ("channel", "step")
    list_select_related = ("case",)
    search_fields = ("=sender",)
    ordering = ("-last_message_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = (
        "channel",
        "sender",
        "step",
        "data",
        "language",
        "started_at",
        "last_message_at",
        "case",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
