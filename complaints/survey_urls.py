from django.urls import path

from complaints import survey_views

app_name = "survey"

urlpatterns = [
    path("<str:token>/", survey_views.survey, name="answer"),
]
