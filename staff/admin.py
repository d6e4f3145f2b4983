from django.contrib import admin

from staff.models import Holiday, ServiceUnit, StaffMember, Technician


@admin.register(ServiceUnit)
class ServiceUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "timezone", "path")
    list_filter = ("kind", "timezone")
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("neighbours",)


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "language")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    filter_horizontal = ("service_units",)
    autocomplete_fields = ("user",)


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "service_unit",
        "skills",
        "on_shift",
        "available",
        "open_jobs",
        "capacity",
    )
    list_filter = ("on_shift", "available", "service_unit")
    list_select_related = ("user", "service_unit")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user", "service_unit")
    readonly_fields = ("open_jobs",)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "service_unit")
    list_filter = (("service_unit", admin.EmptyFieldListFilter),)
    list_select_related = ("service_unit",)
    search_fields = ("name", "service_unit__code")
    date_hierarchy = "date"
    autocomplete_fields = ("service_unit",)
