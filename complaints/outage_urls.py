from django.urls import path

from complaints import outage_pages

app_name = "pemadaman"

urlpatterns = [
    path("", outage_pages.outage_list, name="list"),
    path("nyala/<str:token>/", outage_pages.restoration, name="restoration"),
]
