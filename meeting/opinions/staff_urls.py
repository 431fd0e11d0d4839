"""Routes of the staff side of opinions (mounted at /opinions/staff/)."""

from django.urls import path

from meeting.opinions import staff_views as views

app_name = "opinions_staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<int:document_id>/", views.document_page, name="document"),
    path("documents/<int:document_id>/opinions.docx", views.export_docx, name="export"),
    path("items/<int:item_id>/", views.item_page, name="item"),
    path("speeches/<int:speech_id>/ties", views.speech_ties, name="ties"),
    path("ties/<int:tie_id>/delete", views.untie, name="untie"),
    path("briefs/<int:brief_id>/arrangement", views.brief_arrangement, name="brief-arrangement"),
]
