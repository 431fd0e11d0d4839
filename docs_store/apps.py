from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "docs_store"
    label = "docs_store"
    verbose_name = "Documents"
