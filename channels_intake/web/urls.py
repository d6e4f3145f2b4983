"""Public pages at the site root: /lapor/ and /status/."""

from django.urls import path

from channels_intake.web import views

app_name = "public"

urlpatterns = [
    path("lapor/", views.lapor, name="lapor"),
    path("lapor/terima/<str:token>/", views.lapor_done, name="lapor_done"),
    path("status/", views.status, name="status"),
]
