"""/api/v1/tech/: the technician API (complaints.api.tech). Tickets and ids in paths are
``str``: the permission-checked fetches turn anything that is not the technician's job into
the same JSON 404."""

from django.urls import path

from complaints.api import tech

app_name = "tech"

urlpatterns = [
    path("jobs", tech.JobsView.as_view(), name="jobs"),
    path("jobs/<str:ticket>", tech.JobDetailView.as_view(), name="job"),
    path("jobs/<str:ticket>/accept", tech.JobAcceptView.as_view(), name="job_accept"),
    path("jobs/<str:ticket>/on-the-way", tech.JobOnTheWayView.as_view(), name="job_on_the_way"),
    path("jobs/<str:ticket>/on-site", tech.JobOnSiteView.as_view(), name="job_on_site"),
    path("jobs/<str:ticket>/resolve", tech.JobResolveView.as_view(), name="job_resolve"),
    path("incidents/<str:incident_id>/etr", tech.IncidentEtrView.as_view(), name="incident_etr"),
    path(
        "incidents/<str:incident_id>/partial",
        tech.IncidentPartialView.as_view(),
        name="incident_partial",
    ),
    path(
        "incidents/<str:incident_id>/restore",
        tech.IncidentRestoreView.as_view(),
        name="incident_restore",
    ),
    path("position", tech.PositionView.as_view(), name="position"),
    path("shift", tech.ShiftView.as_view(), name="shift"),
]
