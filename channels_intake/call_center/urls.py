"""/api/v1/cti/: the telephony (CTI) integration."""

from django.urls import path

from channels_intake.call_center import views

app_name = "cti"

urlpatterns = [
    path("calls", views.CallView.as_view(), name="calls"),
]
