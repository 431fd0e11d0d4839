"""Routes of the proceedings pages, mounted at /proceedings/."""

from django.urls import path

from meeting.proceedings import accounts_views, views

app_name = "proceedings"

urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("sessions/new/", views.new_session, name="new-session"),
    path("sessions/<int:session_id>/", views.session_page, name="session"),
    path("sessions/<int:session_id>/sittings/", views.add_sitting, name="add-sitting"),
    path("sessions/<int:session_id>/members/", views.import_roster, name="import-roster"),
    path("sessions/<int:session_id>/close/", views.close, name="close"),
    path("sessions/<int:session_id>/minutes/", views.minutes_status, name="minutes"),
    path("sittings/<int:sitting_id>/", views.update_sitting, name="update-sitting"),
    path("sittings/<int:sitting_id>/items/", views.add_item, name="add-item"),
    path("items/<int:item_id>/", views.update_item, name="update-item"),
    path("items/<int:item_id>/remove/", views.remove_item, name="remove-item"),
    path("items/<int:item_id>/votes/", views.prepare_vote, name="prepare-vote"),
    path("minutes/<int:run_id>.<str:fmt>", views.minutes_file, name="minutes-file"),
    path("audit/", views.audit_view, name="audit"),
    path("errors.json", views.error_codes, name="errors"),
    path("sessions/<int:session_id>/accounts/", accounts_views.accounts_page, name="accounts"),
    path(
        "sessions/<int:session_id>/accounts/<int:member_id>/reset/",
        accounts_views.reset_password,
        name="reset-password",
    ),
]
