from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from channels_intake.models import InboundMessage
from channels_intake.services import inbound_reprocess
from complaints.paginators import EstimatedCountPaginator


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
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
