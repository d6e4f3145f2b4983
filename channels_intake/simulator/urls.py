from django.urls import path

from channels_intake.simulator import views

urlpatterns = [
    path("", views.page, name="simulator"),
    path("chat", views.chat_fragment, name="simulator_chat"),
    path("outbox", views.outbox, name="simulator_outbox"),
    path("persona", views.persona, name="simulator_persona"),
    path("message", views.send_message, name="simulator_message"),
    path("comment", views.send_comment, name="simulator_comment"),
    path("email", views.send_email, name="simulator_email"),
    path("process", views.process_now, name="simulator_process"),
    path("reset", views.reset, name="simulator_reset"),
]
