"""HTTP routes of the floor, mounted at ``floor/``."""

from django.urls import path

from meeting.floor import views

urlpatterns = [
    path("sittings/<int:sitting_id>/log.json", views.sitting_log_json, name="floor-log"),
    path("sittings/<int:sitting_id>/log.csv", views.sitting_log_csv, name="floor-log-csv"),
    path("members/<int:member_id>/totals.json", views.member_totals_json, name="floor-totals"),
]
