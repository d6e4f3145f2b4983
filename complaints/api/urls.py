"""/api/v1/: the staff API (cases, customers, reference data, incidents). Ids in paths are
``str``: the permission-checked fetches (staff.access.case_for, …) turn anything that is not an
id of an object the user may see into the same JSON 404."""

from django.urls import include, path, re_path

from complaints.api import views

app_name = "api"

urlpatterns = [
    path("cases", views.CasesView.as_view(), name="cases"),
    path("cases/<str:case_id>", views.CaseDetailView.as_view(), name="case"),
    path(
        "cases/<str:case_id>/transition",
        views.CaseTransitionView.as_view(),
        name="case_transition",
    ),
    path("cases/<str:case_id>/assign", views.CaseAssignView.as_view(), name="case_assign"),
    path("cases/<str:case_id>/notes", views.CaseNotesView.as_view(), name="case_notes"),
    path("customers", views.CustomerSearchView.as_view(), name="customers"),
    path("customers/<str:customer_id>", views.CustomerDetailView.as_view(), name="customer"),
    path("categories", views.CategoriesView.as_view(), name="categories"),
    path("service-units", views.ServiceUnitsView.as_view(), name="service_units"),
    path("technicians", views.TechniciansView.as_view(), name="technicians"),
    path("incidents", views.IncidentsView.as_view(), name="incidents"),
    path("incidents/<str:incident_id>", views.IncidentDetailView.as_view(), name="incident"),
    path("planned-outages", views.PlannedOutagesView.as_view(), name="planned_outages"),
    # Issue 5: the technician API (the field app).
    path("tech/", include("complaints.api.tech_urls")),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not an HTML page.
    re_path(r"^.*$", views.not_found, name="not_found"),
]
