"""Admin registrations: a read-mostly view over the domain. Case state changes only through
services (the agent console actions come with the console work, issue 3)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    Customer,
    CustomerContact,
    Notification,
)
from complaints.paginators import EstimatedCountPaginator
from staff.access import scope_cases, sees_all_units, unit_ids_for


class ReadOnlyAdminMixin:
    """For append-only or service-written tables: nobody edits them here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "actor_label", "note")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    show_change_link = False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "ticket",
        "status",
        "priority",
        "category",
        "channel",
        "service_unit",
        "technician",
        "created_at",
        "resolution_due_at",
    )
    list_filter = ("status", "channel", "priority", "category")
    list_select_related = ("category", "service_unit", "technician__user")
    search_fields = ("=ticket",)
    ordering = ("-created_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    raw_id_fields = ("customer", "merged_into", "assigned_agent", "technician")
    inlines = [CaseEventInline]
    readonly_fields = [f.name for f in Case._meta.fields]

    def get_queryset(self, request):
        return scope_cases(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        if obj is None or sees_all_units(request.user):
            return True
        return obj.service_unit_id in unit_ids_for(request.user)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "created_at", "kind", "from_status", "to_status", "actor_label")
    list_filter = ("kind",)
    list_select_related = ("case",)
    search_fields = ("=case__ticket",)
    ordering = ("-created_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        unit_ids = unit_ids_for(request.user)
        if unit_ids is None:
            return queryset
        return queryset.filter(case__service_unit_id__in=unit_ids)


class CustomerContactInline(admin.TabularInline):
    model = CustomerContact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("id_pelanggan", "meter_number", "name", "service_unit", "area_code")
    list_select_related = ("service_unit",)
    search_fields = ("=id_pelanggan", "=meter_number", "name")
    autocomplete_fields = ("service_unit",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = [CustomerContactInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_id",
        "name_en",
        "work_type",
        "default_priority",
        "response_minutes",
        "resolution_minutes",
        "skill",
        "active",
    )
    list_filter = ("work_type", "active")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "original_name", "content_type", "size", "uploaded_at")
    list_select_related = ("case",)
    search_fields = ("=case__ticket", "=sha256")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox: with no provider configured, this is where sent notices can be read."""

    list_display = ("created_at", "case", "channel", "recipient", "template", "status", "attempts")
    list_filter = ("status", "channel", "template")
    list_select_related = ("case",)
    search_fields = ("=case__ticket", "=recipient")
    ordering = ("-created_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    verbose_name_plural = _("kotak keluar notifikasi")
