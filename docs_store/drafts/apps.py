from django.apps import AppConfig


class DraftsConfig(AppConfig):
    """Drafts (法规草案): the articles read from a document version and their comparison."""

    name = "docs_store.drafts"
    label = "drafts"
    verbose_name = "Drafts"
