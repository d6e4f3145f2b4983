"""/api/v1/app/: the customer app."""

from django.urls import path

from channels_intake.mobile import views

app_name = "app_api"

urlpatterns = [
    path("register", views.RegisterView.as_view(), name="register"),
    path("register/verify", views.RegisterVerifyView.as_view(), name="register_verify"),
    path("login", views.LoginView.as_view(), name="login"),
    path("login/verify", views.LoginVerifyView.as_view(), name="login_verify"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("me", views.MeView.as_view(), name="me"),
    path("complaints", views.ComplaintsView.as_view(), name="complaints"),
    path("push-tokens", views.PushTokenView.as_view(), name="push_tokens"),
]
