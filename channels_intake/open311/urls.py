"""/open311/v2/: GeoReport v2. Every path ends in .xml or .json (the format)."""

from django.urls import re_path

from channels_intake.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[A-Za-z0-9_\-]{1,40})" + FMT,
        views.service_definition,
        name="service",
    ),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(
        r"^requests/(?P<request_id>[A-Za-z0-9\-]{1,40})" + FMT, views.request_detail, name="request"
    ),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9]{1,64})" + FMT, views.token_detail, name="token"),
    # mySociety's extension (FixMyStreet reads it): status changes of the reports.
    re_path(r"^servicerequestupdates" + FMT, views.request_updates, name="request_updates"),
]
