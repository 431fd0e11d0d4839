"""Routes of the briefs and books (mounted at /briefs/)."""

from django.urls import path

from meeting.briefs import leave_views, views

app_name = "briefs"
urlpatterns = [
    path("", views.index, name="index"),
    path("sittings/<int:sitting_id>/", views.sitting_log, name="sitting"),
    path("sittings/<int:sitting_id>/leave/", leave_views.leave_page, name="leave"),
    path("speeches/<int:speech_id>/summary", views.save_summary, name="save-summary"),
    path("new", views.create, name="create"),
    path("<int:brief_id>/", views.brief_page, name="brief"),
    path("<int:brief_id>/check", views.check, name="check"),
    path("<int:brief_id>/release", views.release, name="release"),
    path("<int:brief_id>/revise", views.revise, name="revise"),
    path("<int:brief_id>.<str:fmt>", views.export, name="export"),
    path("clips/<uuid:public_id>/at/<int:seconds>/", views.moment, name="moment"),
    path("clips/<uuid:public_id>/file", views.moment_file, name="moment-file"),
    path("books/members/<int:member_id>.pdf", views.member_book, name="member-book"),
    path("books/terms/<int:term_id>/", views.term_book_start, name="term-book"),
    path("jobs/<int:job_id>", views.job_status, name="job"),
    path("errors.json", views.error_codes, name="errors"),
]
