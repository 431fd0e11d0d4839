"""Routes of the speech archive (mounted at /media/)."""

from django.urls import path

from media import views

app_name = "media"
urlpatterns = [
    path("clips/", views.clip_list, name="clip-list"),
    path("clips/<uuid:public_id>/", views.clip_page, name="clip"),
    path("clips/<uuid:public_id>/file", views.clip_file, name="clip-file"),
    path("clips/<uuid:public_id>/poster", views.clip_poster, name="clip-poster"),
    path("clips/<uuid:public_id>/delete", views.clip_delete, name="clip-delete"),
    path("members/<int:member_id>/record/", views.deputy_record, name="deputy-record"),
    path("api/members/<int:member_id>/speeches", views.member_speeches, name="member-speeches"),
]
