from django.urls import path

from . import views

urlpatterns = [
    path("g/<int:pk>/bilan/", views.bilan, name="bilan"),
    path("g/<int:pk>/bilan.csv", views.bilan_csv, name="bilan_csv"),
    path("s/<int:pk>/retour/", views.feedback, name="session_feedback"),
]
