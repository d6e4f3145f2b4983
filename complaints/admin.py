"""Admin registrations. The case admin is the agent console; every other table is read-mostly.
Case state changes only through complaints.services."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.console.bulk import BulkKind, bulk_action
from complaints.console.changelist import (
    CaseChangeList,
    CustomerChangeList,
    NameSearchLookAheadMixin,
)
from complaints.console.filters import (
    OPEN,
    CategoryFilter,
    OwnerFilter,
    QueueFilter,
    ServiceUnitFilter,
    SlaFilter,
)
from complaints.console.forms import CaseActionForm
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
    NotificationStatus,
)
from complaints.notifications import HELD_KEY, notification_retry
from complaints.notifications import TEMPLATES as NOTICE_TEMPLATES
from complaints.outbound import BACKENDS
from complaints.paginators import EstimatedCountPaginator
from complaints.selectors import SLA_LABELS, is_name_search, search_cases, sla_state
from staff.access import scope_cases, scope_to_units, sees_all_units, unit_ids_for
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
class CaseAdmin(NameSearchLookAheadMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
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
        CategoryFilter,
    )
    list_select_related = ("category", "service_unit", "technician__user", "customer")
    # The search box is handled by complaints.selectors.search_cases (one indexed lookup).
    search_fields = ("ticket",)
    search_help_text = _("Cari nomor tiket, ID pelanggan, nomor meter, telepon, atau nama.")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Rendering a row costs more than reading it (about 1 ms of Python per row: action
    # checkbox, SLA state, local times); 25 rows keep a page within its time budget.
    list_per_page = 25
    actions = ["bulk_assign", "bulk_priority", "bulk_merge"]
    action_form = CaseActionForm
    changelist_class = CaseChangeList
    change_list_template = "admin/console/change_list.html"

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

    def action_checkbox(self, case: Case) -> str:
        # The admin renders this box through the form widget's template, a third of a row's
        # time; the markup is the same. Written without format_html: the case list calls it
        # for every row (CaseChangeList.rows).
        label = gettext("Select this object for an action - {}").format(conditional_escape(case))
        return mark_safe(  # noqa: S308 - the case is escaped, the rest is ours
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{case.pk}"'
            f' class="action-select" aria-label="{label}">'
        )

    @admin.display(description=_("SLA"))
    def sla(self, case: Case) -> str:
        state = sla_state(case)
        return mark_safe(  # noqa: S308 - the label is escaped
            f'<span class="sla sla-{state}">{escape(SLA_LABELS[state])}</span>'
        )

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
        return scope_to_units(request.user, super().get_queryset(request), "case__service_unit_id")


class CustomerContactInline(admin.TabularInline):
    model = CustomerContact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(NameSearchLookAheadMixin, admin.ModelAdmin):
    list_display = ("id_pelanggan", "meter_number", "name", "service_unit", "area_code")
    list_select_related = ("service_unit",)
    # Numbers as prefixes (LIKE 'x%' on the pattern-ops indexes of the unique columns; "=" would
    # be UPPER(col) = UPPER(x), which no index serves), names on the trigram index of UPPER(name).
    # Also the search of the customer autocomplete on the case form.
    search_fields = ("id_pelanggan__startswith", "meter_number__startswith", "name")
    ordering = ("id_pelanggan",)
    list_per_page = 25  # rendering, not SQL, is most of a page (as for the case list)
    autocomplete_fields = ("service_unit",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    changelist_class = CustomerChangeList
    change_list_template = "admin/console/change_list.html"
    inlines = [CustomerContactInline]

    def get_search_results(self, request, queryset, search_term):
        if is_name_search(search_term):
            # Part of a name matches no number (the numbers are digits only): the name's
            # trigram index alone, not an OR with two number prefixes that cannot match.
            # Every word must match, as in the admin's own search.
            for word in search_term.split():
                queryset = queryset.filter(name__icontains=word)
            return queryset, False
        return super().get_search_results(request, queryset, search_term)


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


def fixed_choice_filter(field: str, title: str, choices: list[tuple[str, str]]) -> type:
    class Filter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{field: value}) if value else queryset

    Filter.title = title
    return Filter


OutboxChannelFilter = fixed_choice_filter(
    "channel",
    _("kanal"),
    [
        ("whatsapp", "WhatsApp"),
        ("sms", "SMS"),
        ("email", "Email"),
        ("app", _("Aplikasi")),
        ("social", _("Media sosial")),
    ],
)
OutboxBackendFilter = fixed_choice_filter(
    "backend", _("penyedia"), [(name, name) for name in sorted(BACKENDS)]
)
OutboxTemplateFilter = fixed_choice_filter(
    "template", _("templat"), [(name, name) for name in (*NOTICE_TEMPLATES, "reply")]
)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox: with no provider configured, this is where sent notices can be read; with
    one, where a failed or uncertain notice and its last error are seen and sent again."""

    list_display = (
        "created_at",
        "case",
        "channel",
        "recipient",
        "template",
        "status",
        "backend",
        "attempts",
        "next_attempt_at",
        "held_label",
        "last_error_short",
    )
    # Fixed choices: a plain field filter would SELECT DISTINCT over the whole outbox.
    list_filter = ("status", OutboxChannelFilter, OutboxBackendFilter, OutboxTemplateFilter)
    actions = ("retry_failed",)
    list_select_related = ("case",)
    search_fields = ("=case__ticket", "=recipient")
    ordering = ("-created_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    verbose_name_plural = _("kotak keluar notifikasi")

    @admin.display(description=_("galat terakhir"))
    def last_error_short(self, obj: Notification) -> str:
        return obj.last_error[:80]

    @admin.display(description=_("ditahan"))
    def held_label(self, obj: Notification) -> str:
        """Storm mode holds a linked report's progress notices (notifications.storm_hold):
        a held row waits with no attempt time until the storm ends or an incident notice
        supersedes it; a released one keeps the mark."""
        held = (obj.context or {}).get(HELD_KEY)
        if not held:
            return ""
        if obj.status == NotificationStatus.PENDING and obj.next_attempt_at is None:
            return str(_("Ditahan: mode badai"))
        return str(_("Pernah ditahan (mode badai)"))

    @admin.action(description=_("Kirim ulang notifikasi yang gagal"))
    def retry_failed(self, request, queryset) -> None:
        count = notification_retry(notification_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)s notifikasi dijadwalkan ulang.") % {"count": count})


# --- Issue 6: outage incidents, planned outages, storm mode, service-quality (TMP) ----------
# The incident page is a console over complaints.incidents (complaints.incident_console);
# planned outages and TMP levels are plain schedules/settings kept here.

from datetime import timedelta  # noqa: E402

from complaints import incident_console  # noqa: E402
from complaints.models import (  # noqa: E402
    Incident,
    IncidentEvent,
    PlannedOutage,
    StormSwitch,
    TmpCustomerMonth,
    TmpThreshold,
)
from complaints.tmp import current_month  # noqa: E402


class UnitScopedAdminMixin:
    """Rows of the user's service units only (everything for managers)."""

    unit_field = "service_unit_id"

    def get_queryset(self, request):
        return scope_to_units(request.user, super().get_queryset(request), self.unit_field)


@admin.register(Incident)
class IncidentAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "code_link",
        "status",
        "kind",
        "service_unit",
        "area_code",
        "report_count",
        "etr",
        "crew",
        "started_at",
    )
    list_filter = ("status", "kind", ServiceUnitFilter)
    list_select_related = ("service_unit", "crew__user")
    search_fields = ("=area_code",)
    ordering = ("-started_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(reports=Count("cases"))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper().removeprefix("GGN-")
        if term.isdigit():
            return queryset.filter(pk=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("gangguan"), ordering="pk")
    def code_link(self, incident: Incident) -> str:
        return incident.code

    @admin.display(description=_("laporan"), ordering="reports")
    def report_count(self, incident: Incident) -> int:
        return incident.reports

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:incident_id>/act/",
                wrap(incident_console.incident_act),
                name="complaints_incident_act",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        return incident_console.incident_page(request, context, object_id)


@admin.register(IncidentEvent)
class IncidentEventAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    unit_field = "incident__service_unit_id"
    list_display = ("incident", "created_at", "kind", "from_status", "to_status", "actor_label")
    list_filter = ("kind",)
    list_select_related = ("incident",)
    ordering = ("-created_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(PlannedOutage)
class PlannedOutageAdmin(UnitScopedAdminMixin, admin.ModelAdmin):
    list_display = ("service_unit", "starts_at", "ends_at", "areas", "reason", "cancelled")
    list_filter = ("cancelled", ServiceUnitFilter)
    list_select_related = ("service_unit",)
    autocomplete_fields = ("service_unit",)
    fields = (
        "service_unit",
        "area_codes",
        "areas_text",
        "starts_at",
        "ends_at",
        "reason",
        "cancelled",
    )
    ordering = ("-starts_at",)
    search_fields = ("reason",)

    @admin.display(description=_("wilayah"))
    def areas(self, planned: PlannedOutage) -> str:
        return planned.areas_text or ", ".join(planned.area_codes) or str(_("seluruh unit"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Cancel instead: a planned outage that answered complaints is part of their history.
        return False


@admin.register(StormSwitch)
class StormSwitchAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Storm mode per unit: the list is the switch page (complaints.incidents.storm_switch)."""

    def changelist_view(self, request, extra_context=None):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        return incident_console.storm_page(request, context)


class EligibleFilter(admin.SimpleListFilter):
    title = _("berhak kompensasi")
    parameter_name = "eligible"

    def lookups(self, request, model_admin):
        return [("1", _("ya")), ("0", _("tidak"))]

    def queryset(self, request, queryset):
        from complaints.tmp import ELIGIBLE

        if self.value() == "1":
            return queryset.filter(ELIGIBLE)
        if self.value() == "0":
            return queryset.exclude(ELIGIBLE)
        return queryset


class MonthFilter(admin.SimpleListFilter):
    title = _("bulan")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        month = current_month()
        months = []
        for _n in range(12):
            months.append((f"{month:%Y-%m-%d}", f"{month:%Y-%m}"))
            month = (month - timedelta(days=1)).replace(day=1)
        return months

    def queryset(self, request, queryset):
        return queryset.filter(month=self.value()) if self.value() else queryset


@admin.register(TmpCustomerMonth)
class TmpCustomerMonthAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "month",
        "customer",
        "service_unit",
        "outage_count",
        "outage_minutes",
        "response_minutes_max",
        "exceeds_response",
        "exceeds_duration",
        "exceeds_count",
    )
    list_filter = (MonthFilter, EligibleFilter, ServiceUnitFilter)
    list_select_related = ("customer", "service_unit")
    search_fields = ("=customer__id_pelanggan",)
    ordering = ("-month", "service_unit__code", "customer__id_pelanggan")
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        context = lambda request: {  # noqa: E731
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
        }
        return [
            path(
                "summary/",
                wrap(lambda request: incident_console.tmp_page(request, context(request))),
                name="complaints_tmpcustomermonth_summary",
            ),
            path(
                "export.csv",
                wrap(incident_console.tmp_export),
                name="complaints_tmpcustomermonth_export",
            ),
            *super().get_urls(),
        ]


@admin.register(TmpThreshold)
class TmpThresholdAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "max_response_minutes",
        "max_outage_minutes",
        "max_outage_count",
        "note",
    )
    list_select_related = ("service_unit",)
    autocomplete_fields = ("service_unit",)


# =============================================================================================
# Issue 8: staff API tokens, Open311 clients, webhook subscriptions. Keys are shown once, in
# the message after they are made; the tables keep only their hashes.
# =============================================================================================

from django import forms  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.utils.html import format_html_join  # noqa: E402

from channels_intake.open311.keys import KEY_PREFIX as OPEN311_KEY_PREFIX  # noqa: E402
from channels_intake.open311.keys import open311_client_rotate_key  # noqa: E402
from complaints import clock, webhooks  # noqa: E402
from complaints.api.tokens import api_token_revoke, issue_key  # noqa: E402
from complaints.models import (  # noqa: E402
    ApiToken,
    EventKind,
    Open311Client,
    WebhookSubscription,
)

KEY_SHOWN_ONCE = _("Simpan kunci ini sekarang; kunci tidak akan ditampilkan lagi: %(key)s")
SECRET_SHOWN = _("Rahasia penandatanganan untuk %(name)s (simpan di penerima): %(secret)s")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "key_prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    list_filter = ("revoked_at",)
    search_fields = ("=key_prefix", "user__username", "name")
    raw_id_fields = ("user",)
    actions = ("revoke",)
    ordering = ("-created_at", "-id")

    def get_queryset(self, request):
        # Staff hold tokens for themselves only: their own are all they see and revoke.
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            # A token acts as its user: staff make one for themselves, a superuser for anyone.
            if not request.user.is_superuser:
                return ("name", "expires_at")
            return ("user", "name", "expires_at")
        return (
            "user",
            "name",
            "key_prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "key_prefix", "created_at", "last_used_at", "revoked_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A token acts as its user: only a superuser may make one for somebody else.
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = get_user_model().objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if not change and not request.user.is_superuser:
            obj.user = request.user
        if not change:
            key = issue_key(obj)
            self.message_user(request, KEY_SHOWN_ONCE % {"key": key}, level=messages.WARNING)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Cabut token terpilih"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        count = api_token_revoke(token_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)s token dicabut.") % {"count": count})


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "=key_prefix")
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    fields = ("name", "contact", "active", "key_prefix", "created_at", "last_used_at")
    actions = ("rotate_key",)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            key = issue_key(obj, OPEN311_KEY_PREFIX)
            self.message_user(request, KEY_SHOWN_ONCE % {"key": key}, level=messages.WARNING)
        super().save_model(request, obj, form, change)

    @admin.action(
        description=_("Buat api_key baru (yang lama berhenti berlaku)"), permissions=["change"]
    )
    def rotate_key(self, request, queryset) -> None:
        for client in queryset:
            key = open311_client_rotate_key(client)
            self.message_user(
                request, f"{client}: {KEY_SHOWN_ONCE % {'key': key}}", level=messages.WARNING
            )


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL tujuan"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("jenis peristiwa"),
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan untuk semua jenis peristiwa."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ("name", "url", "events", "service_unit", "active")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Integrators' webhooks. Deliveries are outbox rows (channel "webhook"): retried with
    backoff and visible, with their last error, in the outbox and on the subscription page."""

    form = WebhookSubscriptionForm
    list_display = ("name", "url", "active", "service_unit", "events_display", "created_at")
    list_filter = ("active",)
    list_select_related = ("service_unit",)
    search_fields = ("name", "url")
    autocomplete_fields = ("service_unit",)
    readonly_fields = ("secret_masked", "created_at", "created_by", "deliveries")
    actions = ("rotate_secret",)

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "service_unit", "active"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    @admin.display(description=_("jenis peristiwa"))
    def events_display(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events) if obj.events else str(_("semua"))

    @admin.display(description=_("rahasia penandatanganan"))
    def secret_masked(self, obj: WebhookSubscription) -> str:
        return f"{obj.secret[:4]}…{obj.secret[-4:]}" if obj.secret else ""

    @admin.display(description=_("pengiriman terakhir"))
    def deliveries(self, obj: WebhookSubscription) -> str:
        rows = webhooks.deliveries_of(obj)
        outbox = reverse("admin:complaints_notification_changelist")
        link = format_html(
            '<a href="{}?channel={}&amp;recipient={}">{}</a>',
            outbox,
            webhooks.CHANNEL,
            obj.pk,
            _("Semua pengiriman di kotak keluar"),
        )
        if not rows:
            return link
        items = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    row.template,
                    row.get_status_display(),
                    row.attempts,
                    row.last_error[:120],
                )
                for row in rows
            ),
        )
        return format_html("<table>{}</table>{}", items, link)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.secret = webhooks.new_secret()
            obj.created_at = clock.now()
            obj.created_by = request.user
            self.message_user(
                request, SECRET_SHOWN % {"name": obj.name, "secret": obj.secret}, messages.WARNING
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Ganti rahasia penandatanganan"), permissions=["change"])
    def rotate_secret(self, request, queryset) -> None:
        for subscription in queryset:
            secret = webhooks.subscription_rotate_secret(subscription)
            self.message_user(
                request,
                SECRET_SHOWN % {"name": subscription.name, "secret": secret},
                messages.WARNING,
            )


# =============================================================================================
# Issue 5 point 7: satisfaction survey answers, read-only for supervisors (their units) and
# managers (every unit). Written only by complaints.satisfaction.
# =============================================================================================

from complaints.models import SatisfactionAnswer  # noqa: E402
from complaints.tickets import normalize_ticket_number  # noqa: E402


@admin.register(SatisfactionAnswer)
class SatisfactionAnswerAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "answered_at",
        "case",
        "score",
        "fixed",
        "reopened",
        "channel",
        "service_unit",
        "category",
        "short_comment",
    )
    list_filter = ("score", "fixed", "reopened", "channel", ServiceUnitFilter)
    list_select_related = ("case", "service_unit", "category")
    search_fields = ("=case__ticket",)
    ordering = ("-answered_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # A ticket as typed ("adu 7k3m-q9x2t"), matched on the case's unique ticket index;
        # the default "=" search would compare UPPER(ticket), which no index serves.
        if not search_term.strip():
            return queryset, False
        ticket = normalize_ticket_number(search_term)
        if ticket is None:
            return queryset.none(), False
        return queryset.filter(case__ticket=ticket), False

    @admin.display(description=_("komentar"))
    def short_comment(self, answer: SatisfactionAnswer) -> str:
        return answer.comment[:80] + ("…" if len(answer.comment) > 80 else "")
