from django.urls import path

from .views import attestation, bilan, feedback

urlpatterns = [
    path("g/<int:pk>/bilan/", bilan.bilan, name="bilan"),
    path("g/<int:pk>/bilan.csv", bilan.bilan_csv, name="bilan_csv"),
    path("s/<int:pk>/retour/", feedback.feedback, name="session_feedback"),
    path("moi/attestation/", attestation.attestation_page, name="attestation"),
    path(
        "moi/attestation/telecharger/",
        attestation.attestation_download,
        name="attestation_download",
    ),
]
