from django.urls import path

from channels_intake.whatsapp import views

urlpatterns = [
    path("webhook", views.webhook, name="whatsapp_webhook"),
]
