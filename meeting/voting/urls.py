"""HTTP routes of voting, mounted at ``votes/``."""

from django.urls import path

from meeting.voting import views

urlpatterns = [
    path("<int:vote_id>/result.json", views.result_json, name="vote-result"),
    path("<int:vote_id>/result.csv", views.result_csv, name="vote-result-csv"),
    path("<int:vote_id>/result.pdf", views.result_pdf, name="vote-result-pdf"),
    path("<int:vote_id>/audit.json", views.audit_json, name="vote-audit"),
]
