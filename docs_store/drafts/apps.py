from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftsConfig(AppConfig):
    """Drafts (法规草案): the articles read from a document version and their comparison."""

    name = "docs_store.drafts"
    label = "drafts"
    verbose_name = _("Drafts")
