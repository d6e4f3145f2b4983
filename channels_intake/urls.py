"""Channel endpoints under /channels/ (webhooks and inbound hooks of every channel)."""

from django.urls import include, path

from channels_intake.email import views as email_views

app_name = "channels_intake"

urlpatterns = [
    # --- WhatsApp, Facebook/Instagram, the staff simulator ---
    path("whatsapp/", include("channels_intake.whatsapp.urls")),
    path("meta/", include("channels_intake.social.urls")),
    path("simulator/", include("channels_intake.simulator.urls")),
    # --- e-mail, web, app, call center (public pages and APIs have their own urlconfs) ---
    path("email/inbound", email_views.inbound_email, name="email_inbound"),
]
