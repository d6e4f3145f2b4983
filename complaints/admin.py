"""Admin registrations. The case admin is the agent console; every other table is read-mostly.
Case state changes only through complaints.services."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from complaints.console.bulk import BulkKind, bulk_action
from complaints.console.filters import (
    OPEN,
    OwnerFilter,
    QueueFilter,
    ServiceUnitFilter,
    SlaFilter,
)
from complaints.console.times import unit_time
from complaints.console.views import (
    DESK_ROLES,
    case_act,
    case_page,
    case_technicians,
    phone_complaint,
    phone_complaint_done,
    phone_customer_context,
    phone_customer_search,
)
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
from complaints.selectors import SLA_LABELS, search_cases, sla_state
from staff.access import scope_cases, sees_all_units, unit_ids_for
from staff.roles import roles_of


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
    """The case queue and the agent console. Nothing here writes a case: the pages and
    actions call complaints.services."""

    list_display = (
        "ticket",
        "status",
        "priority",
        "sla",
        "category",
        "channel",
        "customer_name",
        "service_unit",
        "technician",
        "created_local",
        "due_local",
    )
    list_filter = (
        QueueFilter,
        SlaFilter,
        OwnerFilter,
        ServiceUnitFilter,
        "channel",
        "priority",
        "category",
    )
    list_select_related = ("category", "service_unit", "technician__user", "customer")
    # The search box is handled by complaints.selectors.search_cases (one indexed lookup).
    search_fields = ("ticket",)
    search_help_text = _("Cari nomor tiket, ID pelanggan, nomor meter, telepon, atau nama.")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    actions = ["bulk_assign", "bulk_priority", "bulk_merge"]

    def get_queryset(self, request):
        return scope_cases(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        return search_cases(queryset, search_term), False

    def get_ordering(self, request):
        # Open work is sorted by what is due first; everything else newest first.
        if request.GET.get(QueueFilter.parameter_name, OPEN) == OPEN:
            return ("resolution_due_at", "id")
        return ("-created_at", "-id")

    def has_view_permission(self, request, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        if obj is None or sees_all_units(request.user):
            return True
        return obj.service_unit_id in unit_ids_for(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        # "Add" is the phone-complaint page (object-tools link), never the plain model form.
        return bool(roles_of(request.user) & DESK_ROLES)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        context = self._console_context
        return [
            path(
                "phone/",
                wrap(lambda request: phone_complaint(request, context(request))),
                name="complaints_case_phone",
            ),
            path(
                "phone/customers/",
                wrap(phone_customer_search),
                name="complaints_case_phone_customers",
            ),
            path(
                "phone/customers/<int:customer_id>/",
                wrap(phone_customer_context),
                name="complaints_case_phone_customer",
            ),
            path(
                "phone/done/<int:case_id>/",
                wrap(
                    lambda request, case_id: phone_complaint_done(
                        request, context(request), case_id
                    )
                ),
                name="complaints_case_phone_done",
            ),
            path("<int:case_id>/act/", wrap(case_act), name="complaints_case_act"),
            path(
                "<int:case_id>/technicians/",
                wrap(case_technicians),
                name="complaints_case_technicians",
            ),
            *super().get_urls(),
        ]

    def _console_context(self, request) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta}

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:complaints_case_phone"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return case_page(request, self._console_context(request), object_id)

    @admin.display(description=_("SLA"))
    def sla(self, case: Case) -> str:
        state = sla_state(case)
        return format_html('<span class="sla sla-{}">{}</span>', state, SLA_LABELS[state])

    @admin.display(description=_("pelanggan / pelapor"))
    def customer_name(self, case: Case) -> str:
        return case.customer.name if case.customer else case.reporter_name

    @admin.display(description=_("dibuat"), ordering="created_at")
    def created_local(self, case: Case) -> str:
        return unit_time(case.created_at, case.service_unit)

    @admin.display(description=_("batas penyelesaian"), ordering="resolution_due_at")
    def due_local(self, case: Case) -> str:
        return unit_time(case.resolution_due_at, case.service_unit)

    # --- Bulk actions: each goes through the services and reports per case. ---

    @admin.action(description=_("Tugaskan teknisi ke pengaduan terpilih"))
    def bulk_assign(self, request, queryset):
        return bulk_action(self, request, queryset, BulkKind.ASSIGN)

    @admin.action(description=_("Ubah prioritas pengaduan terpilih"))
    def bulk_priority(self, request, queryset):
        return bulk_action(self, request, queryset, BulkKind.PRIORITY)

    @admin.action(description=_("Gabungkan pengaduan terpilih"))
    def bulk_merge(self, request, queryset):
        return bulk_action(self, request, queryset, BulkKind.MERGE)


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
