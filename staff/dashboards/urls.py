"""/admin/dashboards/...: inside the admin (its login, its look), before admin.site.urls."""

from django.contrib import admin
from django.urls import path

from staff.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("board/", admin.site.admin_view(views.supervisor_board), name="board"),
    path("manager/", admin.site.admin_view(views.manager_dashboard), name="manager"),
]
# Mounted at exactly /admin/ ahead of the admin's own index (see config/urls.py).
admin_landing = admin.site.admin_view(views.admin_landing)
