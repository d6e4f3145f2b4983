from django.urls import path

from channels_intake.social import views

urlpatterns = [
    path("webhook", views.webhook, name="meta_webhook"),
]
