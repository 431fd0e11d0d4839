"""HTTP routes of a member's opinions on articles (mounted at ``opinions/``)."""

from django.urls import path

from meeting.opinions import views

app_name = "opinions"

urlpatterns = [
    path(
        "sittings/<int:sitting_id>/d/<int:document_id>/",
        views.document_opinions,
        name="document",
    ),
    path("sittings/<int:sitting_id>/mine/", views.mine, name="mine"),
    path("<int:opinion_id>/submit/", views.submit, name="submit"),
    path("<int:opinion_id>/delete/", views.delete, name="delete"),
]
