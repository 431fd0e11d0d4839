from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "docs_store"
    label = "docs_store"
    verbose_name = _("Documents")
