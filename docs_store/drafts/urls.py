"""HTTP routes of drafts, under ``docs/`` (``docs:drafts:…``)."""

from django.urls import path

from docs_store.drafts import views

app_name = "drafts"

urlpatterns = [
    path("d/<int:document_id>/v/<int:version>/articles/", views.articles, name="articles"),
    path("d/<int:document_id>/v/<int:version>/comparison/", views.comparison, name="comparison"),
    path("d/<int:document_id>/v/<int:version>/comparison.pdf", views.table_pdf, name="table_pdf"),
    path(
        "d/<int:document_id>/v/<int:version>/comparison.docx", views.table_docx, name="table_docx"
    ),
    path("sittings/<int:sitting_id>/drafts/", views.sitting_drafts, name="sitting"),
]
