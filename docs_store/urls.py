"""HTTP routes of documents (mounted at ``docs/``)."""

from django.urls import include, path

from docs_store import ink_views, views
from docs_store.search import views as search_views

app_name = "docs"

urlpatterns = [
    path("sessions/<int:session_id>/upload/", views.upload, name="upload"),
    path("sessions/<int:session_id>/placements/", views.placements, name="placements"),
    path("sittings/<int:sitting_id>/", views.sitting_list, name="sitting"),
    path("d/<int:document_id>/", views.detail, name="detail"),
    path("d/<int:document_id>/versions/", views.new_version, name="new_version"),
    path(
        "d/<int:document_id>/v/<int:version>/p/<int:page>/<int:width>.jpg",
        views.page_image,
        name="page",
    ),
    path("d/<int:document_id>/v/<int:version>/pdf", views.pdf, name="pdf"),
    path("d/<int:document_id>/notes/", views.page_notes, name="notes"),
    path("d/<int:document_id>/read/", views.reading, name="read"),
    path("d/<int:document_id>/ink/", ink_views.strokes, name="ink"),
    path("d/<int:document_id>/ink/<str:client_id>/erase/", ink_views.erase, name="ink_erase"),
    path("d/<int:document_id>/annotated.pdf", ink_views.export, name="ink_export"),
    path("sittings/<int:sitting_id>/search/", search_views.sitting_search, name="search"),
    path(
        "d/<int:document_id>/v/<int:version>/p/<int:page>/hits/",
        search_views.page_hits,
        name="hits",
    ),
    path("", include("docs_store.drafts.urls")),  # 修改对照: articles, comparisons
]
